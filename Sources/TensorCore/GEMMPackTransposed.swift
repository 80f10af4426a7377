// Packing a B whose columns are contiguous (nn.Linear's [out, in] weight read as B = Wᵀ) into
// NR-column panels, 16×16 blocks at a time: 16 columns × 16 k are loaded as 16 vectors (widening
// f16/bf16), transposed in registers and stored as 16 panel rows. Element by element, the same copy
// costs a scattered 4-byte store per element (1.6 ns each measured on the Karlo-size prior, 74 % of
// its step).
// K the reduction (B's rows), NR = gemmNR columns per panel; a panel row is NR floats.

/// Packs rows `rows` × columns `columns` of `b` (columnStride ≠ 1, rowStride 1) into NR-column
/// panels at `packed`: whole 16×16 blocks transposed in registers, the rest by `gemmPackB`'s
/// element loop (its scalar twin, `gemmPackBElementwise`).
func gemmPackBTransposed(_ b: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  precondition(b.rowStride == 1, "gemmPackBTransposed needs contiguous columns")
  let kc = rows.count
  let fullPanels = columns.count / gemmNR
  let blockedK = kc / 16 * 16
  let size = b.dtype.byteSize
  for p in 0..<fullPanels {
    let panel = packed + p * kc * gemmNR
    for half in 0..<(gemmNR / 16) {
      let firstColumn = columns.lowerBound + p * gemmNR + half * 16
      let source = b.base + (rows.lowerBound + firstColumn * b.columnStride) * size
      var k = 0
      while k < blockedK {
        let block = transposed16x16(source + k * size, columnStride: b.columnStride * size, dtype: b.dtype)
        let target = UnsafeMutableRawPointer(panel + k * gemmNR + half * 16)
        for row in 0..<16 { target.storeBytes(of: block[row], toByteOffset: row * gemmNR * 4, as: SIMD16<Float>.self) }
        k += 16
      }
    }
    if blockedK < kc {
      // The last kc mod 16 rows of the panel, element by element.
      let tail = GEMMMatrix(base: b.base, dtype: b.dtype, rowStride: 1, columnStride: b.columnStride)
      var rowsTail = [Float](repeating: 0, count: (kc - blockedK) * gemmNR)
      rowsTail.withUnsafeMutableBufferPointer { buffer in
        gemmPackBElementwise(tail, rows: rows.lowerBound + blockedK..<rows.upperBound,
                             columns: columns.lowerBound + p * gemmNR..<columns.lowerBound + (p + 1) * gemmNR,
                             into: buffer.baseAddress!)
      }
      (panel + blockedK * gemmNR).update(from: rowsTail, count: rowsTail.count)
    }
  }
  if fullPanels * gemmNR < columns.count {
    gemmPackBElementwise(b, rows: rows, columns: columns.lowerBound + fullPanels * gemmNR..<columns.upperBound,
                         into: packed + fullPanels * kc * gemmNR)
  }
}

/// 16 columns (`columnStride` bytes apart) × 16 contiguous k from `source`, widened: → 16 vectors,
/// vector k holding element k of every column. Four perfect-shuffle rounds: interleaving row i with
/// row i + 8 rotates each element's 8-bit (row, column) index left by one; four rotations swap row
/// and column.
@inline(__always)
private func transposed16x16(_ source: UnsafeRawPointer, columnStride: Int, dtype: DType) -> InlineArray<16, SIMD16<Float>> {
  var rows = InlineArray<16, SIMD16<Float>> { gemmLoadWidened16(source + $0 * columnStride, dtype) }
  for _ in 0..<4 {
    var next = rows
    for i in 0..<8 {
      var pair = SIMD32<Float>()
      pair.evenHalf = rows[i]
      pair.oddHalf = rows[i + 8]
      next[2 * i] = pair.lowHalf
      next[2 * i + 1] = pair.highHalf
    }
    rows = next
  }
  return rows
}

/// 16 consecutive elements of `dtype` at `source`, widened to f32.
@inline(__always)
func gemmLoadWidened16(_ source: UnsafeRawPointer, _ dtype: DType) -> SIMD16<Float> {
  switch dtype {
  case .f32: return source.loadUnaligned(as: SIMD16<Float>.self)
  case .f16: return SIMD16<Float>(source.loadUnaligned(as: SIMD16<Float16>.self))
  case .bf16:
    let bits = SIMD16<UInt32>(truncatingIfNeeded: source.loadUnaligned(as: SIMD16<UInt16>.self)) &<< 16
    return unsafeBitCast(bits, to: SIMD16<Float>.self)
  default: preconditionFailure("GEMM operands must be f32, f16 or bf16, not \(dtype)")
  }
}
