// Write-then-rename: readers never see a half-written output file, and a failed write leaves nothing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The temporary-file-and-rename(2) protocol every MediaIO writer follows.
///
/// A writer asks for ``temporaryPath(for:)`` (a hidden sibling in the same directory, so the rename
/// stays on one file system), writes it completely, then calls ``commit(temporary:to:)``; on any
/// error it calls ``discard(_:)``. Temporary paths handed out and not yet committed or discarded are
/// remembered, so that a process about to exit at once (a second Ctrl-C) can remove them with
/// ``discardPending()``.
public enum AtomicFile {
  /// Temporary paths handed out and not yet committed or discarded.
  private static let pending = Mutex<Set<String>>([])

  /// A hidden sibling of `path`: `<dir>/.<name>.partial-<pid>-<random>`.
  public static func temporaryPath(for path: String) -> String {
    let (directory, name) = split(path)
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    let temporary = "\(directory)/.\(name).partial-\(getpid())-\(random)"
    pending.withLock { _ = $0.insert(temporary) }
    return temporary
  }

  /// Moves a completely written temporary file over `path` (atomically replacing any old file).
  /// On failure the temporary file is removed and ``MediaError/cannotWrite(path:reason:)`` thrown.
  public static func commit(temporary: String, to path: String) throws {
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      discard(temporary)
      throw MediaError.cannotWrite(path: path, reason: "rename from temporary file failed: \(reason)")
    }
    pending.withLock { _ = $0.remove(temporary) }
  }

  /// Removes a temporary file; a file that is already gone is not an error.
  public static func discard(_ temporary: String) {
    _ = unlink(temporary)
    pending.withLock { _ = $0.remove(temporary) }
  }

  /// Removes every temporary file handed out and not yet committed or discarded (some may be half
  /// written by another thread), or only those in `directory`: for a process that exits at once.
  /// Returns how many files it removed.
  @discardableResult
  public static func discardPending(in directory: String? = nil) -> Int {
    let paths = pending.withLock { paths in
      let chosen = paths.filter { directory == nil || split($0).directory == directory }
      paths.subtract(chosen)
      return chosen
    }
    return paths.filter { unlink($0) == 0 }.count
  }

  /// Splits a path into its directory ("." when there is none) and last component.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    let name = String(path[path.index(after: slash)...])
    return (directory.isEmpty ? "/" : directory, name)
  }

  /// Runs `write` against a fresh temporary path, then commits it to `path`; removes the temporary
  /// file whatever `write` throws.
  static func write(to path: String, _ write: (String) throws -> Void) throws {
    let temporary = temporaryPath(for: path)
    do {
      try write(temporary)
    } catch {
      discard(temporary)
      throw error
    }
    try commit(temporary: temporary, to: path)
  }
}
