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
    if owner == nil { base.deallocate() }
  }
}

/// `count` uninitialised floats of scratch, 64-byte aligned so that a SIMD16 load or store touches
/// one cache line (a large `allocate(capacity:)` block starts 16 bytes into a page); freed with
/// `deallocate()`.
public func allocateAlignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
  allocateScratch(byteCount: count * 4).bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Blocks from this size up are 2 MB aligned and advised as transparent huge pages.
private let hugePageThreshold = 4 << 20

/// `byteCount` uninitialised bytes, 64-byte aligned, freed with `deallocate()`. A block of 4 MB or
/// more (a convolution's transformed kernels, activations) is 2 MB aligned and advised as
/// transparent huge pages (the machine's THP mode is `madvise`): one TLB entry and one page fault
/// per 2 MB instead of per 4 KB.
func allocateScratch(byteCount: Int) -> UnsafeMutableRawPointer {
  #if canImport(Glibc)
  if byteCount >= hugePageThreshold {
    var block: UnsafeMutableRawPointer?
    let hugePage = 2 << 20
    if posix_memalign(&block, hugePage, byteCount) == 0, let block {
      _ = madvise(block, byteCount, MADV_HUGEPAGE)  // advice only: without it the block still works
      return block
    }
  }
  #endif
  return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
}
