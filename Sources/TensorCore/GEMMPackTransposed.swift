// Packing a B whose columns are contiguous (nn.Linear's [out, in] weight read as B = Wᵀ) into
// NR-column panels, 16×16 blocks at a time: 16 columns × 16 k are loaded as 16 vectors (widening
// f16/bf16), transposed in registers and stored as 16 panel rows. Element by element, the same copy
// costs a scattered 4-byte store per element (1.6 ns each measured on the Karlo-size prior, 74 % of
// its step).
// The 16×16 transpose also packs A's row panels (GEMMPacking.swift); the lane interleaves at the
// end serve the Winograd transforms too.
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
        gemmStoreBlock16(block, to: panel + k * gemmNR + half * 16, rowStride: gemmNR, lastRowLanes: 16)
        k += 16
      }
    }
    if blockedK < kc {
      // The last kc mod 16 rows of the panel (one panel: rows of NR floats), element by element.
      gemmPackBElementwise(b, rows: rows.lowerBound + blockedK..<rows.upperBound,
                           columns: columns.lowerBound + p * gemmNR..<columns.lowerBound + (p + 1) * gemmNR,
                           into: panel + blockedK * gemmNR)
    }
  }
  if fullPanels * gemmNR < columns.count {
    gemmPackBElementwise(b, rows: rows, columns: columns.lowerBound + fullPanels * gemmNR..<columns.upperBound,
                         into: packed + fullPanels * kc * gemmNR)
  }
}

/// The 16 vectors of a 16×16 block of floats, one per row. A tuple (not an array) so that, inlined,
/// every vector stays in a register.
public typealias SIMD16x16 = (
  SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
  SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>
)

/// 16 columns (`columnStride` bytes apart) × 16 contiguous k from `source`, widened and transposed:
/// vector k holds element k of every column. `count` < 16 columns read only the first `count` (the
/// rest are zeros).
@inline(__always)
func transposed16x16(_ source: UnsafeRawPointer, columnStride: Int, dtype: DType, count: Int = 16) -> SIMD16x16 {
  @inline(__always) func row(_ i: Int) -> SIMD16<Float> {
    i < count ? gemmLoadWidened16(source + i * columnStride, dtype) : SIMD16()
  }
  let loaded = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7),
                row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15))
  return simdTransposed(loaded)
}

/// The transpose of a 16 × 16 block held in registers: vector i of the result holds lane i of every row.
@inlinable @inline(__always)
public func simdTransposed(_ rows: SIMD16x16) -> SIMD16x16 {
  perfectShuffle(perfectShuffle(perfectShuffle(perfectShuffle(rows))))
}

/// One perfect-shuffle round: rows i and i + 8 interleaved into rows 2i and 2i + 1. It rotates
/// each element's 8-bit (row, column) index left by one, so four rounds swap row and column.
@inlinable @inline(__always)
func perfectShuffle(_ r: SIMD16x16) -> SIMD16x16 {
  let (n0, n1) = simdInterleave(r.0, r.8)
  let (n2, n3) = simdInterleave(r.1, r.9)
  let (n4, n5) = simdInterleave(r.2, r.10)
  let (n6, n7) = simdInterleave(r.3, r.11)
  let (n8, n9) = simdInterleave(r.4, r.12)
  let (n10, n11) = simdInterleave(r.5, r.13)
  let (n12, n13) = simdInterleave(r.6, r.14)
  let (n14, n15) = simdInterleave(r.7, r.15)
  return (n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12, n13, n14, n15)
}

/// Stores the 16 rows of `block`, `rowStride` floats apart, at `target`: all 16 lanes of each row
/// (with rowStride < 16 a row spills into the next, which is stored after it), the last row only
/// its first `lastRowLanes`.
@inline(__always)
func gemmStoreBlock16(_ block: SIMD16x16, to target: UnsafeMutablePointer<Float>, rowStride: Int, lastRowLanes: Int) {
  let base = UnsafeMutableRawPointer(target)
  @inline(__always) func put(_ i: Int, _ v: SIMD16<Float>) {
    base.storeBytes(of: v, toByteOffset: i * rowStride * 4, as: SIMD16<Float>.self)
  }
  put(0, block.0)
  put(1, block.1)
  put(2, block.2)
  put(3, block.3)
  put(4, block.4)
  put(5, block.5)
  put(6, block.6)
  put(7, block.7)
  put(8, block.8)
  put(9, block.9)
  put(10, block.10)
  put(11, block.11)
  put(12, block.12)
  put(13, block.13)
  put(14, block.14)
  if lastRowLanes == 16 {
    put(15, block.15)
  } else {
    for lane in 0..<lastRowLanes { target[15 * rowStride + lane] = block.15[lane] }
  }
}

/// 16 consecutive elements of `dtype` at `source`, widened to f32.
@inline(__always)
func gemmLoadWidened16(_ source: UnsafeRawPointer, _ dtype: DType) -> SIMD16<Float> {
  switch dtype {
  case .f32: return source.loadUnaligned(as: SIMD16<Float>.self)
  case .f16:
    // Lane by lane: one vcvtph2ps (the generic SIMD conversion initialiser is an outlined loop).
    let h = source.loadUnaligned(as: SIMD16<Float16>.self)
    return SIMD16(Float(h[0]), Float(h[1]), Float(h[2]), Float(h[3]), Float(h[4]), Float(h[5]), Float(h[6]), Float(h[7]),
                  Float(h[8]), Float(h[9]), Float(h[10]), Float(h[11]), Float(h[12]), Float(h[13]), Float(h[14]), Float(h[15]))
  case .bf16:
    let h = source.loadUnaligned(as: SIMD16<UInt16>.self)
    let wide = SIMD16<UInt32>(UInt32(h[0]), UInt32(h[1]), UInt32(h[2]), UInt32(h[3]),
                              UInt32(h[4]), UInt32(h[5]), UInt32(h[6]), UInt32(h[7]),
                              UInt32(h[8]), UInt32(h[9]), UInt32(h[10]), UInt32(h[11]),
                              UInt32(h[12]), UInt32(h[13]), UInt32(h[14]), UInt32(h[15]))
    return unsafeBitCast(wide &<< 16, to: SIMD16<Float>.self)
  default: preconditionFailure("GEMM operands must be f32, f16 or bf16, not \(dtype)")
  }
}

// Lane-by-lane initialisers from two vectors' lanes compile to one two-source permute each
// (SIMD32's evenHalf/oddHalf are outlined loops).

/// (a0, b0, a1, b1, …, a7, b7) and (a8, b8, …, a15, b15).
@inlinable @inline(__always)
public func simdInterleave(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
  (SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7]),
   SIMD16(a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15]))
}

/// The even lanes and the odd lanes of `v`.
@inlinable @inline(__always)
public func simdDeinterleave(_ v: SIMD32<Float>) -> (even: SIMD16<Float>, odd: SIMD16<Float>) {
  (SIMD16(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14], v[16], v[18], v[20], v[22], v[24], v[26], v[28], v[30]),
   SIMD16(v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15], v[17], v[19], v[21], v[23], v[25], v[27], v[29], v[31]))
}

/// The even lanes and the odd lanes of `a` followed by `b`.
@inlinable @inline(__always)
public func simdDeinterleave(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (even: SIMD16<Float>, odd: SIMD16<Float>) {
  (SIMD16(a[0], a[2], a[4], a[6], a[8], a[10], a[12], a[14], b[0], b[2], b[4], b[6], b[8], b[10], b[12], b[14]),
   SIMD16(a[1], a[3], a[5], a[7], a[9], a[11], a[13], a[15], b[1], b[3], b[5], b[7], b[9], b[11], b[13], b[15]))
}
