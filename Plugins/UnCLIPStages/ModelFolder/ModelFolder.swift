// A diffusers model folder (model_index.json + one sub-folder per component) as Karlo ships it:
// finds each component's config.json and weight file (fp32 or fp16 variant) and collects every
// problem of every component before anything runs.
import Foundation
import WeightIO

/// A diffusers-layout unCLIP model folder on disk.
public struct ModelFolder: Sendable {
  /// The folder.
  public let url: URL
  /// Which weight file variant to prefer: nil for `diffusion_pytorch_model.safetensors` /
  /// `model.safetensors`, "fp16" for `*.fp16.safetensors`. The other is taken when the preferred one
  /// is absent.
  public let variant: String?

  /// Opens `path`; throws when it is not a directory.
  public init(path: String, variant: String? = nil) throws(UnCLIPError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw UnCLIPError.folderNotFound(path: path)
    }
    url = URL(fileURLWithPath: path, isDirectory: true)
    self.variant = variant
  }

  /// The sub-folder of `component`.
  public func componentURL(_ component: String) -> URL { url.appendingPathComponent(component, isDirectory: true) }

  /// Whether `component/` exists.
  public func has(_ component: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: componentURL(component).path, isDirectory: &isDirectory)
      && isDirectory.boolValue
  }

  /// Decodes `component/file` (config.json or scheduler_config.json), or records why it cannot.
  public func config<Config: Decodable>(_ type: Config.Type, component: String, file: String = "config.json",
                                        problems: inout [String]) -> Config? {
    let path = componentURL(component).appendingPathComponent(file).path
    guard has(component) else {
      problems.append("\(component): component folder is missing")
      return nil
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      problems.append("\(component): \(file) is missing")
      return nil
    }
    do {
      return try JSONDecoder().decode(Config.self, from: data)
    } catch {
      problems.append("\(component): \(file) does not decode (\(Self.describe(error)))")
      return nil
    }
  }

  /// A reader over the component's weight file, or a reader that reports the file as missing.
  public func weights(_ component: String, problems: inout [String]) -> WeightReader {
    let folder = componentURL(component)
    let stems = ["diffusion_pytorch_model", "model"]
    let preferred = variant.map { v in stems.map { "\($0).\(v).safetensors" } } ?? []
    let plain = stems.map { "\($0).safetensors" }
    let others: [String] = variant == "fp16" ? [] : stems.map { "\($0).fp16.safetensors" }
    let candidates = preferred + plain + others
    for name in candidates {
      let path = folder.appendingPathComponent(name).path
      guard FileManager.default.fileExists(atPath: path) else { continue }
      do {
        return WeightReader(file: try SafeTensorsFile(path: path), component: component)
      } catch {
        problems.append("\(component): \(error)")
        return WeightReader(file: nil, component: component)
      }
    }
    if has(component) {
      problems.append("\(component): no weight file (looked for \(candidates.joined(separator: ", ")))")
    }
    return WeightReader(file: nil, component: component)
  }

  private static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted(let context): return context.debugDescription
    default: return "\(error)"
    }
  }
}
