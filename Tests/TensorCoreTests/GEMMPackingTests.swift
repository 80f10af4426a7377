// The vector B packers against the element-by-element one (their scalar twin): the same panels,
// bit for bit, on odd sizes and tails. K rows of B, N columns.
import Testing
@testable import TensorCore

@Suite struct GEMMPackingTests {
  @Test(arguments: [DType.f32, .f16, .bf16])
  func transposedPackingMatchesElementwise(dtype: DType) {
    for (k, n) in [(1, 1), (16, 32), (17, 33), (65, 130), (256, 64), (300, 95)] {
      let weight = kernelTestRandom([n + 3, k + 5], seed: UInt64(k * 1000 + n), dtype: dtype)  // [out, in], read as B = Wᵀ
      let b = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: dtype, rowStride: 1, columnStride: k + 5)
      let (rows, columns) = (2..<k + 2, 1..<n + 1)
      let count = k * ((n + gemmNR - 1) / gemmNR) * gemmNR
      var fast = [Float](repeating: .nan, count: count)
      var elementwise = [Float](repeating: .nan, count: count)
      fast.withUnsafeMutableBufferPointer { gemmPackB(b, rows: rows, columns: columns, into: $0.baseAddress!) }
      elementwise.withUnsafeMutableBufferPointer { gemmPackBElementwise(b, rows: rows, columns: columns, into: $0.baseAddress!) }
      #expect(fast.map(\.bitPattern) == elementwise.map(\.bitPattern), "k \(k) n \(n) \(dtype)")
      withExtendedLifetime(weight) {}
    }
  }
}
