// The memory behind a tensor: either allocated here (and freed with it) or borrowed from an owner
// that keeps it alive, such as a memory-mapped weight file.

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
  }

  /// Allocates `byteCount` uninitialised bytes, 64-byte aligned; the caller writes every byte.
  public init(uninitializedByteCount byteCount: Int) {
    self.byteCount = byteCount
    self.base = allocateScratch(byteCount: byteCount)
    self.owner = nil
  }

  /// Views memory that `owner` keeps alive (for example a memory-mapped file).
  public init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
    self.base = base
    self.byteCount = byteCount
    self.owner = owner
  }

  deinit {
    if owner == nil { releaseScratch(base, byteCount: byteCount) }
  }
}
