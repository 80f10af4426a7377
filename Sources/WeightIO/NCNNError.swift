// Errors of the ncnn `.param` / `.bin` reader. Kept apart from `WeightError` (owned by the
// safetensors reader) so the two readers can change independently.
import Foundation

/// Something wrong with an ncnn model file pair. Every message names the file and ends with what to do.
public enum NCNNError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
  /// The file could not be opened or read.
  case unreadable(file: String, reason: String)
  /// The first line of the `.param` file is not the ncnn magic number 7767517.
  case badMagic(file: String, found: String)
  /// A line of the `.param` file could not be parsed.
  case malformedLine(file: String, line: Int, reason: String)
  /// The header's layer count differs from the number of layer lines.
  case layerCountMismatch(file: String, declared: Int, found: Int)
  /// The header's blob count differs from the number of distinct blobs the layers produce.
  case blobCountMismatch(file: String, declared: Int, found: Int)
  /// A layer consumes a blob no earlier layer produced.
  case unknownBlob(file: String, line: Int, blob: String)
  /// A layer type this reader does not know how to read weights for.
  case unsupportedLayer(file: String, line: Int, type: String)
  /// A weight block starts with a storage tag this reader does not support (quantised formats).
  case unsupportedWeightTag(file: String, layer: String, tag: UInt32)
  /// The `.bin` file ends before every layer's weights were read.
  case truncated(file: String, layer: String, needed: Int, available: Int)
  /// The `.bin` file has bytes left over after the last layer's weights.
  case trailingBytes(file: String, count: Int)

  public var description: String {
    let fix = "re-run scripts/setup-models.sh, or check that the .param and .bin belong together"
    switch self {
    case let .unreadable(file, reason):
      return "\(file): cannot read (\(reason)); run scripts/setup-models.sh or set EASEL_MODELS_DIR to the folder holding the model"
    case let .badMagic(file, found):
      return "\(file): not an ncnn .param file (first line is '\(found)', expected 7767517); \(fix)"
    case let .malformedLine(file, line, reason):
      return "\(file):\(line): \(reason); \(fix)"
    case let .layerCountMismatch(file, declared, found):
      return "\(file): header declares \(declared) layers but the file has \(found); \(fix)"
    case let .blobCountMismatch(file, declared, found):
      return "\(file): header declares \(declared) blobs but the layers produce \(found); \(fix)"
    case let .unknownBlob(file, line, blob):
      return "\(file):\(line): input blob '\(blob)' is produced by no earlier layer; \(fix)"
    case let .unsupportedLayer(file, line, type):
      return "\(file):\(line): layer type '\(type)' is not supported by Easel's ncnn reader; use a Real-ESRGAN model from scripts/setup-models.sh"
    case let .unsupportedWeightTag(file, layer, tag):
      return "\(file): layer \(layer) stores weights with tag 0x\(String(tag, radix: 16)) (quantised); only fp32 and fp16 weights are supported, so use an unquantised model"
    case let .truncated(file, layer, needed, available):
      return "\(file): truncated at layer \(layer) (needs \(needed) more bytes, \(available) left); \(fix)"
    case let .trailingBytes(file, count):
      return "\(file): \(count) bytes left over after the last layer's weights; \(fix)"
    }
  }

  public var errorDescription: String? { description }
}
