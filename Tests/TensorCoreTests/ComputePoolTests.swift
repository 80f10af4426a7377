// The shared pool: every index runs once, inline cases, thread counts, and the external executor.
import Foundation
import Testing
import TensorCore

/// A host `parallel_for` that runs the body serially and counts its calls through `host`.
private let serialExecutor: @convention(c) (
  UnsafeMutableRawPointer?, Int64, @convention(c) (UnsafeMutableRawPointer?, Int64) -> Void, UnsafeMutableRawPointer?
) -> Void = { host, count, body, context in
  host?.assumingMemoryBound(to: Int.self).pointee += 1
  for index in 0..<count { body(context, index) }
}

@Suite(.serialized) struct ComputePoolTests {
  @Test(arguments: [1, 2, 3, 8])
  func everyIndexRunsOnce(threads: Int) {
    for count in [0, 1, 2, 7, 1000] {
      let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
      hits.initialize(repeating: 0, count: max(count, 1))
      defer { hits.deallocate() }
      nonisolated(unsafe) let slots = hits
      kernelTestWithThreads(threads) {
        ComputePool.shared.parallelFor(count) { index in slots[index] += 1 }
      }
      #expect((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count), \(threads) threads")
    }
  }

  @Test func threadCountIsAtLeastOne() {
    let previous = ComputePool.shared.threadCount
    ComputePool.shared.setThreadCount(0)
    #expect(ComputePool.shared.threadCount == 1)
    ComputePool.shared.setThreadCount(previous)
    #expect(previous >= 1)
  }

  @Test func nestedCallsComplete() {
    let total = UnsafeMutablePointer<Int>.allocate(capacity: 12)
    total.initialize(repeating: 0, count: 12)
    defer { total.deallocate() }
    nonisolated(unsafe) let cells = total
    kernelTestWithThreads(2) {
      ComputePool.shared.parallelFor(3) { outer in
        ComputePool.shared.parallelFor(4) { inner in cells[outer * 4 + inner] += 1 }
      }
    }
    #expect((0..<12).allSatisfy { total[$0] == 1 })
  }

  @Test func externalExecutorRunsEveryParallelFor() {
    let calls = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    calls.initialize(to: 0)
    defer { calls.deallocate() }
    let previous = ComputePool.shared.threadCount
    let a = kernelTestRandom([70, 90], seed: 1)
    let b = kernelTestRandom([90, 80], seed: 2)
    let builtIn = kernelTestWithThreads(2) { matmul(a, b) }
    ComputePool.shared.useExternalExecutor(
      ExternalExecutor(host: UnsafeMutableRawPointer(calls), threadCount: 2, parallelFor: serialExecutor))
    let routed = matmul(a, b)
    let (q, k, v) = AttentionTests.inputs(1, 2, 20, 20, 8, seed: 3)
    let attention = scaledDotProductAttention(query: q, key: k, value: v)
    ComputePool.shared.useExternalExecutor(nil)
    ComputePool.shared.setThreadCount(previous)
    #expect(calls.pointee >= 2, "the executor saw \(calls.pointee) calls")
    #expect(kernelTestBits(routed) == kernelTestBits(builtIn))
    let expected = scaledDotProductAttentionReference(query: q, key: k, value: v)
    #expect(compare(attention, expected, tolerance: 1e-5, relativeTolerance: 1e-4).isWithinTolerance)
  }
}
