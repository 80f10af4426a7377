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
    self.base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    self.base.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    self.owner = nil
  }

  /// Allocates `byteCount` uninitialised bytes, 64-byte aligned; the caller writes every byte.
  public init(uninitializedByteCount byteCount: Int) {
    self.byteCount = byteCount
    self.base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    self.owner = nil
  }

  /// Views memory that `owner` keeps alive (for example a memory-mapped file).
  public init(borrowing base: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
    self.base = base
    self.byteCount = byteCount
    self.owner = owner
  }

  deinit {
    if owner == nil { base.deallocate() }
  }
}

/// `count` uninitialised floats of scratch, 64-byte aligned so that a SIMD16 load or store touches
/// one cache line (a large `allocate(capacity:)` block starts 16 bytes into a page); freed with
/// `deallocate()`.
public func allocateAlignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64).bindMemory(to: Float.self, capacity: max(count, 1))
}
