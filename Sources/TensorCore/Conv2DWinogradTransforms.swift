// The transforms of conv2d's Winograd F(2×2, 3×3) path (Conv2DWinograd.swift), sixteen tiles (one
// group) or sixteen kernels per SIMD16: U = G g Gᵀ of the kernels, V = Bᵀ d B of the input patches,
// written as the GEMMs' packed B panels, and Y = Aᵀ M A + bias of the products, written as output rows.
// C channels, O outputs, S slots of a block; ξ = 4i + j indexes the 4×4 transformed patch.

/// The 16 values of G g Gᵀ for the kernels `g` (g0 … g8, row-major), handed to `put` with their ξ,
/// with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: G g has rows g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2
/// (three columns each), and (G g) Gᵀ maps each row (a, b, c) to (a, ½(a + b + c), ½(a − b + c), c).
@inline(__always)
func winogradKernelTransform(_ g: WinogradKernelTaps, _ put: (Int, SIMD16<Float>) -> Void) {
  @inline(__always) func halve(_ v: SIMD16<Float>) -> SIMD16<Float> { v * 0.5 }
  @inline(__always) func row(_ i: Int, _ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) {
    put(4 * i, a)
    put(4 * i + 1, halve(a + b + c))
    put(4 * i + 2, halve(a - b + c))
    put(4 * i + 3, c)
  }
  row(0, g.0, g.1, g.2)
  row(1, halve(g.0 + g.3 + g.6), halve(g.1 + g.4 + g.7), halve(g.2 + g.5 + g.8))
  row(2, halve(g.0 - g.3 + g.6), halve(g.1 - g.4 + g.7), halve(g.2 - g.5 + g.8))
  row(3, g.6, g.7, g.8)
}

/// V = Bᵀ d B for `channels` and every tile of `tileRows` × `groups`, stored as the packed B panels
/// of the 16 GEMMs: slot s of ξ, channel c at `[ξ][s / 32][firstRow + c][s % 32]` (panels of
/// `panelRows` rows, the GEMMs' K). With `pairedRows`, `tileRows` are pairs of tile rows and a
/// group's lanes 0–7 are tiles 0–7 of the pair's first row, lanes 8–15 of its second.
func winogradInputTransform(
  _ input: BorderedPlanes, channels range: Range<Int>, tileRows: Range<Int>, groups: Range<Int>, pairedRows: Bool,
  into transformed: UnsafeMutablePointer<Float>, xiStride perXi: Int, panelRows: Int, firstRow: Int
) {
  // Bytes from a patch row's first 16 floats to the next 16: on along the row, or to the pair's second row.
  let secondHalf = pairedRows ? 2 * input.rowStride * 4 : 64
  let channels = range.count
  for c in 0..<channels {
    let plane = UnsafeRawPointer(input.base + (range.lowerBound + c) * input.planeStride)
    for (rowIndex, tileRow) in tileRows.enumerated() {
      for group in groups {
        let slot = (rowIndex * groups.count + group - groups.lowerBound) * 16
        // Padded rows 2·(first tile row) ... +3, padded columns 2·(first tile) ...: d_ij over 16 tiles.
        let row0 = plane + ((2 * (pairedRows ? 2 * tileRow : tileRow)) * input.rowStride + 32 * group) * 4
        let (d00, d01, d02, d03) = winogradPatchRow(row0, secondHalf)
        let (d10, d11, d12, d13) = winogradPatchRow(row0 + input.rowStride * 4, secondHalf)
        let (d20, d21, d22, d23) = winogradPatchRow(row0 + 2 * input.rowStride * 4, secondHalf)
        let (d30, d31, d32, d33) = winogradPatchRow(row0 + 3 * input.rowStride * 4, secondHalf)
        // Bᵀ d (rows), then (Bᵀ d) B (columns) with Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
        let t0 = (d00 - d20, d01 - d21, d02 - d22, d03 - d23)
        let t1 = (d10 + d20, d11 + d21, d12 + d22, d13 + d23)
        let t2 = (d20 - d10, d21 - d11, d22 - d12, d23 - d13)
        let t3 = (d10 - d30, d11 - d31, d12 - d32, d13 - d33)
        let target = UnsafeMutableRawPointer(transformed + (slot / 32) * panelRows * 32 + (firstRow + c) * 32 + slot % 32)
        @inline(__always) func put(_ i: Int, _ t: SIMD16x4) {
          let row = target + i * 4 * perXi * 4  // ξ = 4i + j
          let v = winogradB4(t)
          row.storeBytes(of: v.0, toByteOffset: 0, as: SIMD16<Float>.self)
          row.storeBytes(of: v.1, toByteOffset: perXi * 4, as: SIMD16<Float>.self)
          row.storeBytes(of: v.2, toByteOffset: 2 * perXi * 4, as: SIMD16<Float>.self)
          row.storeBytes(of: v.3, toByteOffset: 3 * perXi * 4, as: SIMD16<Float>.self)
        }
        put(0, t0)
        put(1, t1)
        put(2, t2)
        put(3, t3)
      }
    }
  }
}

/// Bᵀ x for four values x0…x3, with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
@inline(__always)
func winogradB4(_ x: SIMD16x4) -> SIMD16x4 { (x.0 - x.2, x.1 + x.2, x.2 - x.1, x.1 - x.3) }

/// Columns j = 0...3 of one patch row for 16 tiles: the even and odd floats of 32, the first 16 from
/// `row` (and `row` + 2 floats), the other 16 from `secondHalf` bytes on.
@inline(__always)
private func winogradPatchRow(_ row: UnsafeRawPointer, _ secondHalf: Int) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
  @inline(__always) func floats(_ offset: Int) -> SIMD16<Float> { row.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self) }
  let left = simdDeinterleave(floats(0), floats(secondHalf))
  let right = simdDeinterleave(floats(8), floats(secondHalf + 8))
  return (left.even, left.odd, right.even, right.odd)
}

/// Y = Aᵀ M A + bias, sixteen tiles at a time, written as two output rows of 32 pixels (the last
/// group of a row and an odd last row store only the pixels inside H×W) into `output`; with
/// `pairedRows`, as four rows of 16 (two per tile row of the pair).
func winogradOutputTransform(
  _ products: UnsafePointer<Float>, outputs: Int, height: Int, width: Int, xiStride perXi: Int, slots: Int,
  tileRows: Range<Int>, groups: Range<Int>, pairedRows: Bool, bias: UnsafePointer<Float>, into output: OutputPlanes
) {
  winogradForEachOutputGroup(products, outputs: outputs, slots: slots, tileRows: tileRows, groups: groups, bias: bias) {
    o, start, tileRow, group, source in
    @inline(__always) func m(_ xi: Int) -> SIMD16<Float> {
      source.loadUnaligned(fromByteOffset: xi * perXi * 4, as: SIMD16<Float>.self)
    }
    // Aᵀ M (rows) with Aᵀ = [1 1 1 0; 0 1 -1 -1], then (Aᵀ M) A (columns).
    let s0 = (m(0) + m(4) + m(8), m(1) + m(5) + m(9), m(2) + m(6) + m(10), m(3) + m(7) + m(11))
    let s1 = (m(4) - m(8) - m(12), m(5) - m(9) - m(13), m(6) - m(10) - m(14), m(7) - m(11) - m(15))
    // Output rows 2·tileRow and +1: 32 pixels each, even and odd columns interleaved.
    let top = simdInterleave(start + s0.0 + s0.1 + s0.2, start + s0.1 - s0.2 - s0.3)
    let bottom = simdInterleave(start + s1.0 + s1.1 + s1.2, start + s1.1 - s1.2 - s1.3)
    if pairedRows {
      // Lanes 0–7 are output rows 4·pair and +1, lanes 8–15 rows 4·pair + 2 and + 3, 16 pixels each.
      let (first, count) = (4 * tileRow, min(16, width))
      let target = output.base + o * output.planeStride + first * output.rowStride
      winogradStore(top.0, count, target)
      if first + 1 < height { winogradStore(bottom.0, count, target + output.rowStride) }
      if first + 2 < height { winogradStore(top.1, count, target + 2 * output.rowStride) }
      if first + 3 < height { winogradStore(bottom.1, count, target + 3 * output.rowStride) }
      return
    }
    let column = group * 32
    let count = min(32, width - column)
    let target = output.base + o * output.planeStride + 2 * tileRow * output.rowStride + column
    winogradStore(top, count, target)
    if 2 * tileRow + 1 < height { winogradStore(bottom, count, target + output.rowStride) }
  }
}

/// Calls `body` for every output channel o and group (16 tiles) of a block, in that order, with
/// o's bias in every lane, the group's tile row and group index, and its products: ξ's 16 values at
/// `source + ξ · xiStride` floats.
@inline(__always)
func winogradForEachOutputGroup(
  _ products: UnsafePointer<Float>, outputs: Int, slots: Int, tileRows: Range<Int>, groups: Range<Int>,
  bias: UnsafePointer<Float>, _ body: (_ o: Int, _ start: SIMD16<Float>, _ tileRow: Int, _ group: Int, _ source: UnsafeRawPointer) -> Void
) {
  for o in 0..<outputs {
    let start = SIMD16<Float>(repeating: bias[o])
    for (rowIndex, tileRow) in tileRows.enumerated() {
      for group in groups {
        body(o, start, tileRow, group, UnsafeRawPointer(products + o * slots + (rowIndex * groups.count + group - groups.lowerBound) * 16))
      }
    }
  }
}

/// The first `count` (up to 16) of `values`.
@inline(__always)
func winogradStore(_ values: SIMD16<Float>, _ count: Int, _ target: UnsafeMutablePointer<Float>) {
  if count == 16 {
    UnsafeMutableRawPointer(target).storeBytes(of: values, as: SIMD16<Float>.self)
  } else {
    for lane in 0..<count { target[lane] = values[lane] }
  }
}

/// The first `count` of the 32 values `halves`.
@inline(__always)
func winogradStore(_ halves: (SIMD16<Float>, SIMD16<Float>), _ count: Int, _ target: UnsafeMutablePointer<Float>) {
  if count == 32 {
    UnsafeMutableRawPointer(target).storeBytes(of: halves.0, as: SIMD16<Float>.self)
    UnsafeMutableRawPointer(target).storeBytes(of: halves.1, toByteOffset: 64, as: SIMD16<Float>.self)
  } else {
    for lane in 0..<count { target[lane] = lane < 16 ? halves.0[lane] : halves.1[lane - 16] }
  }
}
