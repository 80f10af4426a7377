// conv2d's Winograd path for small images (Conv2DWinograd.swift): when an image is at most 4 tile
// rows of 4 tiles (F(4×4) on 13–16 pixels a side, F(2×2) on 7–8), its tiles fill one group (lane
// 4r + t holds tile t of tile row r) and all N images together are one block of S = 16·N slots
// (rounded up to whole 32-wide B panels). Each transformed kernel value then meets only S tiles, so
// writing all of U to memory and reading it back (59 MB for 960 → 960 channels at F(2×2)) would
// cost more than the products. Instead, each task transforms the kernels of one output panel (MR
// channels), one K chunk at a time, into a buffer that stays in L2, multiplies them with the block's
// transformed input V (all channels, in L3), and keeps the panel's products M in L2 until its output
// transform.
// Every output channel's value is computed the same way whatever the thread count.

/// Input channels per K chunk: U for one output panel's chunk, points × (chunk + 1) × MR floats
/// (518 KB at F(4×4)), stays in L2 beside the panel's products (points × MR × S floats). Measured on
/// `conv-karlo-16` and `-8` against 2 panels × 128 or 64 channels and 4 × 64: as fast on one thread,
/// 5–10 % faster on two.
private let wholeImageChunk = 256

/// Whether a `height` × `width` image is at most 4 tile rows of 4 tiles of `tile`.
func winogradWholeImageFits(height: Int, width: Int, tile: WinogradTile) -> Bool {
  let m = tile.size
  return (width + m - 1) / m == 4 && (height + m - 1) / m <= 4
}

/// `x` [N, C, H, W] (f32, each image at most 4 × 4 tiles of `tile`) convolved with the kernels
/// `weight`, an [O, C·9] matrix (f32, f16 or bf16, strided or in panels, kept alive by the caller),
/// padding 1, plus `bias` [O] (f32): → [N, O, H, W].
func conv2dWinogradWholeImages(_ x: Tensor, weight: GEMMMatrix, outputs: Int, bias: Tensor,
                               tile: WinogradTile) -> Tensor {
  let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  precondition(winogradWholeImageFits(height: height, width: width, tile: tile),
               "conv2dWinogradWholeImages: \(height)×\(width) is more than 4 × 4 tiles of \(tile.size)")
  let (m, points) = (tile.size, tile.points)
  let tileRows = (height + m - 1) / m
  // Patches reach m·tileRows + 2 padded rows, and a last tile's columns up to m − 1 floats past a row.
  let rowStride = width + 2
  let planeStride = (m * tileRows + 2) * rowStride + m
  let bordered = zeroBorderedPlanes(x, border: 1, rowStride: rowStride, planeStride: planeStride)  // [N, C, plane]
  let padded = UnsafePointer(bordered.base.assumingMemoryBound(to: Float.self))
  let slots = (16 * batch + gemmNR - 1) / gemmNR * gemmNR
  // V: [points][S/32][C][32], one cache line more than a power of two between the ξ (Conv2DWinograd.swift).
  let inputStride = slots * channels + 16
  let transformed = TensorStorage(zeroedByteCount: points * inputStride * 4)
  let v = transformed.base.assumingMemoryBound(to: Float.self)
  // Padded-plane offset of each lane's patch; lanes past the image's tiles read the zero corner.
  let patchOffsets = (0..<16).map { lane in lane / 4 < tileRows ? m * (lane / 4) * rowStride + m * (lane % 4) : 0 }
  forEachChunk(channels, work: batch * points * 16 * 4) { range in
    for c in range {
      for image in 0..<batch {
        let plane = padded + (image * channels + c) * planeStride
        let slot = 16 * image
        let target = v + (slot / gemmNR) * channels * gemmNR + c * gemmNR + slot % gemmNR
        winogradWholeImageInputTransform(plane, patchOffsets: patchOffsets, rowStride: rowStride, tile: tile) { xi, value in
          UnsafeMutableRawPointer(target + xi * inputStride).storeBytes(of: value, as: SIMD16<Float>.self)
        }
      }
    }
  }
  let result = Tensor(uninitialized: [batch, outputs, height, width])  // [N,C,H,W] -> [N,O,H,W]
  let planes = result.mutableFloats
  let panels = (outputs + gemmMR - 1) / gemmMR
  // U: [points][chunk + 1][MR]; M: [points][MR][S].
  let kernelStride = (wholeImageChunk + 1) * gemmMR + 16, productStride = gemmMR * slots + 16
  let scratchFloats = points * (kernelStride + productStride)
  let tasks = min(panels, ComputePool.shared.threadCount == 1 ? 1 : 4 * ComputePool.shared.threadCount)
  withExtendedLifetime((bordered, transformed, bias)) {
    ComputePool.shared.parallelFor(tasks) { task in
      let kernels = allocateAlignedFloats(scratchFloats)
      defer { releaseAlignedFloats(kernels, count: scratchFloats) }
      let products = kernels + points * kernelStride
      for panel in (task * panels / tasks)..<((task + 1) * panels / tasks) {
        var first = 0
        while first < channels {
          let k = min(wholeImageChunk, channels - first)
          winogradTransformPanel(weight, outputs: outputs, panel: panel, channels: first..<first + k, tile: tile,
                                 into: kernels, xiStride: kernelStride)
          winogradPanelProducts(points: points, k: k, u: kernels, kernelStride: kernelStride, v: v, inputStride: inputStride,
                                panelRows: channels, firstRow: first, products: products, productStride: productStride,
                                slots: slots, accumulate: first > 0)
          first += k
        }
        for o in panel * gemmMR..<min(outputs, (panel + 1) * gemmMR) {
          for image in 0..<batch {
            let plane = planes + (image * outputs + o) * height * width
            winogradWholeImageOutputTransform(products + (o - panel * gemmMR) * slots + 16 * image, xiStride: productStride,
                                              bias: bias.floats[o], tile: tile, tileRows: tileRows, height: height,
                                              width: width, into: plane)
          }
        }
      }
    }
  }
  return result
}

/// V = Bᵀ d B of one channel's 16 patches (lane l's patch at `plane + patchOffsets[l]`, rows
/// `rowStride` floats apart), each ξ's 16 values handed to `put`.
@inline(__always)
private func winogradWholeImageInputTransform(_ plane: UnsafePointer<Float>, patchOffsets: [Int], rowStride: Int,
                                              tile: WinogradTile, _ put: (Int, SIMD16<Float>) -> Void) {
  @inline(__always) func d(_ i: Int, _ j: Int) -> SIMD16<Float> {
    var value = SIMD16<Float>()
    for lane in 0..<16 { value[lane] = plane[patchOffsets[lane] + i * rowStride + j] }
    return value
  }
  switch tile {
  case .f2x2:
    // Bᵀ along the columns j, then along the rows.
    let columns = (winogradB4((d(0, 0), d(1, 0), d(2, 0), d(3, 0))), winogradB4((d(0, 1), d(1, 1), d(2, 1), d(3, 1))),
                   winogradB4((d(0, 2), d(1, 2), d(2, 2), d(3, 2))), winogradB4((d(0, 3), d(1, 3), d(2, 3), d(3, 3))))
    @inline(__always) func row(_ i: Int, _ x: SIMD16x4) {
      let r = winogradB4(x)
      put(4 * i, r.0); put(4 * i + 1, r.1); put(4 * i + 2, r.2); put(4 * i + 3, r.3)
    }
    row(0, (columns.0.0, columns.1.0, columns.2.0, columns.3.0))
    row(1, (columns.0.1, columns.1.1, columns.2.1, columns.3.1))
    row(2, (columns.0.2, columns.1.2, columns.2.2, columns.3.2))
    row(3, (columns.0.3, columns.1.3, columns.2.3, columns.3.3))
  case .f4x4:
    // Bᵀ along each patch row i, then along each column j, stored at ξ = 6i + j.
    @inline(__always) func patchRow(_ i: Int) -> SIMD16x6 { winogradB6((d(i, 0), d(i, 1), d(i, 2), d(i, 3), d(i, 4), d(i, 5))) }
    let e = (patchRow(0), patchRow(1), patchRow(2), patchRow(3), patchRow(4), patchRow(5))
    @inline(__always) func column(_ j: Int, _ x: SIMD16x6) {
      let r = winogradB6(x)
      put(j, r.0); put(6 + j, r.1); put(12 + j, r.2); put(18 + j, r.3); put(24 + j, r.4); put(30 + j, r.5)
    }
    column(0, (e.0.0, e.1.0, e.2.0, e.3.0, e.4.0, e.5.0))
    column(1, (e.0.1, e.1.1, e.2.1, e.3.1, e.4.1, e.5.1))
    column(2, (e.0.2, e.1.2, e.2.2, e.3.2, e.4.2, e.5.2))
    column(3, (e.0.3, e.1.3, e.2.3, e.3.3, e.4.3, e.5.3))
    column(4, (e.0.4, e.1.4, e.2.4, e.3.4, e.4.4, e.5.4))
    column(5, (e.0.5, e.1.5, e.2.5, e.3.5, e.4.5, e.5.5))
  }
}

/// Y = Aᵀ M A + `bias` of one output channel's 16 tiles (ξ's products at `source + ξ · xiStride`),
/// written into its H×W `plane` (pixels outside the image dropped).
@inline(__always)
private func winogradWholeImageOutputTransform(_ source: UnsafePointer<Float>, xiStride: Int, bias: Float,
                                               tile: WinogradTile, tileRows: Int, height: Int, width: Int,
                                               into plane: UnsafeMutablePointer<Float>) {
  @inline(__always) func m(_ xi: Int) -> SIMD16<Float> {
    UnsafeRawPointer(source + xi * xiStride).loadUnaligned(as: SIMD16<Float>.self)
  }
  let start = SIMD16<Float>(repeating: bias)
  let size = tile.size
  // Pixel (a, b) of lane l's tile: y(a, b)[l], at row size·(l / 4) + a, column size·(l % 4) + b.
  @inline(__always) func store(_ a: Int, _ b: Int, _ y: SIMD16<Float>) {
    for lane in 0..<4 * tileRows {
      let (row, column) = (size * (lane / 4) + a, size * (lane % 4) + b)
      if row < height && column < width { plane[row * width + column] = y[lane] }
    }
  }
  switch tile {
  case .f2x2:
    // Aᵀ x with Aᵀ = [1 1 1 0; 0 1 −1 −1], along the rows i, then along the columns.
    @inline(__always) func a2(_ x: SIMD16x4) -> (SIMD16<Float>, SIMD16<Float>) { (x.0 + x.1 + x.2, x.1 - x.2 - x.3) }
    let columns = ((m(0), m(4), m(8), m(12)), (m(1), m(5), m(9), m(13)), (m(2), m(6), m(10), m(14)), (m(3), m(7), m(11), m(15)))
    let (c0, c1, c2, c3) = (a2(columns.0), a2(columns.1), a2(columns.2), a2(columns.3))
    let top = a2((c0.0, c1.0, c2.0, c3.0)), bottom = a2((c0.1, c1.1, c2.1, c3.1))
    store(0, 0, top.0 + start); store(0, 1, top.1 + start)
    store(1, 0, bottom.0 + start); store(1, 1, bottom.1 + start)
  case .f4x4:
    @inline(__always) func column(_ j: Int) -> SIMD16x4 {
      winogradA6((m(j), m(6 + j), m(12 + j), m(18 + j), m(24 + j), m(30 + j)))
    }
    let s = (column(0), column(1), column(2), column(3), column(4), column(5))
    @inline(__always) func row(_ a: Int, _ x: SIMD16x6) {
      let y = winogradA6(x)
      store(a, 0, y.0 + start); store(a, 1, y.1 + start); store(a, 2, y.2 + start); store(a, 3, y.3 + start)
    }
    row(0, (s.0.0, s.1.0, s.2.0, s.3.0, s.4.0, s.5.0))
    row(1, (s.0.1, s.1.1, s.2.1, s.3.1, s.4.1, s.5.1))
    row(2, (s.0.2, s.1.2, s.2.2, s.3.2, s.4.2, s.5.2))
    row(3, (s.0.3, s.1.3, s.2.3, s.3.3, s.4.3, s.5.3))
  }
}
