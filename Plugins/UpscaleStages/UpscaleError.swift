// The one error type of the upscale stages.
import Foundation

/// Everything a user can get wrong when upscaling. Every message is one line ending with what to do.
public enum UpscaleError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// The model's `.param` or `.bin` file is not in the models folder.
  case modelFilesMissing(directory: String, name: String)
  /// The files are valid ncnn but not the architecture the name promises.
  case architectureMismatch(file: String, problems: [String])
  /// The image has a channel count other than 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).
  case unsupportedChannels(count: Int, shape: [Int])
  /// The tile size is negative.
  case badTileSize(Int)

  public var description: String {
    switch self {
    case let .modelFilesMissing(directory, name):
      return "model files \(name).param/\(name).bin are not in \(directory); run scripts/setup-models.sh "
        + "(or set EASEL_MODELS_DIR / the models_dir parameter to the folder holding them)"
    case let .architectureMismatch(file, problems):
      return "\(file) is not the expected Real-ESRGAN graph: \(problems.prefix(5).joined(separator: "; "))"
        + (problems.count > 5 ? " (+\(problems.count - 5) more)" : "") + "; re-run scripts/setup-models.sh"
    case let .unsupportedChannels(count, shape):
      return "image \(shape) has \(count) channels; upscaling takes 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels, so convert the image first"
    case let .badTileSize(size):
      return "tile size \(size) is negative; use 0 (no tiling) or a size such as 256"
    }
  }

  public var errorDescription: String? { description }
}
