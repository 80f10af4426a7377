// The transforms of conv2d's Winograd F(4×4, 3×3) path (Conv2DWinograd.swift), sixteen tiles (one
// group) or sixteen kernels per SIMD16: 6×6 input patches d at a stride of 4, 36 products, 4×4
// outputs (Lavin & Gray 2015, interpolation points 0, ±1, ±2, ∞):
// Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1],
// G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1],
// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].
// Each 2-D transform is its 1-D matrix applied along the patch's rows, then along its columns.
// C channels, O outputs, S slots of a block; ξ = 6i + j indexes the 6×6 transformed patch.

/// Six vectors: one patch row or column of 16 tiles or kernels.
typealias SIMD16x6 = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
/// Four vectors: one output row of 16 tiles, pixel columns 0…3.
typealias SIMD16x4 = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

/// The 36 values of G g Gᵀ for the kernels `g` (g0 … g8, row-major), handed to `put` with their ξ.
@inline(__always)
func winogradKernelTransform4x4(_ g: WinogradKernelTaps, _ put: (Int, SIMD16<Float>) -> Void) {
  let (sixth, twelfth, twentyFourth) = (SIMD16<Float>(repeating: 1.0 / 6), SIMD16<Float>(repeating: 1.0 / 12),
                                        SIMD16<Float>(repeating: 1.0 / 24))
  let quarter = SIMD16<Float>(repeating: 0.25)
  @inline(__always) func times(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) -> SIMD16x6 {
    let outer = a * twentyFourth + c * sixth
    return (a * quarter, -((a + b + c) * sixth), -((a - b + c) * sixth), outer + b * twelfth, outer - b * twelfth, c)
  }
  let columns = (times(g.0, g.3, g.6), times(g.1, g.4, g.7), times(g.2, g.5, g.8))  // G g: column k, rows i
  @inline(__always) func row(_ i: Int, _ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) {
    let r = times(a, b, c)  // (G g Gᵀ)[i][0...5]
    put(6 * i, r.0); put(6 * i + 1, r.1); put(6 * i + 2, r.2); put(6 * i + 3, r.3); put(6 * i + 4, r.4); put(6 * i + 5, r.5)
  }
  row(0, columns.0.0, columns.1.0, columns.2.0)
  row(1, columns.0.1, columns.1.1, columns.2.1)
  row(2, columns.0.2, columns.1.2, columns.2.2)
  row(3, columns.0.3, columns.1.3, columns.2.3)
  row(4, columns.0.4, columns.1.4, columns.2.4)
  row(5, columns.0.5, columns.1.5, columns.2.5)
}

// The constant factors as whole vectors: a vector × scalar product here compiled to scalar code.
private let two = SIMD16<Float>(repeating: 2), four = SIMD16<Float>(repeating: 4)
private let five = SIMD16<Float>(repeating: 5), eight = SIMD16<Float>(repeating: 8)

/// Bᵀ d for six values d0…d5.
@inline(__always)
func winogradB6(_ d: SIMD16x6) -> SIMD16x6 {
  let outer = d.4 - d.2, inner = (d.1 - d.3) * two
  return (d.0 * four - d.2 * five + d.4, d.3 + d.4 - (d.1 + d.2) * four, d.4 - d.3 + (d.1 - d.2) * four, outer - inner,
          outer + inner, d.1 * four - d.3 * five + d.5)
}

/// Aᵀ m for six values m0…m5.
@inline(__always)
func winogradA6(_ m: SIMD16x6) -> SIMD16x4 {
  let (sum, difference) = (m.1 + m.2, m.1 - m.2)
  let (outerSum, outerDifference) = (m.3 + m.4, m.3 - m.4)
  return (m.0 + sum + outerSum, difference + outerDifference * two, sum + outerSum * four,
          difference + outerDifference * eight + m.5)
}

/// V = Bᵀ d B for `channels` and every tile of `tileRows` × `groups`, stored as the packed B panels
/// of the 36 GEMMs: slot s of ξ, channel c at `[ξ][s / 32][firstRow + c][s % 32]` (panels of
/// `panelRows` rows). With `pairedRows`, `tileRows` are pairs of tile rows and a group's lanes 0–7
/// are tiles 0–7 of the pair's first row, lanes 8–15 of its second. Each channel's patch rows are first
/// split by phase (`winogradSplitPhases`), so that column j of 16 tiles is one unaligned load: with
/// the deinterleaving shuffles and the arithmetic in one function, LLVM merged them into scalar code
/// (a fifth of a 64×64×320 convolution's time).
func winogradInputTransform4x4(
  _ input: BorderedPlanes, channels range: Range<Int>, tileRows: Range<Int>, groups: Range<Int>, pairedRows: Bool,
  into transformed: UnsafeMutablePointer<Float>, xiStride perXi: Int, panelRows: Int, firstRow: Int
) {
  let channels = range.count
  let rowsPerGroupRow = pairedRows ? 8 : 4  // padded rows from one group row's patches to the next's
  let rowCount = rowsPerGroupRow * tileRows.count + 2  // the padded rows the block's patches cover
  // The block's tiles and 16 more (columns 4 and 5 reach one tile on); paired rows' 8 tiles and
  // the ninth fit in one 16.
  let chunks = pairedRows ? 1 : groups.count + 1
  let phaseWidth = 16 * chunks
  let split = allocateAlignedFloats(rowCount * 4 * phaseWidth)  // [row][phase p][tile t] = padded row[4t + p]
  defer { releaseAlignedFloats(split, count: rowCount * 4 * phaseWidth) }
  let phaseBytes = phaseWidth * 4, rowBytes = 4 * phaseBytes
  for c in 0..<channels {
    let plane = input.base + (range.lowerBound + c) * input.planeStride
    winogradSplitPhases(plane + rowsPerGroupRow * tileRows.lowerBound * input.rowStride + 64 * groups.lowerBound,
                        rowStride: input.rowStride, rows: rowCount, chunks: chunks, into: split, phaseWidth: phaseWidth)
    for rowIndex in 0..<tileRows.count {
      for group in 0..<groups.count {
        let slot = (rowIndex * groups.count + group) * 16
        let origin = UnsafeRawPointer(split + rowsPerGroupRow * rowIndex * 4 * phaseWidth + 16 * group)
        // Patch row i, columns j = 0…5 of the 16 tiles: phases 0…3, then phases 0 and 1 one tile on.
        @inline(__always) func patchRow(_ i: Int) -> SIMD16x6 {
          let row = origin + i * rowBytes
          @inline(__always) func column(_ offset: Int) -> SIMD16<Float> {
            if !pairedRows { return row.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self) }
            // Tiles 0–7 of this patch row, then of the same patch row of the pair's second tile row.
            return SIMD16(lowHalf: row.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                          highHalf: row.loadUnaligned(fromByteOffset: 4 * rowBytes + offset, as: SIMD8<Float>.self))
          }
          return (column(0), column(phaseBytes), column(2 * phaseBytes), column(3 * phaseBytes), column(4),
                  column(phaseBytes + 4))
        }
        // Bᵀ d along each row i.
        let e0 = winogradB6(patchRow(0)), e1 = winogradB6(patchRow(1)), e2 = winogradB6(patchRow(2))
        let e3 = winogradB6(patchRow(3)), e4 = winogradB6(patchRow(4)), e5 = winogradB6(patchRow(5))
        let target = UnsafeMutableRawPointer(transformed + (slot / 32) * panelRows * 32 + (firstRow + c) * 32 + slot % 32)
        // Then Bᵀ along column j, stored at ξ = 6i + j.
        @inline(__always) func put(_ j: Int, _ column: SIMD16x6) {
          target.storeBytes(of: column.0, toByteOffset: j * perXi * 4, as: SIMD16<Float>.self)
          target.storeBytes(of: column.1, toByteOffset: (6 + j) * perXi * 4, as: SIMD16<Float>.self)
          target.storeBytes(of: column.2, toByteOffset: (12 + j) * perXi * 4, as: SIMD16<Float>.self)
          target.storeBytes(of: column.3, toByteOffset: (18 + j) * perXi * 4, as: SIMD16<Float>.self)
          target.storeBytes(of: column.4, toByteOffset: (24 + j) * perXi * 4, as: SIMD16<Float>.self)
          target.storeBytes(of: column.5, toByteOffset: (30 + j) * perXi * 4, as: SIMD16<Float>.self)
        }
        put(0, winogradB6((e0.0, e1.0, e2.0, e3.0, e4.0, e5.0)))
        put(1, winogradB6((e0.1, e1.1, e2.1, e3.1, e4.1, e5.1)))
        put(2, winogradB6((e0.2, e1.2, e2.2, e3.2, e4.2, e5.2)))
        put(3, winogradB6((e0.3, e1.3, e2.3, e3.3, e4.3, e5.3)))
        put(4, winogradB6((e0.4, e1.4, e2.4, e3.4, e4.4, e5.4)))
        put(5, winogradB6((e0.5, e1.5, e2.5, e3.5, e4.5, e5.5)))
      }
    }
  }
}

/// `rows` rows of `chunks` × 64 floats from `source` (rows `rowStride` floats apart) split by phase:
/// `split[r][p][t] = source[r][4t + p]`, each phase `phaseWidth` floats. Kept out of line so that its
/// shuffles stay apart from the transform's arithmetic.
@inline(never)
private func winogradSplitPhases(_ source: UnsafePointer<Float>, rowStride: Int, rows: Int, chunks: Int,
                                 into split: UnsafeMutablePointer<Float>, phaseWidth: Int) {
  for r in 0..<rows {
    let row = UnsafeRawPointer(source + r * rowStride)
    let target = UnsafeMutableRawPointer(split + r * 4 * phaseWidth)
    for chunk in 0..<chunks {
      let at = chunk * 256
      let (even0, odd0) = simdDeinterleave(row.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self),
                                           row.loadUnaligned(fromByteOffset: at + 64, as: SIMD16<Float>.self))
      let (even1, odd1) = simdDeinterleave(row.loadUnaligned(fromByteOffset: at + 128, as: SIMD16<Float>.self),
                                           row.loadUnaligned(fromByteOffset: at + 192, as: SIMD16<Float>.self))
      let (phase0, phase2) = simdDeinterleave(even0, even1)
      let (phase1, phase3) = simdDeinterleave(odd0, odd1)
      target.storeBytes(of: phase0, toByteOffset: chunk * 64, as: SIMD16<Float>.self)
      target.storeBytes(of: phase1, toByteOffset: (phaseWidth + chunk * 16) * 4, as: SIMD16<Float>.self)
      target.storeBytes(of: phase2, toByteOffset: (2 * phaseWidth + chunk * 16) * 4, as: SIMD16<Float>.self)
      target.storeBytes(of: phase3, toByteOffset: (3 * phaseWidth + chunk * 16) * 4, as: SIMD16<Float>.self)
    }
  }
}

/// Y = Aᵀ M A + bias, sixteen tiles at a time, written as four output rows of 64 pixels (the last
/// group of a row and the last tile row store only the pixels inside H×W) into `output`; with
/// `pairedRows`, as eight rows of 32 (four per tile row of the pair).
func winogradOutputTransform4x4(
  _ products: UnsafePointer<Float>, outputs: Int, height: Int, width: Int, xiStride perXi: Int, slots: Int,
  tileRows: Range<Int>, groups: Range<Int>, pairedRows: Bool, bias: UnsafePointer<Float>, into output: OutputPlanes
) {
  winogradForEachOutputGroup(products, outputs: outputs, slots: slots, tileRows: tileRows, groups: groups, bias: bias) {
    o, start, tileRow, group, source in
    // Aᵀ M along each column j (rows i = 0…5 → 4), then along each of the four rows.
    @inline(__always) func column(_ j: Int) -> SIMD16x4 {
      @inline(__always) func m(_ i: Int) -> SIMD16<Float> {
        source.loadUnaligned(fromByteOffset: (6 * i + j) * perXi * 4, as: SIMD16<Float>.self)
      }
      return winogradA6((m(0), m(1), m(2), m(3), m(4), m(5)))
    }
    let (s0, s1, s2, s3, s4, s5) = (column(0), column(1), column(2), column(3), column(4), column(5))
    let firstPixel = pairedRows ? 0 : group * 64
    let count = min(64, width - firstPixel)
    let firstRow = (pairedRows ? 8 : 4) * tileRow
    let target = output.base + o * output.planeStride + firstRow * output.rowStride + firstPixel
    @inline(__always) func store(_ r: Int, _ y: SIMD16x4) {
      guard firstRow + r < height else { return }
      let pixels = winogradPixels64((y.0 + start, y.1 + start, y.2 + start, y.3 + start))
      winogradStore(pixels.0, min(32, count), target + r * output.rowStride)
      if pairedRows {
        // Lanes 8–15: row r of the pair's second tile row, four output rows further down.
        if firstRow + 4 + r < height { winogradStore(pixels.1, count, target + (4 + r) * output.rowStride) }
      } else if count > 32 {
        winogradStore(pixels.1, count - 32, target + r * output.rowStride + 32)
      }
    }
    store(0, winogradA6((s0.0, s1.0, s2.0, s3.0, s4.0, s5.0)))
    store(1, winogradA6((s0.1, s1.1, s2.1, s3.1, s4.1, s5.1)))
    store(2, winogradA6((s0.2, s1.2, s2.2, s3.2, s4.2, s5.2)))
    store(3, winogradA6((s0.3, s1.3, s2.3, s3.3, s4.3, s5.3)))
  }
}

/// The 64 pixels `4t + c` = `y.c[t]` (16 tiles, 4 columns each): those of tiles 0…7, then of 8…15.
@inline(__always)
private func winogradPixels64(_ y: SIMD16x4) -> ((SIMD16<Float>, SIMD16<Float>), (SIMD16<Float>, SIMD16<Float>)) {
  let (even0, even1) = simdInterleave(y.0, y.2)  // columns 0 and 2 of tiles 0…7, then 8…15
  let (odd0, odd1) = simdInterleave(y.1, y.3)
  return (simdInterleave(even0, odd0), simdInterleave(even1, odd1))
}
