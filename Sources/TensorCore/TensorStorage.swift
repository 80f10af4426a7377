// The memory behind a tensor: either allocated here (and freed with it) or borrowed from an owner
// that keeps it alive, such as a memory-mapped weight file.

#if canImport(Glibc)
import Glibc
#endif

/// A block of bytes that one or more tensors view.
public final class TensorStorage: @unchecked Sendable {
  /// The first byte.
  public let base: UnsafeMutableRawPointer
  /// Size of the block in bytes.
  public let byteCount: Int
  /// Keeps borrowed memory (an mmap) alive; nil when this storage allocated `base` itself.
  public let owner: AnyObject?

  /// Allocates `byteCount` zeroed bytes, 64-byte aligned for AVX-512 loads.
  public init(zeroedByteCount byteCount: Int) {
    self.byteCount = byteCount
    self.base = allocateScratch(byteCount: byteCount)
    self.base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    self.owner = nil
    self.pagesReloadable = false
  }

  /// Allocates `byteCount` uninitialised bytes, 64-byte aligned; the caller writes every byte.
  public convenience init(uninitializedByteCount byteCount: Int) {
    self.init(uninitializedByteCount: byteCount, hugePages: true)
  }

  /// The same; `hugePages: false` for a block kept for the process's life (laid-out weights), see
  /// `allocateScratch`.
  public init(uninitializedByteCount byteCount: Int, hugePages: Bool) {
    self.byteCount = byteCount
    self.base = allocateScratch(byteCount: byteCount, hugePages: hugePages)
    self.owner = nil
    self.pagesReloadable = false
  }

  /// True when the borrowed memory is a read-only file mapping, whose pages may be given back and
  /// are read from the file again when touched.
  public let pagesReloadable: Bool

  /// Views memory that `owner` keeps alive (for example a memory-mapped file).
  public convenience init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
    self.init(borrowing: base, byteCount: byteCount, owner: owner, pagesReloadable: false)
  }

  /// The same; `pagesReloadable` when the memory is a read-only, private file mapping.
  public init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject, pagesReloadable: Bool) {
    self.base = base
    self.byteCount = byteCount
    self.owner = owner
    self.pagesReloadable = pagesReloadable
  }

  /// Gives the whole pages inside bytes `byteOffset ..< byteOffset + byteCount` back to the system
  /// (a no-op unless `pagesReloadable`): their contents stay readable, from the file, and they leave
  /// this process's resident memory until then.
  public func releasePages(byteOffset: Int, byteCount: Int) {
    #if canImport(Glibc)
    guard pagesReloadable else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (Int(bitPattern: base) + byteOffset + page - 1) / page * page
    let end = (Int(bitPattern: base) + byteOffset + byteCount) / page * page
    if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
      _ = madvise(pointer, end - start, MADV_DONTNEED)  // advice only: without it the pages stay resident
    }
    #endif
  }

  deinit {
    if owner == nil { releaseScratch(base, byteCount: byteCount) }
  }
}
