// The machine's fused multiply-add peak, measured with a loop that touches no memory: 24
// independent SIMD16 accumulators, enough to cover the FMA latency on two ports.
import Foundation
import TensorCore

enum FMAPeak {
  /// GFLOPS of `threads` threads each running the register-only loop.
  static func measure(threads: Int, cpuTime: Bool) -> Double {
    let iterations = 20_000_000
    var best = Double.infinity
    for _ in 0..<3 {
      let start = CoreBenchmark.now(cpu: cpuTime)
      DispatchQueue.concurrentPerform(iterations: threads) { worker in
        sink(worker, loop(iterations, seed: Float(worker) * 1e-9))
      }
      let seconds = CoreBenchmark.now(cpu: cpuTime) - start
      best = min(best, cpuTime ? seconds / Double(threads) : seconds)
    }
    return Double(threads) * Double(iterations) * 24 * 16 * 2 / best / 1e9
  }

  @inline(never)
  static func sink(_ worker: Int, _ value: Float) {
    if value == 12_345.678 { print("unlikely \(worker)") }
  }

  @inline(never)
  static func loop(_ iterations: Int, seed: Float) -> Float {
    let a = SIMD16<Float>(repeating: 0.999_999 + seed)
    let b = SIMD16<Float>(repeating: 1e-7)
    var c0 = a, c1 = a + 1, c2 = a + 2, c3 = a + 3, c4 = a + 4, c5 = a + 5
    var c6 = a + 6, c7 = a + 7, c8 = a + 8, c9 = a + 9, c10 = a + 10, c11 = a + 11
    var c12 = a + 12, c13 = a + 13, c14 = a + 14, c15 = a + 15, c16 = a + 16, c17 = a + 17
    var c18 = a + 18, c19 = a + 19, c20 = a + 20, c21 = a + 21, c22 = a + 22, c23 = a + 23
    for _ in 0..<iterations {
      c0 = b.addingProduct(c0, a); c1 = b.addingProduct(c1, a); c2 = b.addingProduct(c2, a)
      c3 = b.addingProduct(c3, a); c4 = b.addingProduct(c4, a); c5 = b.addingProduct(c5, a)
      c6 = b.addingProduct(c6, a); c7 = b.addingProduct(c7, a); c8 = b.addingProduct(c8, a)
      c9 = b.addingProduct(c9, a); c10 = b.addingProduct(c10, a); c11 = b.addingProduct(c11, a)
      c12 = b.addingProduct(c12, a); c13 = b.addingProduct(c13, a); c14 = b.addingProduct(c14, a)
      c15 = b.addingProduct(c15, a); c16 = b.addingProduct(c16, a); c17 = b.addingProduct(c17, a)
      c18 = b.addingProduct(c18, a); c19 = b.addingProduct(c19, a); c20 = b.addingProduct(c20, a)
      c21 = b.addingProduct(c21, a); c22 = b.addingProduct(c22, a); c23 = b.addingProduct(c23, a)
    }
    let total = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11
      + c12 + c13 + c14 + c15 + c16 + c17 + c18 + c19 + c20 + c21 + c22 + c23
    return total.sum()
  }
}
