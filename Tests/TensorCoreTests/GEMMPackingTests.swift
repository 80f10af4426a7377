// The vector packers against the element-by-element ones (their scalar twins): the same panels, bit
// for bit, on odd sizes and tails. M rows of A, K the reduction, N columns of B.
import Testing
@testable import TensorCore

@Suite struct GEMMPackingTests {
  /// The `count` floats each packer writes (into NaN-filled buffers), as bits.
  static func panels(_ count: Int, _ pack: (UnsafeMutablePointer<Float>) -> Void) -> [UInt32] {
    var packed = [Float](repeating: .nan, count: count)
    packed.withUnsafeMutableBufferPointer { pack($0.baseAddress!) }
    return packed.map(\.bitPattern)
  }

  @Test(arguments: [DType.f32, .f16, .bf16])
  func transposedPackingMatchesElementwise(dtype: DType) {
    for (k, n) in [(1, 1), (16, 32), (17, 33), (65, 130), (256, 64), (300, 95)] {
      let weight = kernelTestRandom([n + 3, k + 5], seed: UInt64(k * 1000 + n), dtype: dtype)  // [out, in], read as B = Wᵀ
      let b = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: dtype, rowStride: 1, columnStride: k + 5)
      let (rows, columns) = (2..<k + 2, 1..<n + 1)
      let count = k * ((n + gemmNR - 1) / gemmNR) * gemmNR
      let fast = Self.panels(count) { gemmPackB(b, rows: rows, columns: columns, into: $0) }
      let elementwise = Self.panels(count) { gemmPackBElementwise(b, rows: rows, columns: columns, into: $0) }
      #expect(fast == elementwise, "k \(k) n \(n) \(dtype)")
      withExtendedLifetime(weight) {}
    }
  }

  @Test(arguments: [DType.f32, .f16, .bf16])
  func rowPanelPackingMatchesElementwise(dtype: DType) {
    for (m, k) in [(1, 1), (14, 16), (15, 17), (29, 65), (42, 256), (70, 300)] {
      let weight = kernelTestRandom([m + 2, k + 7], seed: UInt64(m * 1000 + k), dtype: dtype)  // [O, C·KH·KW] as A
      let a = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: dtype, rowStride: k + 7, columnStride: 1)
      let (rows, columns) = (1..<m + 1, 3..<k + 3)
      let count = ((m + gemmMR - 1) / gemmMR) * gemmMR * k
      let fast = Self.panels(count) { gemmPackA(a, rows: rows, columns: columns, into: $0) }
      let elementwise = Self.panels(count) { gemmPackAElementwise(a, rows: rows, columns: columns, into: $0) }
      #expect(fast == elementwise, "m \(m) k \(k) \(dtype)")
      withExtendedLifetime(weight) {}
    }
  }

  @Test(arguments: [DType.f32, .f16, .bf16])
  func laidOutPanelsPackLikeTheMatrix(dtype: DType) {
    for (m, k) in [(1, 1), (14, 16), (15, 17), (29, 65), (42, 256), (70, 300)] {
      let weight = kernelTestRandom([m, k], seed: UInt64(m * 1000 + k), dtype: dtype)  // [O, C·KH·KW] as A
      let a = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: dtype, rowStride: k, columnStride: 1)
      let panels = GEMMPanels(UnsafeRawPointer(weight.rawPointer), rows: m, depth: k, rowStride: k, dtype: dtype)
      for rows in [0..<m, (m > gemmMR ? gemmMR : 0)..<m] {
        let columns = k > 3 ? 3..<k - 1 : 0..<k
        let count = ((rows.count + gemmMR - 1) / gemmMR) * gemmMR * columns.count
        let fromPanels = Self.panels(count) { gemmPackA(panels.matrix, rows: rows, columns: columns, into: $0) }
        let elementwise = Self.panels(count) { gemmPackAElementwise(a, rows: rows, columns: columns, into: $0) }
        #expect(fromPanels == elementwise, "m \(m) k \(k) rows \(rows) \(dtype)")
      }
      withExtendedLifetime((weight, panels)) {}
    }
  }

  @Test(arguments: [DType.f32, .f16, .bf16])
  func laidOutPanelsPackLikeTheTransposedMatrix(dtype: DType) {
    for (k, n) in [(1, 1), (16, 32), (17, 33), (65, 130), (256, 64), (300, 95)] {
      let weight = kernelTestRandom([n, k], seed: UInt64(k * 1000 + n), dtype: dtype)  // [out, in], read as B = Wᵀ
      let b = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: dtype, rowStride: 1, columnStride: k)
      let panels = GEMMPanels(UnsafeRawPointer(weight.rawPointer), rows: n, depth: k, rowStride: k, dtype: dtype, width: gemmNR)
      for columns in [0..<n, (n > gemmNR ? gemmNR : 0)..<n] {
        let rows = k > 3 ? 2..<k - 1 : 0..<k
        let count = rows.count * ((columns.count + gemmNR - 1) / gemmNR) * gemmNR
        let fromPanels = Self.panels(count) { gemmPackB(panels.matrix, rows: rows, columns: columns, into: $0) }
        let elementwise = Self.panels(count) { gemmPackBElementwise(b, rows: rows, columns: columns, into: $0) }
        #expect(fromPanels == elementwise, "k \(k) n \(n) columns \(columns) \(dtype)")
      }
      withExtendedLifetime((weight, panels)) {}
    }
  }
}
