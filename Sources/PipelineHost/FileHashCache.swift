// SHA-256 of model files, remembered by path, size and modification time in
// ~/.cache/easel/sha256.json (or $XDG_CACHE_HOME/easel), so gigabytes of weights are hashed once,
// not on every run. The cache never affects output bytes: only how fast the hash is found.
import EaselPluginSDK
import Foundation

enum FileHashCache {
  private static let lock = NSLock()

  static var cacheFile: String? {
    let environment = ProcessInfo.processInfo.environment
    if let folder = environment["XDG_CACHE_HOME"], !folder.isEmpty { return folder + "/easel/sha256.json" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/easel/sha256.json" }
    return nil
  }

  /// The file's SHA-256, from the cache when its size and modification time are unchanged.
  static func sha256(ofFile path: String) throws(HostError) -> String {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: absolute),
          let size = (attributes[.size] as? NSNumber)?.int64Value,
          let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970
    else { throw .missingFile(path: path, what: "file") }
    let stamp = "\(size)@\(modified)"
    lock.lock()
    defer { lock.unlock() }
    var entries = load()
    if case .object(let entry)? = entries[absolute], entry["stamp"]?.string == stamp, let hash = entry["sha256"]?.string {
      return hash
    }
    let hash = try ProvenanceHash.hex(ofFile: absolute)
    entries[absolute] = .object(["stamp": .string(stamp), "sha256": .string(hash)])
    save(entries)
    return hash
  }

  private static func load() -> [String: JSONValue] {
    guard let file = cacheFile, let text = try? String(contentsOfFile: file, encoding: .utf8),
          case .object(let entries)? = JSONValue(jsonText: text)
    else { return [:] }
    return entries
  }

  private static func save(_ entries: [String: JSONValue]) {
    guard let file = cacheFile else { return }
    let folder = (file as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    // A lost cache only costs time, so failures to write it are ignored.
    try? Data(JSONValue.object(entries).jsonText.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
  }
}
