// Flash-style attention: for each (batch, head, block of query rows), walk the keys in blocks: a
// GEMM for the scores Q·Kᵀ, a SIMD exponent pass against the running row maximum (online
// softmax), a rescale of the output rows, and a GEMM adding P·V. Row blocks are independent and
// each walks the key blocks in the same order, so the result does not depend on the thread count.
// B batch, H heads, T query tokens, S key tokens, D head size, Dv value size, R rows in a block,
// J keys in a block.
import Foundation

/// Query rows per task: a whole number of micro-kernel panels, about 128.
let attentionRowBlock = max(gemmMR, (128 / gemmMR) * gemmMR)
/// Keys per block: the [R,J] scores (about 256 KB) stay in L2 between the two GEMMs.
let attentionKeyBlock = 16 * gemmNR

func attentionRun(
  _ plan: AttentionPlan, query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, causal: Bool,
  output: UnsafeMutablePointer<Float>
) {
  let (t, s, d, dv) = (plan.queries, plan.keys, plan.headSize, plan.valueSize)
  if t == 0 || dv == 0 { return }
  let heads = plan.batch * plan.heads
  let blocks = (t + attentionRowBlock - 1) / attentionRowBlock
  let q = UnsafeRawPointer(query.rawPointer)
  let k = UnsafeRawPointer(key.rawPointer)
  let v = UnsafeRawPointer(value.rawPointer)
  let maskBase = mask.map { UnsafePointer($0.mutableFloats) }
  let (qSize, kSize, vSize) = (query.dtype.byteSize, key.dtype.byteSize, value.dtype.byteSize)
  // Kᵀ and V of every head packed once as GEMM B panels, shared by all query blocks of the head.
  let keyPanels = (s + gemmNR - 1) / gemmNR * gemmNR * d  // [S/NR][D][NR] per head
  let valuePanels = (dv + gemmNR - 1) / gemmNR * gemmNR * s  // [Dv/NR][S][NR] per head
  let packedFloats = heads * (keyPanels + valuePanels)
  let packed = allocateAlignedFloats(packedFloats)  // 64-byte aligned, as B panels must be
  defer { releaseAlignedFloats(packed, count: packedFloats) }
  ComputePool.shared.parallelFor(heads) { head in
    let keysT = GEMMMatrix(base: k + head * s * d * kSize, dtype: key.dtype, rowStride: 1, columnStride: d)
    gemmPackB(keysT, rows: 0..<d, columns: 0..<s, into: packed + head * (keyPanels + valuePanels))
    let values = GEMMMatrix(base: v + head * s * dv * vSize, dtype: value.dtype, rowStride: dv, columnStride: 1)
    gemmPackB(values, rows: 0..<s, columns: 0..<dv, into: packed + head * (keyPanels + valuePanels) + keyPanels)
  }
  // Without a mask and with scale > 0 the scale folds into the exponent: e^((x − max x)·scale).
  let factor: Float = mask == nil && plan.scale > 0 ? plan.scale : 1
  ComputePool.shared.parallelFor(heads * blocks) { task in
    let head = task / blocks
    let (b, h) = (head / plan.heads, head % plan.heads)
    let row0 = (task % blocks) * attentionRowBlock
    let rows = min(attentionRowBlock, t - row0)
    // Causal rows of this block see keys 0...row0 + rows - 1 at most.
    let columns = causal ? min(s, row0 + rows) : s
    let width = min(columns, attentionKeyBlock)
    // Score rows padded off a multiple of 1 KB so the P·V GEMM can read them in place.
    let ldp = (width + 15) / 16 * 16 + ((width + 15) / 16 * 16 % 256 == 0 ? 16 : 0)
    let scores = allocateAlignedFloats(rows * ldp + 3 * rows)
    defer { releaseAlignedFloats(scores, count: rows * ldp + 3 * rows) }
    let sums = scores + rows * ldp  // softmax denominators so far
    let maxima = sums + rows  // running row maxima (in exponent units before `factor`)
    let rescale = maxima + rows
    sums.update(repeating: 0, count: rows)
    maxima.update(repeating: -.infinity, count: rows)
    let keyBase = UnsafePointer(packed + head * (keyPanels + valuePanels))
    let out = output + (head * t + row0) * dv
    var j0 = 0
    while j0 < columns {
      let n = min(attentionKeyBlock, columns - j0)
      // [R,D] x [D,J] -> [R,J]
      gemm(GEMMProblem(
        m: rows, n: n, k: d,
        a: GEMMMatrix(base: q + (head * t + row0) * d * qSize, dtype: query.dtype, rowStride: d, columnStride: 1),
        b: .packed(keyBase + j0 * d, rows: d), c: scores, ldc: ldp), parallel: false)
      for r in 0..<rows {
        let i = row0 + r
        let maskRow = maskBase.map { $0 + plan.maskOffset(b, h, i) + j0 * plan.maskStrides.3 }
        let visible = causal ? max(0, min(n, i + 1 - j0)) : n
        let (top, sum) = attentionExpBlock(scores + r * ldp, n, visible: visible, scale: plan.scale, factor: factor,
                                           mask: maskRow, maskStride: plan.maskStrides.3, runningMax: maxima[r])
        let previous = maxima[r]
        let alpha: Float = previous == top ? 1 : (previous == -.infinity ? 0 : Foundation.exp((previous - top) * factor))
        sums[r] = sums[r] * alpha + sum
        maxima[r] = top
        rescale[r] = alpha
      }
      if j0 > 0 {
        for r in 0..<rows where rescale[r] != 1 {
          for c in 0..<dv { out[r * dv + c] *= rescale[r] }
        }
      }
      // [R,J] x [J,Dv] -> [R,Dv], added to the rows so far
      gemm(GEMMProblem(
        m: rows, n: dv, k: n,
        a: GEMMMatrix(base: UnsafeRawPointer(scores), dtype: .f32, rowStride: ldp, columnStride: 1),
        b: .packed(keyBase + keyPanels + j0 * gemmNR, rows: s), c: out, ldc: dv, accumulate: j0 > 0), parallel: false)
      j0 += n
    }
    // Normalising the [R,Dv] output costs less than normalising the [R,S] probabilities.
    for r in 0..<rows {
      let inverse = 1 / sums[r]
      for c in 0..<dv { out[r * dv + c] *= inverse }
    }
  }
}

/// One row of a key block: row[j] = e^((x[j] − m)·factor) for j < visible, where x is the raw score
/// (factor = scale) or the scaled and masked one (factor = 1) and m the larger of `runningMax` and
/// the block's maximum; 0 for visible ≤ j < count. Returns m and the row's sum.
func attentionExpBlock(
  _ row: UnsafeMutablePointer<Float>, _ count: Int, visible: Int, scale: Float, factor: Float,
  mask: UnsafePointer<Float>?, maskStride: Int, runningMax: Float
) -> (max: Float, sum: Float) {
  let vectorEnd = visible & ~15
  if let mask, maskStride == 1 {
    // A mask contiguous along the keys (the UNets' [B, 1, 1, S] text mask): a vector row pass with
    // the same two roundings as the strided loop below.
    addScaledRow(mask, row, scale: scale, row, visible)
  } else if let mask {
    for j in 0..<visible { row[j] = row[j] * scale + mask[j * maskStride] }
  } else if factor != scale {
    for j in 0..<visible { row[j] *= scale }
  }
  let top = visible > 0 ? max(runningMax, maxRow(row, visible)) : runningMax
  if top == -.infinity {
    // Every key so far is masked: nothing to add yet.
    row.update(repeating: 0, count: count)
    return (top, 0)
  }
  var total = attentionExpShifted(row, vectorEnd, shift: top, factor: factor)
  var j = vectorEnd
  while j < visible {
    row[j] = Foundation.exp((row[j] - top) * factor)
    total += row[j]
    j += 1
  }
  if visible < count { (row + visible).update(repeating: 0, count: count - visible) }
  return (top, total)
}

/// row[j] = e^((row[j] − shift)·factor) for j < count (a multiple of 16); returns the sum. As 2^t with
/// t = (row[j] − shift)·factor·log₂e ≤ 0: 2^n for the nearest integer n, built in the exponent bits,
/// times a degree-5 minimax polynomial of 2^f on f = t − n ∈ [−½, ½] (3 ulp; fitted in float64 on
/// Chebyshev nodes). t below −127 (including −∞ from masks) gives n = −127, whose 2^n bits are 0:
/// exactly 0. Written over memory rather than as a function of a SIMD16 value, which the calling
/// convention would split into four 128-bit pieces.
func attentionExpShifted(_ row: UnsafeMutablePointer<Float>, _ count: Int, shift: Float, factor: Float) -> Float {
  let raw = UnsafeMutableRawPointer(row)
  let low = SIMD16<Float>(repeating: -127)
  let offset = SIMD16<Float>(repeating: shift)
  let scale = SIMD16<Float>(repeating: factor * 1.442_695_04)
  // Adding 1.5·2²³ + 127 rounds to the nearest integer n and leaves n + 127 in the low mantissa bits,
  // which a shift by 23 moves into the exponent field of 2^n.
  let magic = SIMD16<Float>(repeating: 12_583_039)
  var sums = SIMD16<Float>()
  var j = 0
  while j < count {
    let x = (raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) - offset) * scale
    // replacing(where:) compiles to compare + blend; pointwiseMax does not vectorise.
    let t = x.replacing(with: low, where: x .< low)
    let shifted = t + magic
    let f = t - (shifted - magic)
    var p = SIMD16<Float>(repeating: 1.326_472_731_307_149e-3)
    p = SIMD16(repeating: 9.671_512_991_189_957e-3).addingProduct(p, f)
    p = SIMD16(repeating: 5.550_733_581_185_341e-2).addingProduct(p, f)
    p = SIMD16(repeating: 0.240_222_424_268_722_53).addingProduct(p, f)
    p = SIMD16(repeating: 0.693_147_003_650_665_3).addingProduct(p, f)
    p = SIMD16(repeating: 1).addingProduct(p, f)
    let power = unsafeBitCast(unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &<< 23, to: SIMD16<Float>.self)
    let e = p * power
    raw.storeBytes(of: e, toByteOffset: j * 4, as: SIMD16<Float>.self)
    sums += e
    j += 16
  }
  return sums.sum()
}
