// A diffusers model folder as `save_pretrained` writes it: `model_index.json` naming each component
// (`"decoder": ["diffusers", "UNet2DConditionModel"]`) and one sub-folder per component.

import Foundation

/// A diffusers pipeline folder (for example kakaobrain/karlo-v1-alpha as downloaded).
public struct DiffusersFolder: Sendable {
  /// What `model_index.json` says about one component.
  public struct Entry: Sendable, Equatable {
    /// Library of the component's class (`diffusers`, `transformers`).
    public let library: String
    /// Class name (`UNet2DConditionModel`, `CLIPTextModelWithProjection`, `UnCLIPScheduler`, …).
    public let className: String
  }

  /// Path of the folder.
  public let path: String
  /// `_class_name` of the pipeline (`UnCLIPPipeline`), when present.
  public let pipelineClassName: String?
  /// `_diffusers_version` that saved the folder, when present.
  public let diffusersVersion: String?
  /// Listed components by name. Components listed as `[null, null]` (absent optional parts) are left out.
  public let entries: [String: Entry]
  /// Whether components prefer the fp16 weight variant when the folder has both.
  public let prefersFP16: Bool

  /// Reads `path/model_index.json`.
  /// - Throws: ``WeightError`` when the folder or its index is missing or malformed.
  public init(path: String, prefersFP16: Bool = false) throws {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw WeightError.fileNotFound(file: path)
    }
    let indexPath = (path as NSString).appendingPathComponent("model_index.json")
    guard isFolder.boolValue else {
      throw WeightError.invalidConfig(file: path, reason: "this is a file; pass the model folder holding model_index.json")
    }
    guard let data = FileManager.default.contents(atPath: indexPath) else {
      throw WeightError.invalidConfig(file: indexPath, reason: "the file is missing, so this is not a diffusers model folder")
    }
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw WeightError.invalidConfig(file: indexPath, reason: "not a JSON object")
    }
    var entries: [String: Entry] = [:]
    for (key, value) in root where !key.hasPrefix("_") {
      guard let pair = value as? [Any], pair.count == 2 else { continue }  // flags such as requires_safety_checker
      if pair[0] is NSNull || pair[1] is NSNull { continue }
      guard let library = pair[0] as? String, let className = pair[1] as? String else {
        throw WeightError.invalidConfig(file: indexPath, reason: "entry '\(key)' is not [library, class]")
      }
      entries[key] = Entry(library: library, className: className)
    }
    self.path = path
    self.entries = entries
    self.prefersFP16 = prefersFP16
    pipelineClassName = root["_class_name"] as? String
    diffusersVersion = root["_diffusers_version"] as? String
  }

  /// Names of the listed components, sorted.
  public var componentNames: [String] { entries.keys.sorted() }

  /// The component `name`: listed in `model_index.json` or at least present as a sub-folder.
  /// - Throws: ``WeightError/missingComponent(folder:component:)``.
  public func component(_ name: String) throws -> DiffusersComponent {
    let folder = (path as NSString).appendingPathComponent(name)
    guard !name.isEmpty, !name.contains("/") else { throw WeightError.missingComponent(folder: path, component: name) }
    do {
      return try DiffusersComponent(
        path: folder, library: entries[name]?.library, className: entries[name]?.className, prefersFP16: prefersFP16)
    } catch WeightError.missingComponent {
      throw WeightError.missingComponent(folder: path, component: name)
    }
  }

  /// Every problem with the components a pipeline needs, all at once: missing components, missing
  /// or unparsable configs, and for `models` also weights that are absent or do not open. `others`
  /// (schedulers, tokenizers) need only their folder and a config file.
  public func problems(models: [String], others: [String] = []) -> [WeightProblem] {
    var problems: [WeightProblem] = []
    for name in models + others {
      guard let component = try? component(name) else {
        problems.append(.missingComponent(name: name, folder: path))
        continue
      }
      if component.configData == nil {
        problems.append(.missingConfig(component: name, reason: "\(component.configPath) is missing"))
      } else if let error = Self.error(of: { _ = try component.configObject() }) {
        problems.append(.missingConfig(component: name, reason: error))
      }
      if models.contains(name), let error = Self.error(of: { _ = try component.weights() }) {
        problems.append(.unreadableWeights(component: name, reason: error))
      }
    }
    return problems
  }

  private static func error(of body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }
}
