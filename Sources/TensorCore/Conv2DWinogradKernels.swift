// The kernel side of conv2d's Winograd path (Conv2DWinograd.swift): U = G g Gᵀ of every 3×3 kernel,
// written straight in the SGEMM's A-panel layout so that the products read it in place.
// O output channels, C input channels, MR = gemmMR output channels per panel, ξ the transformed
// point (16 for F(2×2), 36 for F(4×4)).

/// U for every kernel, as GEMM A panels: [points][⌈O/MR⌉][C + 1][MR] floats (row C of a panel is
/// room for the last channel's 16-lane store; rows past O are zero). MR output channels at a time,
/// one vector per tap (lanes = output channels).
struct WinogradKernels {
  let inChannels: Int
  let outChannels: Int
  let tile: WinogradTile
  /// [points][⌈O/MR⌉][C + 1][MR]
  let transformed: TensorStorage
  /// [O] (f32)
  let bias: Tensor

  /// Floats from one panel of U_ξ to the next.
  var panelStride: Int { (inChannels + 1) * gemmMR }
  /// Floats from U_ξ to U_ξ+1.
  var pointStride: Int { (outChannels + gemmMR - 1) / gemmMR * panelStride }

  /// From `weight`, the [O, C·9] matrix of the kernels [O, C, 3, 3] (f32, f16 or bf16; strided or
  /// in panels; kept alive by the caller), and `bias` [O] (f32).
  init(weight: GEMMMatrix, outputs: Int, channels: Int, bias: Tensor, tile: WinogradTile) {
    (outChannels, inChannels) = (outputs, channels)
    self.tile = tile
    self.bias = bias
    transformed = TensorStorage(uninitializedByteCount: tile.points * (outputs + gemmMR - 1) / gemmMR * (channels + 1) * gemmMR * 4)
    winogradTransform(weight, into: self)
  }

  /// U_ξ's columns (input channels) from `firstChannel` on, as the A operand of a product (read in
  /// place; valid while `transformed` lives).
  func matrix(point xi: Int, firstChannel: Int) -> GEMMMatrix {
    GEMMMatrix(base: UnsafeRawPointer(transformed.base) + (xi * pointStride + firstChannel * gemmMR) * 4, dtype: .f32,
               rowStride: 0, columnStride: 1, panelDepth: inChannels + 1)
  }
}

/// Writes U for the kernels of `weight` into `kernels.transformed`, panel by panel.
private func winogradTransform(_ weight: GEMMMatrix, into kernels: WinogradKernels) {
  let u = kernels.transformed.base.assumingMemoryBound(to: Float.self)
  let panels = (kernels.outChannels + gemmMR - 1) / gemmMR
  forEachChunk(panels, work: kernels.inChannels * gemmMR * 4 * kernels.tile.points) { range in
    for panel in range {
      winogradTransformPanel(weight, outputs: kernels.outChannels, panel: panel, channels: 0..<kernels.inChannels,
                             tile: kernels.tile, into: u + panel * kernels.panelStride, xiStride: kernels.pointStride)
    }
  }
}

/// U for output channels `panel`·MR ..< +MR (those below `outputs`) and input `channels` of `weight`
/// (the [O, C·9] kernels, f32, f16 or bf16, strided or in panels): ξ's row for channel c (MR floats,
/// one per output channel) at `target + ξ · xiStride + (c − channels.lowerBound) · MR`. The last
/// channel's 16-lane store writes 16 − MR floats past its row.
func winogradTransformPanel(_ weight: GEMMMatrix, outputs: Int, panel: Int, channels: Range<Int>, tile: WinogradTile,
                            into target: UnsafeMutablePointer<Float>, xiStride: Int) {
  let g = weight.base
  let (dtype, size) = (weight.dtype, weight.dtype.byteSize)
  // Element (o, k) of the weight is at rowStart(o) + k · tapStride elements; in panels, the MR
  // output channels of a panel are adjacent (one vector load per tap).
  let inPanels = weight.panelDepth > 0
  let tapStride = inPanels ? gemmMR : weight.columnStride
  @inline(__always) func rowStart(_ o: Int) -> Int {
    inPanels ? (o / gemmMR) * weight.panelDepth * gemmMR + o % gemmMR : o * weight.rowStride
  }
  /// Element `index` of the weight, widened.
  @inline(__always) func widen(_ index: Int) -> Float {
    switch dtype {
    case .f16: return Float(g.load(fromByteOffset: index * 2, as: Float16.self))
    case .bf16: return bfloat16ToFloat(g.load(fromByteOffset: index * 2, as: UInt16.self))
    default: return g.load(fromByteOffset: index * 4, as: Float.self)
    }
  }
  let first = panel * gemmMR
  let lanes = min(gemmMR, outputs - first)
  for c in channels {
    @inline(__always) func tap(_ r: Int) -> SIMD16<Float> {
      let k = (9 * c + r) * tapStride
      // Lanes MR..<16 read the next row of the panel (or the panels' slack): their U lands in
      // the next channel's row, which its own store then overwrites, or in the spare row.
      if inPanels { return gemmLoadWidened16(g + (rowStart(first) + k) * size, dtype) }
      var v = SIMD16<Float>()
      for lane in 0..<lanes { v[lane] = widen(rowStart(first + lane) + k) }
      return v
    }
    let taps = (tap(0), tap(1), tap(2), tap(3), tap(4), tap(5), tap(6), tap(7), tap(8))
    let row = target + (c - channels.lowerBound) * gemmMR
    @inline(__always) func put(_ xi: Int, _ value: SIMD16<Float>) {
      UnsafeMutableRawPointer(row + xi * xiStride).storeBytes(of: value, as: SIMD16<Float>.self)
    }
    switch tile {
    case .f2x2: winogradKernelTransform(taps, put)
    case .f4x4: winogradKernelTransform4x4(taps, put)
    }
  }
}

/// One output panel's products for every ξ: M_ξ [MR][S] (+)= U_ξ (K = `k` rows of MR floats at
/// `u + ξ · kernelStride`) · V_ξ's rows `firstRow ..< firstRow + k` (packed B panels
/// [S/32][panelRows][32] at `v + ξ · inputStride`), M_ξ at `products + ξ · productStride` with rows S
/// floats apart. In the GEMM's K blocks, each block's sum added to M in order, so that the values are
/// those the GEMM on the whole U gives; without `accumulate` the first block overwrites M.
func winogradPanelProducts(
  points: Int, k: Int, u: UnsafePointer<Float>, kernelStride: Int, v: UnsafePointer<Float>, inputStride: Int,
  panelRows: Int, firstRow: Int, products: UnsafeMutablePointer<Float>, productStride: Int, slots: Int, accumulate: Bool
) {
  for xi in 0..<points {
    for column in stride(from: 0, to: slots, by: gemmNR) {
      for k0 in stride(from: 0, to: k, by: gemmKC) {
        gemmMicroKernel(min(gemmKC, k - k0), u + xi * kernelStride + k0 * gemmMR, gemmMR,
                        v + xi * inputStride + column * panelRows + (firstRow + k0) * gemmNR,
                        products + xi * productStride + column, slots, accumulate || k0 > 0)
      }
    }
  }
}

/// The nine taps g0 … g8 (row-major) of 16 kernels.
typealias WinogradKernelTaps = (
  SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>,
  SIMD16<Float>, SIMD16<Float>
)

