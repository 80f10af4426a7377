import Foundation

// conv2d's Winograd path: a 3×3, stride-1, pad-1 convolution as F(m×m, 3×3) (Lavin & Gray 2015)
// with output tiles of m = 2 or 4 pixels a side. Each (m+2)×(m+2) input patch d (stride m) becomes
// V = Bᵀ d B, each kernel g becomes U = G g Gᵀ, the (m+2)² products M_ξ = U_ξ · V_ξ
// (ξ = (m+2)·i + j) run on the SGEMM micro-kernel, and Y = Aᵀ M A gives the m×m outputs of the patch:
// 4 multiplies per output pixel for m = 2, 2.25 for m = 4, instead of 9.
// N batch, C input channels, O output channels, H, W plane size; tiles of m×m outputs (TH = ⌈H/m⌉
// rows of TW = ⌈W/m⌉); a group = 16 horizontally adjacent tiles (one SIMD16); a block = the tiles
// one task transforms and multiplies at once, S slots (a slot = a tile's column in the GEMMs).
// Its scalar twin is `conv2dReference` (the same convolution, computed directly).

/// The output tile of a Winograd convolution.
enum WinogradTile {
  /// F(2×2, 3×3): 4×4 patches, 16 products.
  case f2x2
  /// F(4×4, 3×3): 6×6 patches, 36 products; its transforms (Conv2DWinograd4x4.swift) hold
  /// factors up to 8 and 1/24, so it rounds a little more (about 1e-5 against 3e-6 on unit-scale
  /// data through 960 channels).
  case f4x4

  /// Output pixels a side.
  var size: Int { self == .f2x2 ? 2 : 4 }
  /// Products per tile, (size + 2)².
  var points: Int { self == .f2x2 ? 16 : 36 }
  /// Input channels transformed and multiplied at once: the GEMMs' K (accumulated over chunks). The
  /// transformed block (points × chunk × S floats) stays within 9.5 MB.
  var channelChunk: Int { self == .f2x2 ? 512 : 256 }
}

/// The Winograd tile `conv2d` takes, if any: for a 3×3, stride 1, padding 1, one-group convolution
/// with at least 32 channels in and out (smaller products run the GEMM far below its speed), F(4×4)
/// for images of at most 4 × 4 of its tiles (13–16 pixels a side: an image's tiles fill one group,
/// see Conv2DWinogradWholeImage.swift), for rows of at least 64 pixels (16 tiles fill a group) or of
/// 29–32 (8 tiles: a group holds two tile rows, see `WinogradBlocking.pairsTileRows`); F(2×2) for
/// images of at most 4 × 4 of its tiles (7–8 pixels a side), the other rows of at least 32 pixels
/// and those of 15–16 (8 tiles again).
/// `EASEL_WINOGRAD=0` turns it off (to compare the two paths). Measured on the main job (the
/// embedded model's 32-channel convolutions at 64×64): 7.0–8.4 CPU seconds with the 32-channel
/// floor against 8.5–8.9 with a 64-channel one.
func conv2dWinogradTile(inChannels: Int, outChannels: Int, height: Int, width: Int, kernel: (Int, Int), stride: Int,
                        padding: Int, groups: Int) -> WinogradTile? {
  guard winogradEnabled && kernel == (3, 3) && stride == 1 && padding == 1 && groups == 1
    && inChannels >= 32 && outChannels >= 32 else { return nil }
  for tile in [WinogradTile.f4x4, .f2x2] where winogradWholeImageFits(height: height, width: width, tile: tile) {
    return tile
  }
  if width >= 64 || WinogradBlocking.pairsTileRows(width: width, tileSize: 4) { return .f4x4 }
  return width >= 32 || WinogradBlocking.pairsTileRows(width: width, tileSize: 2) ? .f2x2 : nil
}

/// Whether Winograd convolutions are on: `EASEL_WINOGRAD=0` turns off this path and the plugins' own
/// (Real-ESRGAN's row-wise Winograd), to compare with the direct ones.
public let winogradEnabled = ProcessInfo.processInfo.environment["EASEL_WINOGRAD"] != "0"
/// Tiles per block (16 groups): the GEMMs' N.
private let winogradTargetSlots = 256

/// `x` [N, C, H, W] (f32) convolved with `weight` [O, C, 3, 3] (f32, f16 or bf16), padding 1, plus
/// `bias` [O]: → [N, O, H, W], through a zero-bordered copy of `x`, in tiles of `tile`; with
/// `fuseKernels`, transforming the kernels inside the products or not (Conv2DWinogradFused.swift)
/// whatever `winogradFusedPays` says.
func conv2dWinograd(_ x: Tensor, weight: Tensor, bias: Tensor?, tile: WinogradTile, fuseKernels: Bool? = nil) -> Tensor {
  precondition(weight.rank == 4 && weight.shape[1] == x.shape[1] && weight.shape[2] == 3 && weight.shape[3] == 3,
               "conv2dWinograd: weight \(weight.shape) for x \(x.shape)")
  let matrix = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: weight.dtype, rowStride: weight.shape[1] * 9,
                          columnStride: 1)
  return withExtendedLifetime(weight) {
    conv2dWinograd(x, weight: matrix, outputs: weight.shape[0], bias: bias, tile: tile, fuseKernels: fuseKernels)
  }
}

/// The same with the kernels as an [O, C·9] matrix `weight` (strided or in panels, kept alive by the caller).
func conv2dWinograd(_ x: Tensor, weight: GEMMMatrix, outputs: Int, bias: Tensor?, tile: WinogradTile,
                    fuseKernels: Bool? = nil) -> Tensor {
  let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  if let bias { precondition(bias.count == outputs, "conv2dWinograd: bias \(bias.shape) for \(outputs) outputs") }
  let biasValues = bias?.toFloat32() ?? Tensor(zeros: [outputs])  // [O] f32
  if winogradWholeImageFits(height: height, width: width, tile: tile) {
    return conv2dWinogradWholeImages(x, weight: weight, outputs: outputs, bias: biasValues, tile: tile)
  }
  let rowStride = width + 2
  let planeStride = BorderedPlanes.winogradReadExtent(height: height, width: width, rowStride: rowStride, tile: tile)
  let bordered = zeroBorderedPlanes(x, border: 1, rowStride: rowStride, planeStride: planeStride)  // [N, C, plane]
  let padded = bordered.base.assumingMemoryBound(to: Float.self)
  let result = Tensor(uninitialized: [batch, outputs, height, width])  // [N,C,H,W] -> [N,O,H,W]
  let images = (0..<batch).map { image in
    (BorderedPlanes(base: padded + image * channels * planeStride, planeStride: planeStride, rowStride: rowStride,
                    height: height, width: width),
     OutputPlanes(base: result.mutableFloats + image * outputs * height * width, planeStride: height * width, rowStride: width))
  }
  if fuseKernels ?? winogradFusedPays(images: batch, height: height, width: width, tile: tile) {
    withExtendedLifetime(biasValues) {
      winogradConv3x3Fused(images, weight: weight, outputs: outputs, channels: channels, bias: biasValues.floats, tile: tile)
    }
  } else {
    // [O, C, 3, 3] -> [points][⌈O/MR⌉][C + 1][MR]
    let kernels = WinogradKernels(weight: weight, outputs: outputs, channels: channels, bias: biasValues, tile: tile)
    winogradConv3x3(images, kernels)
  }
  return withExtendedLifetime(bordered) { result }
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
  /// (the reads past the picture feed only discarded slots, but must be finite). A patch row of a
  /// group is read as 16·m floats from its start and from m (F(2×2)) or 16·m (F(4×4)) floats on;
  /// paired tile rows (8 tiles a row) read 16·m floats from the start of each of 2m·pairs + 2 rows.
  static func winogradReadExtent(height: Int, width: Int, rowStride: Int, tile: WinogradTile) -> Int {
    let m = tile.size
    let groups = ((width + m - 1) / m + 15) / 16
    let extent = (m * ((height + m - 1) / m) + 1) * rowStride + 16 * m * groups + 32 * m
    // Groups of two tile rows read 2m padded rows per pair, the second row of a last, odd pair too.
    let blocking = WinogradBlocking(height: height, width: width, tileSize: m)
    return blocking.paired ? max(extent, (2 * m * blocking.tileRows + 2) * rowStride + 16 * m) : extent
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
/// tiles: for each chunk of input channels, transform them and accumulate the products; then the
/// output transform. Blocks (of all images) are split over the pool.
func winogradConv3x3(_ images: [(input: BorderedPlanes, output: OutputPlanes)], _ kernels: WinogradKernels) {
  withExtendedLifetime(kernels.transformed) { winogradConv3x3Blocks(images, kernels) }
}

private func winogradConv3x3Blocks(_ images: [(input: BorderedPlanes, output: OutputPlanes)], _ kernels: WinogradKernels) {
  guard let (height, width) = images.first.map({ ($0.input.height, $0.input.width) }) else { return }
  precondition(images.allSatisfy { $0.input.height == height && $0.input.width == width },
               "winogradConv3x3: images of different sizes")
  let (channels, outputs, tile) = (kernels.inChannels, kernels.outChannels, kernels.tile)
  let points = tile.points
  let blocking = WinogradBlocking(height: height, width: width, tileSize: tile.size)
  let chunk = min(channels, tile.channelChunk)
  let bias = kernels.bias.floats
  let threads = ComputePool.shared.threadCount
  let items = images.count * blocking.blocks
  // The ξ matrices one cache line more than their size apart: at a power-of-two distance the
  // transforms' streams would share an L1 set.
  let slots = blocking.slots
  let inputStride = chunk * slots + 16, productStride = outputs * slots + 16
  // Scratch 64-byte aligned: a transform's SIMD16 store then fills one cache line, not parts of two.
  let scratchFloats = points * (inputStride + productStride)  // [points][S/32][chunk][32], then [points][O][S]
  /// Block `item` (image, block) from input planes to output planes, on this thread.
  func run(_ item: Int, scratch transformedInput: UnsafeMutablePointer<Float>) {
    let products = transformedInput + points * inputStride  // [points][O][S]
    let (image, block) = (images[item / blocking.blocks], blocking.block(item % blocking.blocks))
    var first = 0
    while first < channels {
      let count = min(chunk, channels - first)
      winogradInputTransform(image.input, tile: tile, channels: first..<first + count, block: block, blocking: blocking,
                             into: transformedInput, xiStride: inputStride, panelRows: count, firstRow: 0)
      gemmBatched(points, parallel: false) { xi in
        GEMMProblem(m: outputs, n: slots, k: count,
                    a: kernels.matrix(point: xi, firstChannel: first),
                    b: .packed(transformedInput + xi * inputStride, rows: count),
                    c: products + xi * productStride, ldc: slots, accumulate: first > 0)
      }
      first += count
    }
    winogradOutputTransform(products, tile: tile, outputs: 0..<outputs, block: block, blocking: blocking,
                            xiStride: productStride, bias: bias, into: image.output)
  }
  let tasks = min(items, threads == 1 ? 1 : threads * 4)
  ComputePool.shared.parallelFor(tasks) { task in
    let scratch = allocateAlignedFloats(scratchFloats)
    defer { releaseAlignedFloats(scratch, count: scratchFloats) }
    for item in (task * items / tasks)..<((task + 1) * items / tasks) { run(item, scratch: scratch) }
  }
}

/// V of `channels` for the tiles of `block`, at F(2×2) or F(4×4), as the packed B panels of its
/// products (see `winogradInputTransform`), the slots past the block's last group zeroed.
func winogradInputTransform(
  _ input: BorderedPlanes, tile: WinogradTile, channels: Range<Int>, block: (rows: Range<Int>, groups: Range<Int>),
  blocking: WinogradBlocking, into transformed: UnsafeMutablePointer<Float>, xiStride: Int, panelRows: Int, firstRow: Int
) {
  switch tile {
  case .f2x2:
    winogradInputTransform(input, channels: channels, tileRows: block.rows, groups: block.groups,
                           pairedRows: blocking.paired, into: transformed, xiStride: xiStride, panelRows: panelRows,
                           firstRow: firstRow)
  case .f4x4:
    winogradInputTransform4x4(input, channels: channels, tileRows: block.rows, groups: block.groups,
                              pairedRows: blocking.paired, into: transformed, xiStride: xiStride, panelRows: panelRows,
                              firstRow: firstRow)
  }
  winogradZeroUnusedSlots(transformed, points: tile.points, channels: channels.count, xiStride: xiStride,
                          panelRows: panelRows, firstRow: firstRow,
                          from: block.rows.count * block.groups.count * 16, to: blocking.slots)
}

/// Y + bias for `outputs` of `block` from its products (`[ξ][O][S]`, ξ `xiStride` floats apart),
/// at F(2×2) or F(4×4), into the output planes.
func winogradOutputTransform(
  _ products: UnsafePointer<Float>, tile: WinogradTile, outputs: Range<Int>, block: (rows: Range<Int>, groups: Range<Int>),
  blocking: WinogradBlocking, xiStride: Int, bias: UnsafePointer<Float>, into output: OutputPlanes
) {
  let (height, width, slots) = (blocking.height, blocking.width, blocking.slots)
  let planes = OutputPlanes(base: output.base + outputs.lowerBound * output.planeStride, planeStride: output.planeStride,
                            rowStride: output.rowStride)
  let (source, count, firstBias) = (products + outputs.lowerBound * slots, outputs.count, bias + outputs.lowerBound)
  switch tile {
  case .f2x2:
    winogradOutputTransform(source, outputs: count, height: height, width: width, xiStride: xiStride, slots: slots,
                            tileRows: block.rows, groups: block.groups, pairedRows: blocking.paired, bias: firstBias,
                            into: planes)
  case .f4x4:
    winogradOutputTransform4x4(source, outputs: count, height: height, width: width, xiStride: xiStride, slots: slots,
                               tileRows: block.rows, groups: block.groups, pairedRows: blocking.paired, bias: firstBias,
                               into: planes)
  }
}

/// Zeroes the slots `from ..< to` (past a block's last group: read by no output, but they must be
/// finite) of every ξ and of rows `firstRow ..< firstRow + channels` of the packed B panels
/// `[ξ][S/32][panelRows][32]`, a run of panel lanes at a time.
private func winogradZeroUnusedSlots(_ transformed: UnsafeMutablePointer<Float>, points: Int, channels: Int, xiStride: Int,
                                     panelRows: Int, firstRow: Int, from first: Int, to slots: Int) {
  var slot = first
  while slot < slots {
    let (lane, run) = (slot % 32, min(32 - slot % 32, slots - slot))
    for xi in 0..<points {
      for c in firstRow..<firstRow + channels {
        (transformed + xi * xiStride + (slot / 32) * panelRows * 32 + c * 32 + lane).update(repeating: 0, count: run)
      }
    }
    slot += run
  }
}

/// Blocks of tiles, a GEMM's N columns each: whole tile rows when a row is short, else runs of
/// groups within one row. Fixed by the geometry alone, so the result is the same whatever the
/// thread count. With `paired` (rows of 8 tiles) a group holds tiles 0–7 of two tile rows,
/// and `tileRows` counts those pairs.
struct WinogradBlocking {
  let height: Int
  let width: Int
  let paired: Bool
  let tileRows: Int
  let groupsPerRow: Int
  let rowsPerBlock: Int
  let groupsPerBlock: Int
  var blocksPerRow: Int { (groupsPerRow + groupsPerBlock - 1) / groupsPerBlock }
  var blocks: Int { (tileRows + rowsPerBlock - 1) / rowsPerBlock * blocksPerRow }
  /// Slots of a full block rounded up to whole 32-wide B panels.
  var slots: Int { (rowsPerBlock * groupsPerBlock * 16 + 31) / 32 * 32 }

  /// Whether rows of `width` pixels run in groups of two tile rows: 8 tiles a row (F(2×2) on 15–16
  /// pixels, F(4×4) on 29–32).
  static func pairsTileRows(width: Int, tileSize m: Int) -> Bool { (width + m - 1) / m == 8 }

  init(height: Int, width: Int, tileSize m: Int, targetSlots: Int = winogradTargetSlots) {
    (self.height, self.width) = (height, width)
    paired = Self.pairsTileRows(width: width, tileSize: m)
    tileRows = paired ? ((height + m - 1) / m + 1) / 2 : (height + m - 1) / m
    groupsPerRow = ((width + m - 1) / m + 15) / 16
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
