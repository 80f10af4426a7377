// The ncnn reader on small hand-written files (every error path) and, when installed, the real
// Real-ESRGAN x4plus model (scripts/setup-models.sh).
import Foundation
import Testing
import TensorCore
@testable import WeightIO

/// A conv (fp16 weights, bias, fused leaky ReLU), a PReLU and a weightless eltwise.
private let tinyParam = """
  7767517
  4 4
  Input            data     0 1 in
  Convolution      Conv_0   1 1 in c0 0=2 1=1 4=0 5=1 6=6 9=2 -23310=1,2.000000e-01
  PReLU            PRelu_1  1 1 c0 p1 0=2
  Eltwise          Add_2    2 1 p1 c0 out 0=1 -23301=2,2.000000e-01,1.000000e+00

  """

private func tinyBin(fp16: Bool = true) -> Data {
  var data = Data()
  func append<T>(_ value: T) { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
  let weights: [Float] = [0.5, -1, 2, 0.25, 3, -0.125]
  if fp16 {
    append(UInt32(0x0130_6B47))
    for value in weights { append(Float16(value)) }  // 12 bytes: already a multiple of 4
  } else {
    append(UInt32(0))
    for value in weights { append(value) }
  }
  for value: Float in [0.1, -0.2] { append(value) }  // bias
  for value: Float in [0.3, 0.4] { append(value) }  // PReLU slopes
  return data
}

private func writeModel(param: String, bin: Data, name: String = "tiny") throws -> URL {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ncnn-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  try param.write(to: directory.appendingPathComponent(name + ".param"), atomically: true, encoding: .utf8)
  try bin.write(to: directory.appendingPathComponent(name + ".bin"))
  return directory
}

private func loadError(param: String, bin: Data) throws -> NCNNError? {
  let directory = try writeModel(param: param, bin: bin)
  defer { try? FileManager.default.removeItem(at: directory) }
  do {
    _ = try NCNNModel(directory: directory, name: "tiny")
    return nil
  } catch let error as NCNNError {
    return error
  }
}

@Test func readsTinyModelWithFP16Weights() throws {
  let directory = try writeModel(param: tinyParam, bin: tinyBin())
  defer { try? FileManager.default.removeItem(at: directory) }
  let model = try NCNNModel(directory: directory, name: "tiny")
  #expect(model.graph.layers.count == 4)
  #expect(model.graph.blobCount == 4)
  #expect(model.tensorCount == 3)
  #expect(model.parameterCount == 10)
  let conv = try #require(model.graph.layer(named: "Conv_0"))
  #expect(conv.int(0) == 2 && conv.int(9) == 2 && conv.int(11, default: conv.int(1)) == 1)
  #expect(conv.array(10) == [0.2])
  let add = try #require(model.graph.layer(named: "Add_2"))
  #expect(add.array(1) == [0.2, 1])
  #expect(add.bottoms == ["p1", "c0"] && add.tops == ["out"])
  let tensors = model.tensors(of: "Conv_0")
  #expect(tensors.count == 2)
  #expect(tensors[0].shape == [2, 3, 1, 1])
  #expect(tensors[0].scalars == [0.5, -1, 2, 0.25, 3, -0.125])
  #expect(tensors[1].scalars == [0.1, -0.2])
  #expect(model.tensors(of: "PRelu_1").first?.scalars == [0.3, 0.4])
}

@Test func readsFP32TaggedWeights() throws {
  let directory = try writeModel(param: tinyParam, bin: tinyBin(fp16: false))
  defer { try? FileManager.default.removeItem(at: directory) }
  let model = try NCNNModel(directory: directory, name: "tiny")
  #expect(model.tensors(of: "Conv_0")[0].scalars == [0.5, -1, 2, 0.25, 3, -0.125])
}

@Test func truncatedBinIsRefused() throws {
  let error = try loadError(param: tinyParam, bin: tinyBin().dropLast(3))
  guard case let .truncated(file, layer, needed, available)? = error else {
    Issue.record("expected .truncated, got \(String(describing: error))"); return
  }
  #expect(file.hasSuffix("tiny.bin") && layer == "PRelu_1" && needed == 8 && available == 5)
  #expect(error?.description.contains("setup-models.sh") == true)
}

@Test func leftoverBytesAreRefused() throws {
  let error = try loadError(param: tinyParam, bin: tinyBin() + Data([1, 2, 3, 4]))
  #expect(error == .trailingBytes(file: error.map(fileOf) ?? "", count: 4))
}

@Test func garbageParamIsRefused() throws {
  let error = try loadError(param: "\u{89}PNG garbage\n1 2\n", bin: Data())
  guard case .badMagic? = error else { Issue.record("expected .badMagic, got \(String(describing: error))"); return }
  #expect(error?.description.contains("tiny.param") == true)
}

@Test func wrongLayerCountIsRefused() throws {
  let param = tinyParam.replacingOccurrences(of: "4 4", with: "5 4")
  let error = try loadError(param: param, bin: tinyBin())
  #expect(error == .layerCountMismatch(file: error.map(fileOf) ?? "", declared: 5, found: 4))
}

@Test func wrongBlobCountIsRefused() throws {
  let param = tinyParam.replacingOccurrences(of: "4 4", with: "4 5")
  let error = try loadError(param: param, bin: tinyBin())
  #expect(error == .blobCountMismatch(file: error.map(fileOf) ?? "", declared: 5, found: 4))
}

@Test func unknownBlobIsRefused() throws {
  let param = tinyParam.replacingOccurrences(of: "1 1 c0 p1", with: "1 1 nowhere p1")
  let error = try loadError(param: param, bin: tinyBin())
  #expect(error == .unknownBlob(file: error.map(fileOf) ?? "", line: 5, blob: "nowhere"))
}

@Test func malformedParametersAreRefused() throws {
  for broken in ["0=2 1=x", "-23310=3,1,2", "0=2 junk"] {
    let param = tinyParam.replacingOccurrences(of: "0=2 1=1", with: broken)
    let error = try loadError(param: param, bin: tinyBin())
    guard case let .malformedLine(_, line, _)? = error else {
      Issue.record("'\(broken)': expected .malformedLine, got \(String(describing: error))"); continue
    }
    #expect(line == 4)
  }
}

@Test func unsupportedLayerIsRefused() throws {
  let param = tinyParam.replacingOccurrences(of: "PReLU            PRelu_1", with: "LSTM PRelu_1")
  let error = try loadError(param: param, bin: tinyBin())
  guard case let .unsupportedLayer(_, line, type)? = error else {
    Issue.record("expected .unsupportedLayer, got \(String(describing: error))"); return
  }
  #expect(line == 5 && type == "LSTM")
}

@Test func quantisedWeightsAreRefused() throws {
  var bin = tinyBin()
  bin.replaceSubrange(0..<4, with: [0x38, 0x4B, 0x0D, 0x00])
  let error = try loadError(param: tinyParam, bin: bin)
  #expect(error == .unsupportedWeightTag(file: error.map(fileOf) ?? "", layer: "Conv_0", tag: 0x000D_4B38))
}

@Test func missingFileNamesTheFix() throws {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ncnn-missing-\(UUID().uuidString)")
  #expect {
    _ = try NCNNModel(directory: directory, name: "nothing")
  } throws: { error in
    guard let error = error as? NCNNError, case .unreadable = error else { return false }
    return error.description.contains("nothing.param") && error.description.contains("setup-models.sh")
  }
}

private func fileOf(_ error: NCNNError) -> String {
  switch error {
  case let .unreadable(file, _), let .badMagic(file, _), let .malformedLine(file, _, _),
       let .layerCountMismatch(file, _, _), let .blobCountMismatch(file, _, _), let .unknownBlob(file, _, _),
       let .unsupportedLayer(file, _, _), let .unsupportedWeightTag(file, _, _), let .truncated(file, _, _, _),
       let .trailingBytes(file, _):
    return file
  }
}

/// The installed models folder (`EASEL_MODELS_DIR`, else `models/realesrgan` at the repository root).
private let installedModels: URL = {
  if let custom = ProcessInfo.processInfo.environment["EASEL_MODELS_DIR"], !custom.isEmpty {
    return URL(fileURLWithPath: custom)
  }
  return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("models/realesrgan")
}()

private let x4plusInstalled = FileManager.default.fileExists(
  atPath: installedModels.appendingPathComponent("realesrgan-x4plus.bin").path)

@Test(.enabled(if: x4plusInstalled, "run scripts/setup-models.sh to install the Real-ESRGAN models"))
func readsEveryByteOfRealESRGANx4plus() throws {
  let model = try NCNNModel(directory: installedModels, name: "realesrgan-x4plus")
  #expect(model.tensorCount == 702)
  #expect(model.parameterCount == 16_697_987)
  #expect(model.graph.layers.count == 999)
  #expect(model.tensors(of: "Conv_0")[0].shape == [64, 3, 3, 3])
}
