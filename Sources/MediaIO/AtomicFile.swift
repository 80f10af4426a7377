// Write-then-rename: readers never see a half-written output file, and a failed write leaves nothing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary-file-and-rename(2) protocol every MediaIO writer follows.
///
/// A writer asks for ``temporaryPath(for:)`` (a hidden sibling in the same directory, so the rename
/// stays on one file system), writes it completely, then calls ``commit(temporary:to:)``; on any
/// error it calls ``discard(_:)``.
public enum AtomicFile {
  /// A hidden sibling of `path`: `<dir>/.<name>.partial-<pid>-<random>`.
  public static func temporaryPath(for path: String) -> String {
    let (directory, name) = split(path)
    let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    return "\(directory)/.\(name).partial-\(getpid())-\(random)"
  }

  /// Moves a completely written temporary file over `path` (atomically replacing any old file).
  /// On failure the temporary file is removed and ``MediaError/cannotWrite(path:reason:)`` thrown.
  public static func commit(temporary: String, to path: String) throws {
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      discard(temporary)
      throw MediaError.cannotWrite(path: path, reason: "rename from temporary file failed: \(reason)")
    }
  }

  /// Removes a temporary file; a file that is already gone is not an error.
  public static func discard(_ temporary: String) {
    _ = unlink(temporary)
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
