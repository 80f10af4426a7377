// conv2d's Winograd path with the kernels transformed inside the products (Conv2DWinograd.swift), for
// convolutions of fewer blocks than twice the threads (`winogradFusedPays`). Transforming all
// of U up front writes points × O × C floats (59 MB for 640 → 640 channels at F(4×4), up to 148 MB)
// that each block then reads back from memory, traffic that the second core contends for. Here, per
// K chunk, the input transforms of every block run first; then each task transforms the kernels of
// one output panel (MR channels) for the chunk into a buffer that stays in L2 (points × (chunk + 1)
// × MR floats) and runs that panel's products for every ξ and block. They are the same micro-kernel
// calls over the same K blocks, on the same U and V values, as `winogradConv3x3`'s GEMMs: the results
// are the same bit for bit.
// C input channels, O output channels, S slots of a block, ξ the transformed point.

/// Whether a convolution of `images` runs with its kernels transformed inside the products: when
/// its blocks are too few to give each thread at least two (the guided batch's two images at 64×64
/// and 32×32 on two threads). With the kernels transformed up front, each phase of such a block
/// (input transform, products, output transform) was split over the pool, and every block read all
/// of U back. Measured with `easel-bench core --only conv,conv-karlo-64,conv-karlo-32` (one, two
/// and two images), two threads: 14.3 → 13.3, 27 → 25.5 and 26–27 → 23–24 ms. On one thread, where
/// each block is a GEMM of its own, the fused products were no faster (49 → 48 ms at 32×32) or
/// slower (25.5 → 31.3 and 48 → 58 ms at 64×64: there every output panel streams V, 9.4 MB per K
/// chunk and image, from L3 instead of keeping each 32 KB B panel in L1 for all panels).
func winogradFusedPays(images: Int, height: Int, width: Int, tile: WinogradTile) -> Bool {
  let threads = ComputePool.shared.threadCount
  return threads > 1 && images * WinogradBlocking(height: height, width: width, tileSize: tile.size).blocks < 2 * threads
}

/// Convolves each image's `input` planes (C = `channels`, zero-bordered, readable up to
/// `BorderedPlanes.winogradReadExtent`) with the kernels `weight` (an [O, C·9] matrix, f32, f16 or
/// bf16, strided or in panels, kept alive by the caller) and writes O planes of H×W, plus `bias`
/// [O], to its `output`.
func winogradConv3x3Fused(_ images: [(input: BorderedPlanes, output: OutputPlanes)], weight: GEMMMatrix, outputs: Int,
                          channels: Int, bias: UnsafePointer<Float>, tile: WinogradTile) {
  guard let (height, width) = images.first.map({ ($0.input.height, $0.input.width) }) else { return }
  let points = tile.points
  let blocking = WinogradBlocking(height: height, width: width, tileSize: tile.size)
  let chunk = min(channels, tile.channelChunk)
  let threads = ComputePool.shared.threadCount
  let items = images.count * blocking.blocks
  let (slots, panels) = (blocking.slots, (outputs + gemmMR - 1) / gemmMR)
  // Per block: V [points][S/32][chunk][32], then M [points][panels·MR][S]; the ξ one cache line more
  // than a power of two apart (see `winogradConv3x3`).
  let inputStride = chunk * slots + 16, productStride = panels * gemmMR * slots + 16
  let itemFloats = points * (inputStride + productStride)
  let scratch = allocateAlignedFloats(items * itemFloats)
  defer { releaseAlignedFloats(scratch, count: items * itemFloats) }
  func transformedInput(_ item: Int) -> UnsafeMutablePointer<Float> { scratch + item * itemFloats }
  func products(_ item: Int) -> UnsafeMutablePointer<Float> { transformedInput(item) + points * inputStride }
  func block(_ item: Int) -> (rows: Range<Int>, groups: Range<Int>) { blocking.block(item % blocking.blocks) }
  // U of one panel for one chunk: [points][chunk + 1][MR], one buffer per task.
  let kernelStride = (chunk + 1) * gemmMR + 16
  let tasks = threads == 1 ? 1 : min(panels, 4 * threads)
  let kernels = allocateAlignedFloats(tasks * points * kernelStride)
  defer { releaseAlignedFloats(kernels, count: tasks * points * kernelStride) }
  var first = 0
  while first < channels {
    let count = min(chunk, channels - first)
    let parts = threads == 1 ? 1 : min(count, 2 * threads)
    ComputePool.shared.parallelFor(items * parts) { task in
      let (item, part) = (task / parts, task % parts)
      let (low, high) = (count * part / parts, count * (part + 1) / parts)
      winogradInputTransform(images[item / blocking.blocks].input, tile: tile, channels: first + low..<first + high,
                             block: block(item), blocking: blocking, into: transformedInput(item), xiStride: inputStride,
                             panelRows: count, firstRow: low)
    }
    ComputePool.shared.parallelFor(tasks) { task in
      let u = kernels + task * points * kernelStride
      for panel in (task * panels / tasks)..<((task + 1) * panels / tasks) {
        winogradTransformPanel(weight, outputs: outputs, panel: panel, channels: first..<first + count, tile: tile,
                               into: u, xiStride: kernelStride)
        for item in 0..<items {
          winogradPanelProducts(points: points, k: count, u: u, kernelStride: kernelStride, v: transformedInput(item),
                                inputStride: inputStride, panelRows: count, firstRow: 0,
                                products: products(item) + panel * gemmMR * slots, productStride: productStride,
                                slots: slots, accumulate: first > 0)
        }
      }
    }
    first += count
  }
  let parts = threads == 1 ? 1 : min(outputs, 2 * threads)
  ComputePool.shared.parallelFor(items * parts) { task in
    let (item, part) = (task / parts, task % parts)
    winogradOutputTransform(products(item), tile: tile, outputs: outputs * part / parts..<outputs * (part + 1) / parts,
                            block: block(item), blocking: blocking, xiStride: productStride, bias: bias,
                            into: images[item / blocking.blocks].output)
  }
}
