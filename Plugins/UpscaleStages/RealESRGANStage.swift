// The `upscale.realesrgan` stage: images in, images ×2/×3/×4 out, through ``RealESRGANUpscaler``.
import EaselPluginSDK
import Foundation
import TensorCore

/// Upscales images with a Real-ESRGAN model read from ncnn files.
public struct RealESRGANStage: Stage {
  public static let name = "upscale.realesrgan"
  public static let version = "1"
  public static let summary = "Real-ESRGAN super-resolution (×4 photo/anime, ×2/×3/×4 anime video), tiled"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images, C = 1…4")]
  public static let outputs = [PortSpec("image", .image, shape: "[N,sH,sW,C]", description: "upscaled images")]
  public static let parameters: [ParamSpec] = [
    .choice("model", RealESRGANUpscaler.modelNames, default: "realesrgan-x4plus",
            description: "which Real-ESRGAN network (x4plus for photos)"),
    .path("models_dir", default: defaultModelsDirectory,
          description: "folder with <model>.param/.bin (EASEL_MODELS_DIR, else models/realesrgan; scripts/setup-models.sh fills it)"),
    .int("tile", default: RealESRGANUpscaler.defaultTileSize, range: 0...8192,
         description: "input tile side in pixels, 0 = whole image (more memory)"),
    .int("tile_overlap", default: RealESRGANUpscaler.defaultTileOverlap, range: 0...512,
         description: "context pixels each tile sees beyond its core"),
  ]

  /// `EASEL_MODELS_DIR` when set, else `models/realesrgan`, both taken from the working directory
  /// (absolute, because the host resolves relative paths against the pipeline file's folder).
  public static var defaultModelsDirectory: String {
    let folder = ProcessInfo.processInfo.environment["EASEL_MODELS_DIR"].flatMap { $0.isEmpty ? nil : $0 }
    let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    return URL(fileURLWithPath: folder ?? "models/realesrgan", relativeTo: base).standardizedFileURL.path
  }

  private let upscaler: RealESRGANUpscaler
  private let tile: Int
  private let overlap: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    let name = try parameters.string("model")
    let directory = URL(fileURLWithPath: try parameters.string("models_dir"))
    do {
      upscaler = try RealESRGANUpscaler(modelDirectory: directory, name: name)
    } catch UpscaleError.modelFilesMissing(let folder, let model) {
      throw StageError.fileNotFound(
        path: URL(fileURLWithPath: folder).appendingPathComponent(model + ".param").path,
        hint: "run scripts/setup-models.sh (or point EASEL_MODELS_DIR / models_dir at the folder holding \(model).param and .bin)")
    }
    tile = try parameters.int("tile")
    overlap = try parameters.int("tile_overlap")
    context.recordFile(directory.appendingPathComponent(name + ".param").path)
    context.recordFile(directory.appendingPathComponent(name + ".bin").path)
  }

  public mutating func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let image = try inputs.tensor("image")
    var metadata = inputs["image"]?.metadata ?? [:]
    metadata["upscale_model"] = .string(upscaler.name)
    let output = try upscaler.upscale(image, tileSize: tile, tileOverlap: overlap) { fraction in
      try context.checkCancellation()
      context.progress(step: Int((fraction * 1000).rounded()), total: 1000, message: "upscaling")
    }
    return StageOutputs(["image": .image(output, metadata: metadata)])
  }
}

/// The plugin that carries the upscale stages; linked into `easel` and registered through the same
/// C descriptor a dlopen'ed plugin exports.
public enum UpscaleStagesPlugin {
  /// The C descriptor of this plugin.
  nonisolated(unsafe) public static let descriptor = PluginExport.descriptor(
    name: "upscale", version: "1.0", stages: [RealESRGANStage.self])
}
