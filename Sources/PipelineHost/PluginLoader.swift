// Finds plugin shared objects on the search path, loads each once (never unloads: Swift code cannot
// be dlclose'd) and registers its descriptor.
import CEaselPluginABI
import Foundation

/// Loads `*.so` plugins into a registry.
public enum PluginLoader {
  /// The folders searched, in order: `<exe dir>/plugins`, the executable's own folder, each folder
  /// of `EASEL_PLUGIN_PATH` (colon separated), `~/.local/lib/easel/plugins`.
  public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    var folders: [String] = []
    if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      let folder = (executable as NSString).deletingLastPathComponent
      folders += [folder + "/plugins", folder]
    }
    if let path = environment["EASEL_PLUGIN_PATH"] {
      folders += path.split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }
    if let home = environment["HOME"] { folders.append(home + "/.local/lib/easel/plugins") }
    var seen = Set<String>()
    return folders.filter { seen.insert($0).inserted }
  }

  /// The `*.so` files in `folders`, each folder's files sorted by name.
  public static func candidates(in folders: [String]) -> [String] {
    folders.flatMap { folder -> [String] in
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      return names.filter { $0.hasSuffix(".so") }.sorted().map { folder + "/" + $0 }
    }
  }

  /// Loads every plugin on the search path into `registry`; returns one message per plugin that
  /// was refused (the others still load).
  public static func loadAll(into registry: StageRegistry, folders: [String] = searchPath()) -> [String] {
    var problems: [String] = []
    for path in candidates(in: folders) {
      do { try load(path, into: registry) } catch { problems.append(error.description) }
    }
    return problems
  }

  nonisolated(unsafe) private static var loaded = Set<String>()
  private static let lock = NSLock()

  /// Loads one shared object and registers its stages; a path already loaded is skipped.
  public static func load(_ path: String, into registry: StageRegistry) throws(HostError) {
    let resolved = (path as NSString).resolvingSymlinksInPath
    lock.lock()
    let isNew = loaded.insert(resolved).inserted
    lock.unlock()
    guard isNew else { return }
    guard let handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL) else {
      let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
      throw .plugin("\(path): cannot load plugin (\(reason)); rebuild it for this system or remove it from the plugin path")
    }
    guard let symbol = dlsym(handle, EASEL_PLUGIN_ENTRY_SYMBOL) else {
      throw .plugin("\(path): not an Easel plugin (no \(EASEL_PLUGIN_ENTRY_SYMBOL) symbol); "
        + "export it with @_cdecl(\"\(EASEL_PLUGIN_ENTRY_SYMBOL)\") or remove the file from the plugin path")
    }
    let entry = unsafeBitCast(symbol, to: easel_plugin_entry_fn.self)
    guard let descriptor = entry() else {
      throw .plugin("\(path): \(EASEL_PLUGIN_ENTRY_SYMBOL) returned no descriptor; fix the plugin or remove it")
    }
    try registry.register(descriptor, source: path)
  }
}
