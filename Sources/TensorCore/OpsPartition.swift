// How the non-GEMM ops spread rows over threads. Every task owns whole rows (or whole reduction
// groups): a reduction is never split over threads, so results do not depend on the thread count.

/// Below this many elements touched, an op stays on the calling thread: waking the pool costs more.
let parallelThreshold = 32_768

/// Runs `body` over `0..<count` in contiguous chunks, on `ComputePool.shared` when the op is big.
///
/// `work` is a rough cost per item (elements touched), so that tiny ops stay on the calling thread.
func forEachChunk(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
  guard count > 0 else { return }
  let total = count &* Swift.max(work, 1)
  let pool = ComputePool.shared
  let threads = pool.threadCount
  if threads == 1 || count == 1 || total < parallelThreshold {
    body(0..<count)
    return
  }
  // A few tasks per thread balance the load when a core is shared; each keeps ≥ the threshold / 2.
  let tasks = Swift.min(count, threads * 4, Swift.max(1, total / (parallelThreshold / 2)))
  pool.parallelFor(tasks) { task in
    body((task * count / tasks)..<((task + 1) * count / tasks))
  }
}
