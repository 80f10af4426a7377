// The plugins linked into `easel`. Each registers through its C descriptor, exactly like a plugin
// loaded from a shared object, so both take one path.
import CEaselPluginABI
import Foundation
import MediaStages
import PipelineHost
import UnCLIPStages
import UpscaleStages

enum BuiltInPlugins {
  /// Descriptors of the built-in plugins, in registration order.
  static var descriptors: [UnsafePointer<easel_plugin_descriptor>] {
    [MediaStagesPlugin.descriptor, UnCLIPStagesPlugin.descriptor, UpscaleStagesPlugin.descriptor]
  }

  /// A registry with the built-ins and every plugin on the search path. Refused plugins are
  /// reported on stderr, one line each; the rest still load.
  static func registry() throws(HostError) -> StageRegistry {
    let registry = StageRegistry()
    for descriptor in descriptors { try registry.register(descriptor, source: "built-in") }
    for problem in PluginLoader.loadAll(into: registry) {
      FileHandle.standardError.write(Data("easel: warning: \(problem)\n".utf8))
    }
    return registry
  }
}
