// A whole file mapped read-only into memory. Tensors borrow from it; it unmaps when the last of
// them (and the SafeTensorsFile) goes away.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only, private memory mapping of an entire regular file.
public final class MappedFile: @unchecked Sendable {
  /// The path the file was opened from.
  public let path: String
  /// First byte of the mapping (nil for an empty file, which cannot be mapped).
  public let base: UnsafeMutableRawPointer?
  /// Size of the file in bytes.
  public let byteCount: Int

  /// Maps `path`; throws ``WeightError`` for missing files, directories and OS failures.
  public init(path: String) throws {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    if descriptor < 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw WeightError.fileNotFound(file: path) }
      throw WeightError.unreadable(file: path, reason: MappedFile.errorText(code))
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw WeightError.unreadable(file: path, reason: MappedFile.errorText(errno))
    }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw WeightError.notAFile(file: path) }
    byteCount = Int(status.st_size)
    if byteCount == 0 {
      base = nil
      return
    }
    // MAP_PRIVATE + PROT_READ: tensors are views that nobody writes; a writer that replaces the file
    // on disk (rename) does not disturb this mapping.
    let mapped = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, descriptor, 0)
    guard let mapped, mapped != MAP_FAILED else {
      throw WeightError.unreadable(file: path, reason: "mmap: " + MappedFile.errorText(errno))
    }
    base = mapped
  }

  deinit {
    if let base { munmap(base, byteCount) }
  }

  static func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
  }
}
