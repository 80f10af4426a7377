// Reading and writing safetensors: round trips in every dtype, and every broken file a user can hand us.

import Foundation
import TensorCore
import Testing
@testable import WeightIO

@Suite struct SafeTensorsFileTests {
  @Test func roundTripsEveryDTypeAndMetadata() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("model.safetensors")
    let floats = Tensor([1, -2.5, 3.25, 0, 7, 1e-3], shape: [2, 3])
    let half = Tensor(zeros: [3], dtype: .f16)
    let halfPointer = half.rawPointer.assumingMemoryBound(to: Float16.self)
    for (index, value) in [0.5, -1, 65504].enumerated() { halfPointer[index] = Float16(value) }
    let brain = Tensor(zeros: [2], dtype: .bf16)
    let brainPointer = brain.rawPointer.assumingMemoryBound(to: UInt16.self)
    brainPointer[0] = floatToBFloat16(3.0)
    brainPointer[1] = floatToBFloat16(-0.125)
    let ints = Tensor(zeros: [2, 2], dtype: .i32)
    let intPointer = ints.rawPointer.assumingMemoryBound(to: Int32.self)
    for index in 0..<4 { intPointer[index] = Int32(index * 1000 - 1500) }
    let bytes = Tensor(zeros: [5], dtype: .u8)
    for index in 0..<5 { bytes.rawPointer.storeBytes(of: UInt8(250 + index), toByteOffset: index, as: UInt8.self) }
    let empty = Tensor(zeros: [0, 4])

    try SafeTensorsWriter.write(
      ["w.floats": floats, "w.half": half, "w.bf16": brain, "ids": ints, "bytes": bytes, "empty": empty],
      metadata: ["format": "pt", "note": "ünïcode"], to: path)
    let file = try SafeTensorsFile(path: path)

    #expect(file.tensorNames == ["bytes", "empty", "ids", "w.bf16", "w.floats", "w.half"])
    #expect(file.metadata == ["format": "pt", "note": "ünïcode"])
    #expect(file.contains("ids") && !file.contains("nope"))
    #expect(file.info("w.half")?.storedDType == .f16)
    #expect(file.info("w.floats")?.shape == [2, 3])
    let readFloats = try file.tensor("w.floats")
    #expect(readFloats.dtype == .f32 && readFloats.shape == [2, 3])
    #expect(readFloats.scalars == floats.scalars)
    #expect(readFloats.storage.owner != nil, "f32 tensors are views of the mapping")
    let readHalf = try file.tensor("w.half")
    #expect(readHalf.dtype == .f16, "f16 stays f16")
    #expect(readHalf.scalars == [0.5, -1, 65504])
    let readBrain = try file.tensor("w.bf16")
    #expect(readBrain.dtype == .bf16 && readBrain.scalars == [3.0, -0.125])
    #expect(try file.tensor("ids").scalars == [-1500, -500, 500, 1500])
    #expect(try file.tensor("bytes").scalars == [250, 251, 252, 253, 254])
    #expect(try file.tensor("empty").shape == [0, 4])
  }

  @Test func tensorsOutliveTheFileObject() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("a.safetensors")
    try SafeTensorsWriter.write(["x": Tensor([4, 5, 6], shape: [3])], metadata: [:], to: path)
    var tensor: Tensor?
    do { tensor = try SafeTensorsFile(path: path).tensor("x") }
    #expect(tensor?.scalars == [4, 5, 6])
  }

  @Test func releasedPagesOfAMappedTensorReadTheFileAgain() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("conv.safetensors")
    let values = (0..<40_000).map { Float($0 % 977) * 0.25 - 100 }  // 160 KB: whole pages inside it
    try SafeTensorsWriter.write(["w": Tensor(values, shape: [100, 400])], metadata: [:], to: path)
    let tensor = try SafeTensorsFile(path: path).tensor("w")
    #expect(tensor.storage.pagesReloadable, "a mapped tensor's pages can be given back")
    let laidOut = ConvWeights(tensor.reshaped([100, 400, 1, 1]), releasingSource: true)
    #expect(tensor.scalars == values, "released pages are read from the file again")
    let x = Tensor(values.prefix(400 * 4).map { $0 * 0.01 }, shape: [1, 400, 2, 2])
    #expect(conv2d(x, weights: laidOut, bias: nil).scalars == conv2d(x, weight: tensor.reshaped([100, 400, 1, 1]), bias: nil).scalars)
    #expect(!Tensor(values, shape: [100, 400]).storage.pagesReloadable, "allocated memory is never given back")
  }

  @Test func missingKeyNamesKeyAndFile() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("a.safetensors")
    try SafeTensorsWriter.write(["x": Tensor([1], shape: [1])], metadata: [:], to: path)
    let file = try SafeTensorsFile(path: path)
    #expect(throws: WeightError.missingKey(key: "y", file: path)) { try file.tensor("y") }
    #expect(file.info("y") == nil)
  }

  @Test func readsHeaderWrittenByOtherTools() throws {
    // Unpadded header and an I64 tensor, as torch's safetensors writes position ids; offsets start at
    // an odd position so the f32 tensor is not 4-byte aligned and must be copied.
    let folder = try TemporaryFolder()
    var data: [UInt8] = []
    for value: Int64 in [0, 1, 76] { withUnsafeBytes(of: value.littleEndian) { data += $0 } }
    for value: Float in [1.5, -2] { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
    let header = #"{"pos":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},"#
      + #""w":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},"__metadata__":{"format":"pt"}}"#
    let json = Array(header.utf8)
    var bytes: [UInt8] = []
    for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * UInt64(index)))) }
    let path = try folder.write(bytes + json + data, to: "odd.safetensors")
    let file = try SafeTensorsFile(path: path)
    let positions = try file.tensor("pos")
    #expect(positions.dtype == .i32 && positions.scalars == [0, 1, 76])
    #expect(file.info("pos")?.dtype == .i32)
    #expect(try file.tensor("w").scalars == [1.5, -2])
  }

  @Test func writerReplacesExistingFileAtomically() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("w.safetensors")
    try SafeTensorsWriter.write(["a": Tensor([1], shape: [1])], metadata: [:], to: path)
    let first = try SafeTensorsFile(path: path)
    let kept = try first.tensor("a")
    try SafeTensorsWriter.write(["b": Tensor([2, 3], shape: [2])], metadata: [:], to: path)
    #expect(try SafeTensorsFile(path: path).tensorNames == ["b"])
    #expect(kept.scalars == [1], "the old mapping survives the rename")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    #expect(leftovers == ["w.safetensors"])
  }

  @Test func writerReportsUnwritableTarget() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("no/such/folder/w.safetensors")
    #expect(throws: WeightError.self) {
      try SafeTensorsWriter.write(["a": Tensor([1], shape: [1])], metadata: [:], to: path)
    }
  }
}
