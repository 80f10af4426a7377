// Memory for tensors and kernel scratch: 64-byte aligned, and for large blocks huge pages and reuse.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `count` uninitialised floats of scratch, 64-byte aligned so that a SIMD16 load or store touches
/// one cache line (a large `allocate(capacity:)` block starts 16 bytes into a page). Give them back
/// with `releaseAlignedFloats(_:count:)`.
public func allocateAlignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
  allocateScratch(byteCount: max(count, 1) * 4).bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Gives back `count` floats from `allocateAlignedFloats(_:)`.
public func releaseAlignedFloats(_ floats: UnsafeMutablePointer<Float>, count: Int) {
  releaseScratch(UnsafeMutableRawPointer(floats), byteCount: max(count, 1) * 4)
}

/// Blocks from this size up are 2 MB aligned, advised as transparent huge pages and kept for reuse.
private let largeBlockBytes = 4 << 20
private let hugePageBytes = 2 << 20

/// `byteCount` uninitialised bytes, 64-byte aligned; give them back with `releaseScratch`. A block of
/// 4 MB or more (activations, a convolution's transformed kernels, a task's Winograd buffers) is
/// rounded up to whole 2 MB pages, 2 MB aligned and advised as transparent huge pages (the machine's
/// THP mode is `madvise`): one TLB entry and one page fault per 2 MB instead of per 4 KB. It comes
/// from `LargeBlockCache` when a block of its size (up to twice it) was given back.
/// With `hugePages` false (weights laid out once and kept), a block is only 64-byte aligned: no 2 MB
/// rounding, which a kept block would hold resident (up to 2 MB each) for nothing.
func allocateScratch(byteCount: Int, hugePages: Bool = true) -> UnsafeMutableRawPointer {
  #if canImport(Glibc)
  if byteCount >= largeBlockBytes && hugePages {
    let size = (byteCount + hugePageBytes - 1) / hugePageBytes * hugePageBytes
    if let block = LargeBlockCache.shared.take(size) { return block }
    var block: UnsafeMutableRawPointer?
    if posix_memalign(&block, hugePageBytes, size) == 0, let block {
      _ = madvise(block, size, MADV_HUGEPAGE)  // advice only: without it the block still works
      LargeBlockCache.shared.track(block, size: size)
      return block
    }
  }
  #endif
  return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
}

/// Gives back `byteCount` bytes from `allocateScratch(byteCount:)`.
func releaseScratch(_ block: UnsafeMutableRawPointer, byteCount: Int) {
  #if canImport(Glibc)
  if byteCount >= largeBlockBytes {
    LargeBlockCache.shared.keepOrFree(block)
    return
  }
  #endif
  block.deallocate()
}

/// Large blocks given back, by size, for later allocations of that size or up to half of it (the
/// layers of a denoising step repeat every step). A fresh block costs page faults and the kernel
/// zeroing it; on the Karlo-size decoder step that zeroing (`clear_page_erms`) took 3.7–3.9 % of
/// the time. At most 1 GB is kept (never returned to the system); beyond that a block is freed. With
/// 256 MB the step's Winograd kernels of many sizes (13–59 MB each) still missed and were zeroed
/// afresh (3 % of the 1-thread step): 1 GB measured 2–7 % faster a step, 7.02–7.41 s against
/// 7.43–7.81 s, for +80–140 MB peak RSS (`easel-bench unclip --component decoder`, alternating).
private final class LargeBlockCache: @unchecked Sendable {
  static let shared = LargeBlockCache()
  private let limit = 1 << 30
  private let lock = NSLock()
  /// Kept blocks by size.
  private var kept: [Int: [UnsafeMutableRawPointer]] = [:]
  private var keptBytes = 0
  /// The size of every large block allocated and not freed, kept or in use.
  private var sizes: [UnsafeMutableRawPointer: Int] = [:]

  /// The smallest kept block of `size` to `2 · size` bytes.
  func take(_ size: Int) -> UnsafeMutableRawPointer? {
    lock.lock()
    defer { lock.unlock() }
    guard let fit = kept.keys.filter({ $0 >= size && $0 <= 2 * size && !(kept[$0]?.isEmpty ?? true) }).min(),
          let block = kept[fit]?.popLast() else { return nil }
    keptBytes -= fit
    return block
  }

  /// Records a freshly allocated block.
  func track(_ block: UnsafeMutableRawPointer, size: Int) {
    lock.lock()
    defer { lock.unlock() }
    sizes[block] = size
  }

  /// Keeps `block` for reuse, or frees it when the cache is full.
  func keepOrFree(_ block: UnsafeMutableRawPointer) {
    lock.lock()
    defer { lock.unlock() }
    guard let size = sizes[block] else { return free(block) }
    if keptBytes + size > limit {
      sizes[block] = nil
      free(block)
      return
    }
    kept[size, default: []].append(block)
    keptBytes += size
  }
}
