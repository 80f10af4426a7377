// Every stage the host can run, from built-in descriptors and dlopen'ed plugins alike: both come in
// through `register(_:source:)`, so there is one path.
import CEaselPluginABI
import EaselPluginSDK

/// A registered stage and where it came from.
public struct RegisteredStage: Sendable {
  /// What it declares.
  public let description: StageDescription
  /// The plugin's name.
  public let pluginName: String
  /// The plugin's version.
  public let pluginVersion: String
  /// "built-in" or the shared object's path.
  public let source: String
}

/// The stages of a process, by name.
public final class StageRegistry: @unchecked Sendable {
  /// Stages by name.
  public private(set) var stages: [String: RegisteredStage] = [:]
  /// Plugins registered so far: name, version, source, stage names.
  public private(set) var plugins: [(name: String, version: String, source: String, stages: [String])] = []

  /// An empty registry.
  public init() {}

  /// Registers every stage of a plugin descriptor. Refuses a wrong ABI version, an unreadable
  /// stage or a stage name that is already taken, naming `source`.
  public func register(_ descriptor: UnsafePointer<easel_plugin_descriptor>, source: String) throws(HostError) {
    let plugin = descriptor.pointee
    let pluginName = plugin.plugin_name.map { String(cString: $0) } ?? "(unnamed)"
    guard plugin.abi_version == EASEL_PLUGIN_ABI_VERSION else {
      throw .plugin("\(source): plugin '\(pluginName)' was built for plugin ABI \(plugin.abi_version), this easel "
        + "speaks \(EASEL_PLUGIN_ABI_VERSION); rebuild the plugin against this Easel's EaselPluginSDK or remove it")
    }
    let version = plugin.plugin_version.map { String(cString: $0) } ?? ""
    var found: [RegisteredStage] = []
    for index in 0..<Int(max(plugin.stage_count, 0)) {
      guard let stages = plugin.stages else { break }
      let description: StageDescription
      do { description = try StageDescription(stages + index) } catch {
        throw .plugin("\(source): plugin '\(pluginName)': \(error); rebuild the plugin against this Easel or remove it")
      }
      if let existing = owner(of: description.name, among: found) {
        throw .plugin("\(source): stage '\(description.name)' is already provided by \(existing); "
          + "rename one of them or remove one plugin")
      }
      found.append(RegisteredStage(description: description, pluginName: pluginName, pluginVersion: version, source: source))
    }
    for stage in found { self.stages[stage.description.name] = stage }
    plugins.append((pluginName, version, source, found.map(\.description.name)))
  }

  private func owner(of name: String, among pending: [RegisteredStage]) -> String? {
    if let existing = stages[name] { return "plugin '\(existing.pluginName)' (\(existing.source))" }
    if pending.contains(where: { $0.description.name == name }) { return "the same plugin" }
    return nil
  }

  /// The stage called `name`.
  public subscript(name: String) -> RegisteredStage? { stages[name] }
}
