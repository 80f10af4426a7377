// One component folder of a diffusers model (`unet/`, `text_encoder/`, `scheduler/`, …): its config
// JSON, read with the reference's own keys, and its weights in whichever safetensors layout the
// folder uses (single file, fp16 variant, or shards with an index).

import Foundation

/// A component folder of a diffusers model.
public struct DiffusersComponent: Sendable {
  /// Config file names a component may carry, in the order they are looked for.
  public static let configFileNames = ["config.json", "scheduler_config.json", "preprocessor_config.json",
                                       "tokenizer_config.json"]
  /// Weight file base names, in diffusers' order (diffusers models first, transformers models second).
  public static let weightBaseNames = ["diffusion_pytorch_model", "model"]

  /// Component name (the folder name).
  public let name: String
  /// Path of the component folder.
  public let path: String
  /// Library named in `model_index.json` (`diffusers`, `transformers`), when listed there.
  public let library: String?
  /// Class named in `model_index.json` (`UNet2DConditionModel`, …), when listed there.
  public let className: String?
  /// Whether ``weights()`` tries the `fp16` variant before the full-precision files.
  public let prefersFP16: Bool
  /// The raw bytes of the component's config file, when it has one.
  public let configData: Data?
  /// The path of that config file (or of the first one looked for, when there is none).
  public let configPath: String

  /// Opens the component folder at `path`.
  /// - Throws: ``WeightError/missingComponent(folder:component:)`` when the folder does not exist.
  public init(path: String, library: String? = nil, className: String? = nil, prefersFP16: Bool = false) throws {
    var isFolder: ObjCBool = false
    let name = (path as NSString).lastPathComponent
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
      throw WeightError.missingComponent(folder: (path as NSString).deletingLastPathComponent, component: name)
    }
    self.name = name
    self.path = path
    self.library = library
    self.className = className
    self.prefersFP16 = prefersFP16
    let candidates = Self.configFileNames.map { (path as NSString).appendingPathComponent($0) }
    let found = candidates.first { FileManager.default.fileExists(atPath: $0) }
    configPath = found ?? candidates[0]
    configData = found.flatMap { FileManager.default.contents(atPath: $0) }
  }

  /// The path of `fileName` inside the component folder (tokenizer files and the like).
  public func file(_ fileName: String) -> String { (path as NSString).appendingPathComponent(fileName) }

  /// The config decoded as `type` (a `Codable` struct whose keys are the reference's config keys).
  /// - Throws: ``WeightError/invalidConfig(file:reason:)`` naming the key that failed.
  public func decodeConfig<Config: Decodable>(_ type: Config.Type) throws -> Config {
    guard let configData else { throw WeightError.invalidConfig(file: configPath, reason: "the file is missing") }
    do {
      return try JSONDecoder().decode(type, from: configData)
    } catch let error as DecodingError {
      throw WeightError.invalidConfig(file: configPath, reason: Self.explain(error))
    } catch {
      throw WeightError.invalidConfig(file: configPath, reason: "\(error)")
    }
  }

  /// The config as a JSON object (`[String: Any]`), for keys no struct declares.
  public func configObject() throws -> [String: Any] {
    guard let configData else { throw WeightError.invalidConfig(file: configPath, reason: "the file is missing") }
    guard let object = (try? JSONSerialization.jsonObject(with: configData)) as? [String: Any] else {
      throw WeightError.invalidConfig(file: configPath, reason: "not a JSON object")
    }
    return object
  }

  /// The weight files this component would load, in the order they are tried.
  public var weightCandidates: [String] {
    let plain = Self.weightBaseNames.flatMap { ["\($0).safetensors", "\($0).safetensors.index.json"] }
    let half = Self.weightBaseNames.flatMap { ["\($0).fp16.safetensors", "\($0).safetensors.index.fp16.json"] }
    return prefersFP16 ? half + plain : plain + half
  }

  /// The component's weights: the first of ``weightCandidates`` that exists (index files open every shard).
  /// - Throws: ``WeightError/missingWeights(folder:candidates:)`` when none exists, or the file's own error.
  public func weights() throws -> WeightSet {
    for candidate in weightCandidates {
      let candidatePath = file(candidate)
      guard FileManager.default.fileExists(atPath: candidatePath) else { continue }
      if candidate.hasSuffix(".json") { return try WeightSet(indexPath: candidatePath) }
      return try WeightSet(path: candidatePath)
    }
    throw WeightError.missingWeights(folder: path, candidates: weightCandidates)
  }

  /// A one-line account of a decoding failure: which key, and what was wrong with it.
  static func explain(_ error: DecodingError) -> String {
    func keyPath(_ codingPath: [any CodingKey]) -> String {
      codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
      let parent = keyPath(context.codingPath)
      return "key '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)' is missing"
    case .typeMismatch(let type, let context):
      return "key '\(keyPath(context.codingPath))' is not a \(type)"
    case .valueNotFound(let type, let context):
      return "key '\(keyPath(context.codingPath))' is null, expected a \(type)"
    case .dataCorrupted(let context):
      let location = keyPath(context.codingPath)
      return location.isEmpty ? "not valid JSON" : "key '\(location)': \(context.debugDescription)"
    @unknown default:
      return "\(error)"
    }
  }
}
