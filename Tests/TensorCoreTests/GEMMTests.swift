// SGEMM against its scalar twin on odd sizes, tails, K blocking, half-precision B, batch broadcasting
// and thread counts. M rows, N columns, K the reduction.
import Foundation
import Testing
@testable import TensorCore

/// A deterministic tensor of values in [-1, 1], stored as `dtype` (f16/bf16 round the values).
func kernelTestRandom(_ shape: [Int], seed: UInt64, dtype: DType = .f32) -> Tensor {
  var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
  let count = shape.reduce(1, *)
  let storage = TensorStorage(uninitializedByteCount: max(1, count * dtype.byteSize))
  for index in 0..<count {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let value = Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    switch dtype {
    case .f16: storage.base.storeBytes(of: Float16(value), toByteOffset: index * 2, as: Float16.self)
    case .bf16: storage.base.storeBytes(of: floatToBFloat16(value), toByteOffset: index * 2, as: UInt16.self)
    default: storage.base.storeBytes(of: value, toByteOffset: index * 4, as: Float.self)
    }
  }
  return Tensor(shape: shape, dtype: dtype, storage: storage)
}

/// The raw bits of an f32 tensor, for bit-exact comparisons.
func kernelTestBits(_ tensor: Tensor) -> [UInt32] {
  (0..<tensor.count).map { tensor.floats[$0].bitPattern }
}

/// Runs `body` with the shared pool at `threads` threads, then restores the previous count.
func kernelTestWithThreads<T>(_ threads: Int, _ body: () -> T) -> T {
  let previous = ComputePool.shared.threadCount
  ComputePool.shared.setThreadCount(threads)
  defer { ComputePool.shared.setThreadCount(previous) }
  return body()
}

@Suite struct GEMMTests {
  static let sizes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (7, 17, 63), (17, 65, 7), (63, 130, 65), (65, 7, 130), (130, 63, 17), (14, 32, 256),
    (15, 33, 300), (29, 40, 520), (1, 130, 65),
    (87, 70, 512), (40, 33, 256),  // A packed (rows 1 KB apart), last rows 3 and 12: the 4-row tail kernel
  ]

  @Test(arguments: [DType.f32, .f16, .bf16], [false, true])
  func matchesReferenceOnOddSizes(dtype: DType, transposeB: Bool) {
    for (index, size) in Self.sizes.enumerated() {
      let a = kernelTestRandom([size.m, size.k], seed: UInt64(index))
      let b = kernelTestRandom(transposeB ? [size.n, size.k] : [size.k, size.n], seed: UInt64(100 + index), dtype: dtype)
      let difference = compare(matmul(a, b, transposeB: transposeB), matmulReference(a, b, transposeB: transposeB),
                               tolerance: 1e-5, relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "m \(size.m) n \(size.n) k \(size.k) \(dtype): \(difference)")
    }
  }

  @Test func broadcastsLeadingDimensions() {
    let cases: [([Int], [Int], [Int])] = [
      ([2, 3, 5, 7], [3, 7, 4], [2, 3, 5, 4]),
      ([5, 7], [2, 7, 4], [2, 5, 4]),
      ([2, 1, 5, 7], [3, 7, 4], [2, 3, 5, 4]),
      ([4, 6, 9], [9, 11], [4, 6, 11]),
    ]
    for (index, (aShape, bShape, outShape)) in cases.enumerated() {
      let a = kernelTestRandom(aShape, seed: UInt64(10 + index))
      let b = kernelTestRandom(bShape, seed: UInt64(20 + index))
      let result = matmul(a, b)
      #expect(result.shape == outShape)
      let difference = compare(result, matmulReference(a, b), tolerance: 1e-5, relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "\(aShape) x \(bShape): \(difference)")
    }
  }

  @Test func transposedBatchedB() {
    let a = kernelTestRandom([3, 10, 19], seed: 1)
    let b = kernelTestRandom([3, 21, 19], seed: 2, dtype: .bf16)
    let difference = compare(matmul(a, b, transposeB: true), matmulReference(a, b, transposeB: true),
                             tolerance: 1e-5, relativeTolerance: 1e-4)
    #expect(difference.isWithinTolerance, "\(difference)")
  }

  @Test func emptyReductionGivesZeros() {
    let result = matmul(Tensor(zeros: [3, 0]), Tensor(zeros: [0, 5]))
    #expect(result.shape == [3, 5])
    #expect(result.scalars == [Float](repeating: 0, count: 15))
  }

  @Test func knownSmallProduct() {
    let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    let b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
    #expect(matmul(a, b).scalars == [58, 64, 139, 154])
    #expect(matmulReference(a, b).scalars == [58, 64, 139, 154])
  }

  /// The 4-row tail kernel gives the first 4 rows of a panel the same bits as the 14-row kernel.
  @Test(arguments: [false, true])
  func tailKernelMatchesFullKernel(accumulate: Bool) {
    let (k, ldc) = (300, 40)
    let a = kernelTestRandom([k, gemmMR], seed: 30)  // a packed A panel: step k's 14 rows
    let b = kernelTestRandom([k, gemmNR], seed: 31)  // a packed B panel
    let start = kernelTestRandom([gemmMR, ldc], seed: 32)
    var (full, tail) = (start.scalars, start.scalars)
    full.withUnsafeMutableBufferPointer { gemmMicroKernel(k, a.floats, gemmMR, b.floats, $0.baseAddress!, ldc, accumulate) }
    tail.withUnsafeMutableBufferPointer { gemmMicroKernel4(k, a.floats, gemmMR, b.floats, $0.baseAddress!, ldc, accumulate) }
    let differing = (0..<gemmMR * ldc).filter { index in
      let expected = index / ldc < gemmTailMR && index % ldc < gemmNR ? full[index] : start.scalars[index]
      return tail[index].bitPattern != expected.bitPattern
    }.count
    #expect(differing == 0, "\(differing) of the tail kernel's values differ")
  }

  @Test func bitIdenticalForAnyThreadCount() {
    let a = kernelTestRandom([2, 203, 517], seed: 7)
    let b = kernelTestRandom([517, 301], seed: 8)
    let bt = kernelTestRandom([2, 301, 517], seed: 9, dtype: .f16)
    let one = kernelTestWithThreads(1) { (matmul(a, b), matmul(a, bt, transposeB: true)) }
    for threads in [2, 3] {
      let other = kernelTestWithThreads(threads) { (matmul(a, b), matmul(a, bt, transposeB: true)) }
      #expect(kernelTestBits(other.0) == kernelTestBits(one.0), "\(threads) threads")
      #expect(kernelTestBits(other.1) == kernelTestBits(one.1), "\(threads) threads, batched")
    }
  }
}
