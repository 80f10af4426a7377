import Foundation

// conv2d's Winograd path: a 3×3, stride-1, pad-1 convolution as F(2×2, 3×3) (Lavin & Gray 2015),
// 4 multiplies per output pixel instead of 9. Each 4×4 input patch d (stride 2) becomes V = Bᵀ d B,
// each kernel g becomes U = G g Gᵀ, the 16 products M_ξ = U_ξ · V_ξ (ξ = 4i + j) run on the SGEMM
// micro-kernel, and Y = Aᵀ M A gives the 2×2 outputs of the patch.
// N batch, C input channels, O output channels, H, W plane size; tiles of 2×2 outputs (TH = ⌈H/2⌉
// rows of TW = ⌈W/2⌉); a group = 16 horizontally adjacent tiles (one SIMD16); a block = the tiles
// one task transforms and multiplies at once, S slots (a slot = a tile's column in the GEMMs).
// Its scalar twin is `conv2dReference` (the same convolution, computed directly).

/// Whether `conv2d` takes the Winograd path: 3×3, stride 1, padding 1, one group, at least 32
/// channels in and out (smaller products run the GEMM far below its speed) and rows of at least 32
/// pixels (16 tiles fill a group). `EASEL_WINOGRAD=0` turns it off (to compare the two paths).
/// Measured on the main job (the embedded model's 32-channel convolutions at 64×64): 7.0–8.4 CPU
/// seconds with the 32-channel floor against 8.5–8.9 with a 64-channel one.
func conv2dUsesWinograd(inChannels: Int, outChannels: Int, width: Int, kernel: (Int, Int), stride: Int, padding: Int,
                        groups: Int) -> Bool {
  winogradEnabled && kernel == (3, 3) && stride == 1 && padding == 1 && groups == 1
    && inChannels >= 32 && outChannels >= 32 && width >= 32
}

/// Whether Winograd convolutions are on: `EASEL_WINOGRAD=0` turns off this path and the plugins' own
/// (Real-ESRGAN's row-wise Winograd), to compare with the direct ones.
public let winogradEnabled = ProcessInfo.processInfo.environment["EASEL_WINOGRAD"] != "0"
/// Tiles per block (16 groups): the GEMMs' N.
private let winogradTargetSlots = 256
/// Input channels transformed and multiplied at once: the GEMMs' K (accumulated over chunks).
private let winogradChannelChunk = 512

/// `x` [N, C, H, W] (f32) convolved with `weight` [O, C, 3, 3] (f32, f16 or bf16), padding 1, plus
/// `bias` [O]: → [N, O, H, W], through a zero-bordered copy of `x`.
func conv2dWinograd(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
  let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let kernels = WinogradKernels(weight: weight, bias: bias)  // [O, C, 3, 3] -> [16, O, C]
  let outputs = kernels.outChannels
  let rowStride = width + 2
  let planeStride = BorderedPlanes.winogradReadExtent(height: height, width: width, rowStride: rowStride)
  let bordered = TensorStorage(zeroedByteCount: batch * channels * planeStride * 4)  // [N, C, plane] zero-bordered
  let padded = bordered.base.assumingMemoryBound(to: Float.self)
  let source = x.floats
  forEachChunk(batch * channels, work: height * width) { planes in
    for plane in planes {
      for h in 0..<height {
        (padded + plane * planeStride + (h + 1) * rowStride + 1).update(from: source + (plane * height + h) * width, count: width)
      }
    }
  }
  let result = Tensor(uninitialized: [batch, outputs, height, width])  // [N,C,H,W] -> [N,O,H,W]
  let images = (0..<batch).map { image in
    (BorderedPlanes(base: padded + image * channels * planeStride, planeStride: planeStride, rowStride: rowStride,
                    height: height, width: width),
     OutputPlanes(base: result.mutableFloats + image * outputs * height * width, planeStride: height * width, rowStride: width))
  }
  winogradConv3x3(images, kernels)
  return withExtendedLifetime((bordered, x)) { result }
}

/// C planes of H×W floats behind a one-pixel zero border: pixel (h, w) of channel c is at
/// `base + c · planeStride + (h + 1) · rowStride + w + 1`. The Winograd input transform reads
/// `winogradReadExtent` floats from each plane's start.
struct BorderedPlanes {
  var base: UnsafePointer<Float>
  var planeStride: Int
  var rowStride: Int
  var height: Int
  var width: Int

  /// Floats the input transform may read from each plane's start: whole tile rows of whole groups
  /// (the reads past the picture feed only discarded slots, but must be finite).
  static func winogradReadExtent(height: Int, width: Int, rowStride: Int) -> Int {
    let groups = ((width + 1) / 2 + 15) / 16
    return (2 * ((height + 1) / 2) + 1) * rowStride + 32 * groups + 2 + 32
  }
}

/// Planes of output: pixel (h, w) of channel o at `base + o · planeStride + h · rowStride + w`.
struct OutputPlanes {
  var base: UnsafeMutablePointer<Float>
  var planeStride: Int
  var rowStride: Int
}

/// Convolves each image's `input` planes (C = `kernels.inChannels`, zero-bordered, readable up to
/// `BorderedPlanes.winogradReadExtent`) and writes O planes of H×W to its `output`. Per block of
/// tiles: for each chunk of input channels, transform them and accumulate the 16 products; then the
/// output transform. Blocks (of all images) are split over the pool.
func winogradConv3x3(_ images: [(input: BorderedPlanes, output: OutputPlanes)], _ kernels: WinogradKernels) {
  guard let (height, width) = images.first.map({ ($0.input.height, $0.input.width) }) else { return }
  precondition(images.allSatisfy { $0.input.height == height && $0.input.width == width },
               "winogradConv3x3: images of different sizes")
  let (channels, outputs) = (kernels.inChannels, kernels.outChannels)
  let blocking = WinogradBlocking(height: height, width: width)
  let chunk = min(channels, winogradChannelChunk)
  let u = UnsafeRawPointer(kernels.transformed.base)
  let uRowStride = kernels.rowStride
  let bias = kernels.bias.floats
  let threads = ComputePool.shared.threadCount
  let items = images.count * blocking.blocks
  let tasks = min(items, threads == 1 ? 1 : threads * 4)
  ComputePool.shared.parallelFor(tasks) { task in
    // The 16 ξ matrices one cache line more than their size apart: at a power-of-two distance the
    // transforms' 16 streams would share an L1 set.
    let slots = blocking.slots
    let inputStride = chunk * slots + 16, productStride = outputs * slots + 16
    let transformedInput = UnsafeMutablePointer<Float>.allocate(capacity: 16 * inputStride)  // [16][S/32][chunk][32]
    let products = UnsafeMutablePointer<Float>.allocate(capacity: 16 * productStride)  // [16][O][S]
    defer { transformedInput.deallocate(); products.deallocate() }
    for item in (task * items / tasks)..<((task + 1) * items / tasks) {
      let (image, block) = (images[item / blocking.blocks], item % blocking.blocks)
      let (rows, groups) = blocking.block(block)
      var first = 0
      while first < channels {
        let count = min(chunk, channels - first)
        winogradInputTransform(image.input, channels: first..<first + count, tileRows: rows, groups: groups,
                               into: transformedInput, xiStride: inputStride, slots: slots)
        gemmBatched(16, parallel: false) { xi in
          GEMMProblem(m: outputs, n: slots, k: count,
                      a: GEMMMatrix(base: u + (xi * outputs * uRowStride + first) * 4, dtype: .f32,
                                    rowStride: uRowStride, columnStride: 1),
                      b: .packed(transformedInput + xi * inputStride, rows: count),
                      c: products + xi * productStride, ldc: slots, accumulate: first > 0)
        }
        first += count
      }
      winogradOutputTransform(products, outputs: outputs, height: height, width: width, xiStride: productStride, slots: slots,
                              tileRows: rows, groups: groups, bias: bias, into: image.output)
    }
  }
}

/// U = G g Gᵀ for every kernel, with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]: [O, C, 3, 3] → [16][O][C],
/// rows `rowStride` floats apart: C, or C + 16 when C is a multiple of 256, so that the GEMM reads U
/// in place (rows a multiple of 1 KB apart would share L1 sets; the driver would pack them instead).
/// Sixteen input channels at a time (a vector per tap; the last C mod 16 in part of one).
struct WinogradKernels {
  let inChannels: Int
  let outChannels: Int
  /// [16][O][rowStride]
  let transformed: TensorStorage
  let rowStride: Int
  /// [O] (f32)
  let bias: Tensor

  /// From `weight` [O, C, 3, 3] (f32, f16 or bf16) and optional `bias` [O].
  init(weight: Tensor, bias: Tensor?) {
    precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "WinogradKernels: weight \(weight.shape)")
    (outChannels, inChannels) = (weight.shape[0], weight.shape[1])
    (transformed, rowStride) = winogradTransform(weight)
    let outputs = weight.shape[0]
    if let bias { precondition(bias.count == outputs, "WinogradKernels: bias \(bias.shape) for \(outputs) outputs") }
    self.bias = bias?.toFloat32() ?? Tensor(zeros: [outputs])
  }
}

private func winogradTransform(_ weight: Tensor) -> (TensorStorage, rowStride: Int) {
  let (outputs, channels) = (weight.shape[0], weight.shape[1])
  let rowStride = channels % 256 == 0 ? channels + 16 : channels
  let kernels = weight.toFloat32()
  let transformed = TensorStorage(uninitializedByteCount: 16 * outputs * rowStride * 4)
  let u = transformed.base.assumingMemoryBound(to: Float.self)
  let g = kernels.floats
  let plane = outputs * rowStride
  forEachChunk(outputs, work: channels * 64) { rows in
    for o in rows {
      var c = 0
      while c < channels {
        let k = g + (o * channels + c) * 9
        let count = min(16, channels - c)
        @inline(__always) func tap(_ r: Int) -> SIMD16<Float> {
          let p: UnsafePointer<Float> = k + r
          if count < 16 { return SIMD16<Float>((0..<16).map { $0 < count ? p[9 * $0] : 0 }) }
          return SIMD16<Float>(p[0], p[9], p[18], p[27], p[36], p[45], p[54], p[63],
                               p[72], p[81], p[90], p[99], p[108], p[117], p[126], p[135])
        }
        let (t0, t1, t2, t3, t4, t5, t6, t7, t8) = (tap(0), tap(1), tap(2), tap(3), tap(4), tap(5), tap(6), tap(7), tap(8))
        winogradKernelTransform(t0, t1, t2, t3, t4, t5, t6, t7, t8) { xi, value in
          let target = u + xi * plane + o * rowStride + c
          if count == 16 {
            UnsafeMutableRawPointer(target).storeBytes(of: value, as: SIMD16<Float>.self)
          } else {
            for lane in 0..<count { target[lane] = value[lane] }
          }
        }
        c += 16
      }
    }
  }
  return withExtendedLifetime(kernels) { (transformed, rowStride) }
}

/// The 16 values of G g Gᵀ for the kernel g = (g0 … g8, row-major), handed to `put` with their ξ:
/// G g has rows g0, ½(g0 + g1 + g2), ½(g0 − g1 + g2), g2 (three columns each), and (G g) Gᵀ maps
/// each row (a, b, c) to (a, ½(a + b + c), ½(a − b + c), c).
@inline(__always)
private func winogradKernelTransform(
  _ g0: SIMD16<Float>, _ g1: SIMD16<Float>, _ g2: SIMD16<Float>, _ g3: SIMD16<Float>, _ g4: SIMD16<Float>,
  _ g5: SIMD16<Float>, _ g6: SIMD16<Float>, _ g7: SIMD16<Float>, _ g8: SIMD16<Float>, _ put: (Int, SIMD16<Float>) -> Void
) {
  @inline(__always) func halve(_ v: SIMD16<Float>) -> SIMD16<Float> { v * 0.5 }
  @inline(__always) func row(_ i: Int, _ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>) {
    put(4 * i, a)
    put(4 * i + 1, halve(a + b + c))
    put(4 * i + 2, halve(a - b + c))
    put(4 * i + 3, c)
  }
  row(0, g0, g1, g2)
  row(1, halve(g0 + g3 + g6), halve(g1 + g4 + g7), halve(g2 + g5 + g8))
  row(2, halve(g0 - g3 + g6), halve(g1 - g4 + g7), halve(g2 - g5 + g8))
  row(3, g6, g7, g8)
}

/// Blocks of tiles, a GEMM's N columns each: whole tile rows when a row is short, else runs of
/// groups within one row. Fixed by the geometry alone, so the result is the same whatever the
/// thread count.
struct WinogradBlocking {
  let tileRows: Int
  let groupsPerRow: Int
  let rowsPerBlock: Int
  let groupsPerBlock: Int
  var blocksPerRow: Int { (groupsPerRow + groupsPerBlock - 1) / groupsPerBlock }
  var blocks: Int { (tileRows + rowsPerBlock - 1) / rowsPerBlock * blocksPerRow }
  /// Slots of a full block rounded up to whole 32-wide B panels.
  var slots: Int { (rowsPerBlock * groupsPerBlock * 16 + 31) / 32 * 32 }

  init(height: Int, width: Int, targetSlots: Int = winogradTargetSlots) {
    tileRows = (height + 1) / 2
    groupsPerRow = ((width + 1) / 2 + 15) / 16
    groupsPerBlock = max(1, min(groupsPerRow, targetSlots / 16))
    rowsPerBlock = groupsPerBlock < groupsPerRow ? 1 : max(1, min(tileRows, targetSlots / (groupsPerRow * 16)))
  }

  /// The tile rows and groups of block `index`.
  func block(_ index: Int) -> (rows: Range<Int>, groups: Range<Int>) {
    let (rowBlock, groupBlock) = (index / blocksPerRow, index % blocksPerRow)
    let firstRow = rowBlock * rowsPerBlock
    let firstGroup = groupBlock * groupsPerBlock
    return (firstRow..<min(tileRows, firstRow + rowsPerBlock), firstGroup..<min(groupsPerRow, firstGroup + groupsPerBlock))
  }
}
