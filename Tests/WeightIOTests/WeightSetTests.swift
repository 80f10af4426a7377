// WeightSet over single files and shards, files written by torch's safetensors, and the validation
// that reports every problem at once.

import Foundation
import TensorCore
import Testing
@testable import WeightIO

@Suite struct WeightSetTests {
  @Test func readsEveryDTypeTorchWrites() throws {
    guard let path = Fixtures.path("torch_dtypes.safetensors") else { Issue.record("fixtures missing"); return }
    let file = try SafeTensorsFile(path: path)
    let base = (0..<24).map { Float($0) * 0.5 - 3 }
    #expect(file.metadata["format"] == "pt")
    #expect(try file.tensor("f32").scalars == base)
    #expect(try file.tensor("f32").shape == [2, 3, 4])
    let half = try file.tensor("f16")
    #expect(half.dtype == .f16 && half.scalars == base)
    let brain = try file.tensor("bf16")
    #expect(brain.dtype == .bf16 && brain.scalars == base)
    #expect(try file.tensor("i32").scalars == (-5..<5).map(Float.init))
    let positions = try file.tensor("position_ids")
    #expect(positions.dtype == .i32 && positions.shape == [1, 77])
    #expect(positions.scalars == (0..<77).map(Float.init))
    #expect(try file.tensor("u8").scalars == [250, 251, 252, 253, 254, 255])
    #expect(try file.tensor("bool").scalars == [1, 0, 1])
    let scalar = try file.tensor("scalar")
    #expect(scalar.shape == [] && scalar.scalars == [3.5])
    #expect(try file.tensor("empty").shape == [0, 4])
  }

  @Test func writerOutputReadsBackThroughWeightSet() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("w.safetensors")
    try SafeTensorsWriter.write(["a.weight": Tensor([1, 2, 3, 4], shape: [2, 2]), "a.bias": Tensor([5, 6], shape: [2])],
                                metadata: ["k": "v"], to: path)
    let set = try WeightSet(path: path)
    #expect(set.keys == ["a.bias", "a.weight"])
    #expect(set.shape(of: "a.weight") == [2, 2] && set.dtype(of: "a.bias") == .f32)
    #expect(set.metadata == ["k": "v"])
    #expect(try set.tensor("a.weight", shape: [2, 2]).scalars == [1, 2, 3, 4])
    #expect(throws: WeightError.shapeMismatch(key: "a.weight", expected: [4], actual: [2, 2], file: path)) {
      try set.tensor("a.weight", shape: [4])
    }
    #expect(throws: WeightError.missingKey(key: "b", file: path)) { try set.tensor("b") }
  }

  @Test func duplicateKeysAcrossFilesAreRefused() throws {
    let folder = try TemporaryFolder()
    try SafeTensorsWriter.write(["x": Tensor([1], shape: [1])], metadata: [:], to: folder.file("1.safetensors"))
    try SafeTensorsWriter.write(["x": Tensor([2], shape: [1])], metadata: [:], to: folder.file("2.safetensors"))
    let files = try ["1", "2"].map { try SafeTensorsFile(path: folder.file("\($0).safetensors")) }
    #expect(throws: WeightError.self) { _ = try WeightSet(files: files) }
  }

  @Test func validationReportsEveryProblem() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("m.safetensors")
    let half = Tensor(zeros: [3], dtype: .f16)
    try SafeTensorsWriter.write(
      ["ok": Tensor(zeros: [2, 2]), "shaped": Tensor(zeros: [3, 2]), "half": half, "ids": Tensor(zeros: [3], dtype: .i32),
       "unused": Tensor(zeros: [1])],
      metadata: [:], to: path)
    let set = try WeightSet(path: path)
    let expected: [(key: String, shape: [Int])] = [
      ("ok", [2, 2]), ("shaped", [2, 3]), ("half", [3]), ("ids", [3]), ("gone", [7]),
    ]
    let problems = set.validate(expected: expected, allowedDTypes: [.f32, .f16], reportExtraKeys: true)
    #expect(problems == [
      .wrongShape(key: "shaped", expected: [2, 3], actual: [3, 2], source: path),
      .wrongDType(key: "ids", stored: "I32", allowed: [.f16, .f32], source: path),
      .missingKey(key: "gone", source: path),
      .extraKey(key: "unused", source: path),
    ])
    #expect(set.validate(expected: expected, allowedDTypes: [.f32, .f16, .i32]).count == 2, "extra keys are opt-in")
    do {
      try WeightProblem.throwIfAny(problems, folder: folder.path)
      Issue.record("expected invalidModel")
    } catch let error as WeightError {
      let text = error.description
      #expect(text.hasPrefix("\(folder.path): 4 problems: (1) tensor 'shaped'"), "\(text)")
      #expect(text.contains("missing tensor 'gone'") && text.contains("unexpected tensor 'unused'"), "\(text)")
    }
    try WeightProblem.throwIfAny([], folder: folder.path)
  }

  @Test func shardIndexErrors() throws {
    let folder = try TemporaryFolder()
    try SafeTensorsWriter.write(["a": Tensor([1], shape: [1])], metadata: [:], to: folder.file("s1.safetensors"))
    let cases: [(String, String)] = [
      ("garbage", "{not json"),
      ("nomap", #"{"metadata": {}}"#),
      ("badvalue", #"{"weight_map": {"a": 3}}"#),
      ("escape", #"{"weight_map": {"a": "../s1.safetensors"}}"#),
      ("wrongshard", #"{"weight_map": {"b": "s1.safetensors"}}"#),
    ]
    for (name, text) in cases {
      let index = try folder.write(text: text, to: "\(name).safetensors.index.json")
      guard case .malformed(let file, _)? = Self.error({ _ = try WeightSet(indexPath: index) }) else {
        Issue.record("\(name): expected malformed")
        continue
      }
      #expect(file == index)
    }
    let missingShard = try folder.write(text: #"{"weight_map": {"a": "s9.safetensors"}}"#, to: "m.index.json")
    #expect(Self.error({ _ = try WeightSet(indexPath: missingShard) }) == .fileNotFound(file: folder.file("s9.safetensors")))
    #expect(Self.error({ _ = try WeightSet(indexPath: folder.file("none.json")) }) == .fileNotFound(file: folder.file("none.json")))
  }

  static func error(_ body: () throws -> Void) -> WeightError? {
    do {
      try body()
      return nil
    } catch {
      return error as? WeightError
    }
  }
}
