// The `upscale.realesrgan` stage through the SDK's harness, and every error a user can hit.
import EaselPluginSDK
import Foundation
import TensorCore
import Testing
@testable import UpscaleStages
import WeightIO

@Test func stageUpscalesThroughTheCDescriptor() throws {
  let harness = try StageHarness(RealESRGANStage.self, parameters: [
    "model": "realesr-animevideov3-x4", "models_dir": shippedModels.path, "tile": "16",
  ])
  let outputs = try harness.run(["image": .image(try golden("photo_input"))])
  let image = try #require(outputs["image"]?.tensor)
  expectClose(image, try golden("animevideov3_x4_output"), minimumPSNR: 50, label: "stage x4 tile 16")
  #expect(outputs["image"]?.metadata["upscale_model"] == .string("realesr-animevideov3-x4"))
  #expect(harness.recordedFiles.contains { $0.hasSuffix("realesr-animevideov3-x4.bin") })
  #expect(harness.progressEvents.last?.step == harness.progressEvents.last?.total)
}

@Test func stageDescriptorListsTheStage() throws {
  let plugin = UpscaleStagesPlugin.descriptor.pointee
  #expect(plugin.stage_count == 1)
  let stage = try StageDescription(try #require(plugin.stages))
  #expect(stage.name == "upscale.realesrgan")
  #expect(stage.parameters.map(\.name) == ["model", "models_dir", "tile", "tile_overlap"])
  #expect(stage.parameters.first?.choices == RealESRGANUpscaler.modelNames)
}

@Test func cancelledStageStops() throws {
  let harness = try StageHarness(RealESRGANStage.self, parameters: [
    "model": "realesr-animevideov3-x4", "models_dir": shippedModels.path, "tile": "8",
  ])
  harness.cancelled = true
  #expect(throws: StageError.cancelled) { try harness.run(["image": .image(try golden("photo_input"))]) }
}

@Test func missingModelFilesSayHowToGetThem() throws {
  let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-models-\(UUID().uuidString)")
  #expect(throws: UpscaleError.modelFilesMissing(directory: empty.path, name: "realesrgan-x4plus")) {
    _ = try RealESRGANUpscaler(modelDirectory: empty, name: "realesrgan-x4plus")
  }
  #expect(UpscaleError.modelFilesMissing(directory: empty.path, name: "x").description.contains("scripts/setup-models.sh"))
  #expect {
    _ = try StageHarness(RealESRGANStage.self, parameters: ["models_dir": empty.path])
  } throws: { error in
    "\(error)".contains("scripts/setup-models.sh")
  }
}

@Test func wrongArchitectureIsReportedWithTheFile() throws {
  // The SRVGG graph read as an RRDBNet.
  let param = shippedModels.appendingPathComponent("realesr-animevideov3-x4.param")
  let model = try NCNNModel(paramURL: param, binURL: shippedModels.appendingPathComponent("realesr-animevideov3-x4.bin"))
  #expect {
    _ = try RRDBNet(model: model, file: param.path)
  } throws: { error in
    guard case let .architectureMismatch(file, problems)? = error as? UpscaleError else { return false }
    return file == param.path && !problems.isEmpty
  }
  // The RRDB graph read as an SRVGGNetCompact.
  let rrdbParam = resources.appendingPathComponent("tiny-rrdb.param")
  let rrdb = try NCNNModel(paramURL: rrdbParam, binURL: resources.appendingPathComponent("tiny-rrdb.bin"))
  #expect(throws: UpscaleError.self) { _ = try SRVGGNetCompact(model: rrdb, file: rrdbParam.path) }
}

@Test func unsupportedImagesAreRefused() throws {
  let upscaler = try RealESRGANUpscaler(modelDirectory: resources, name: "tiny-rrdb")
  #expect(throws: UpscaleError.unsupportedChannels(count: 5, shape: [1, 4, 4, 5])) {
    _ = try upscaler.upscale(Tensor(zeros: [1, 4, 4, 5]))
  }
  #expect(throws: UpscaleError.badTileSize(-1)) { _ = try upscaler.upscale(Tensor(zeros: [1, 4, 4, 3]), tileSize: -1) }
  // Images smaller than the 10 px pre-pad still work (the pad shrinks), down to one pixel.
  #expect(try upscaler.upscale(Tensor(repeating: 0.5, shape: [2, 1, 3, 3])).shape == [2, 4, 12, 3])
}

/// models/realesrgan at the repository root (or EASEL_MODELS_DIR), filled by scripts/setup-models.sh.
private let installedModels: URL = {
  if let custom = ProcessInfo.processInfo.environment["EASEL_MODELS_DIR"], !custom.isEmpty {
    return URL(fileURLWithPath: custom)
  }
  return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("models/realesrgan")
}()

@Test(.enabled(if: FileManager.default.fileExists(atPath: installedModels.appendingPathComponent("realesrgan-x4plus.bin").path),
               "run scripts/setup-models.sh to install the Real-ESRGAN models"))
func everyInstalledModelLoadsWithItsScale() throws {
  let expected = ["realesrgan-x4plus": (4, 16_697_987), "realesrgan-x4plus-anime": (4, 4_467_779),
                  "realesr-animevideov3-x2": (2, 621_424), "realesr-animevideov3-x3": (3, 621_424),
                  "realesr-animevideov3-x4": (4, 621_424)]
  for name in RealESRGANUpscaler.modelNames {
    let model = try NCNNModel(directory: installedModels, name: name)
    #expect(model.parameterCount == expected[name]?.1, "\(name)")
    #expect(try RealESRGANUpscaler(modelDirectory: installedModels, name: name).scale == expected[name]?.0, "\(name)")
  }
}
