// The entry point easel looks for with dlsym.
import CEaselPluginABI
import EaselPluginSDK

/// This plugin's descriptor.
public enum HelloPlugin {
  nonisolated(unsafe) public static let descriptor: UnsafePointer<easel_plugin_descriptor> =
    PluginExport.descriptor(name: "hello", version: "1.0.0", stages: [Invert.self])
}

/// Returns the plugin descriptor (`easel_plugin_entry_fn`).
@_cdecl("easel_plugin_entry")
public func easelPluginEntry() -> UnsafeRawPointer {
  UnsafeRawPointer(HelloPlugin.descriptor)
}
