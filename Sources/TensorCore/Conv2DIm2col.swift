// Implicit im2col: packs GEMM B panels straight from an NCHW image, so a convolution is one GEMM
// without materialising the [C*KH*KW, H'*W'] column matrix. A padded convolution hands it a
// zero-bordered copy (`zeroBorderedPlanes`), so every read lands inside the image.
// C input channels (of one group), H, W input height and width, KH, KW kernel size, OH, OW output size.
// B row k = (c, kh, kw) in the weight's [C, KH, KW] order; B column n = (oh, ow).

/// One image (one batch item, one group's channels, already padded) seen as the im2col matrix
/// [C*KH*KW, OH*OW]: OH = (H − KH) / stride + 1, likewise OW.
struct Im2colImage {
  /// Channel 0 of the group: [C, H, W] floats.
  var base: UnsafePointer<Float>
  var height: Int
  var width: Int
  var kernelHeight: Int
  var kernelWidth: Int
  var stride: Int
  var outputHeight: Int
  var outputWidth: Int
}

/// The im2col matrices [K, N] of `items` images packed once, whole, as the GEMM's B panels
/// ([⌈N/NR⌉][K][NR] each), the panels of all images packed in parallel. The GEMM then splits the
/// output channels over the threads, every task reading the same panels: packed per K block and
/// tile instead, each image would be packed once per row of tiles (three times for 1280 channels),
/// and a split by images would make every thread widen all of the f16 weights itself.
final class Im2colPanels {
  private let storage: TensorStorage
  private let floatsPerItem: Int

  /// Whether to pack whole: for output planes of at most 1024 pixels (a UNet's inner levels, whose N
  /// is too narrow for one B block to serve many rows of tiles), within 64 MB.
  static func pays(items: Int, k: Int, n: Int) -> Bool {
    n <= 1024 && items * ((n + gemmNR - 1) / gemmNR) * gemmNR * k * 4 <= 64 << 20
  }

  init(items: Int, k: Int, n: Int, image: (Int) -> Im2colImage) {
    let panels = (n + gemmNR - 1) / gemmNR
    floatsPerItem = panels * k * gemmNR
    storage = TensorStorage(uninitializedByteCount: items * floatsPerItem * 4)  // [items][N/NR][K][NR]
    let base = storage.base.assumingMemoryBound(to: Float.self)
    let perItem = floatsPerItem
    ComputePool.shared.parallelFor(items * panels) { task in
      let (item, panel) = (task / panels, task % panels)
      im2colPackB(image(item), rows: 0..<k, columns: panel * gemmNR..<min(n, (panel + 1) * gemmNR),
                  into: base + item * perItem + panel * k * gemmNR)
    }
  }

  /// Item `item`'s panels.
  func panels(_ item: Int) -> UnsafePointer<Float> {
    UnsafePointer(storage.base.assumingMemoryBound(to: Float.self) + item * floatsPerItem)
  }
}

/// Packs im2col rows `rows` x columns `columns` into NR-column panels.
/// The (c, kh, kw) of each row and the (oh, ow) of each column advance by counting, not dividing:
/// this runs once per K block and tile, and divisions per element would cost as much as the GEMM.
func im2colPackB(_ image: Im2colImage, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  let kc = rows.count
  let taps = image.kernelHeight * image.kernelWidth
  let plane = image.height * image.width
  var panel = packed
  var column = columns.lowerBound
  while column < columns.upperBound {
    let width = min(gemmNR, columns.upperBound - column)
    if width < gemmNR { panel.update(repeating: 0, count: kc * gemmNR) }
    let firstRow = column / image.outputWidth
    let firstColumn = column % image.outputWidth
    var channel = rows.lowerBound / taps
    var kh = (rows.lowerBound % taps) / image.kernelWidth
    var kw = rows.lowerBound % image.kernelWidth
    for k in 0..<kc {
      let source = image.base + channel * plane
      let destination = panel + k * gemmNR
      // Walk the panel's columns one output row (run) at a time.
      var oh = firstRow
      var ow = firstColumn
      var done = 0
      while done < width {
        let run = min(width - done, image.outputWidth - ow)
        im2colCopyRun(source + (oh * image.stride + kh) * image.width + ow * image.stride + kw, image.stride, run,
                      destination + done)
        done += run
        oh += 1
        ow = 0
      }
      kw += 1
      if kw == image.kernelWidth {
        kw = 0
        kh += 1
        if kh == image.kernelHeight {
          kh = 0
          channel += 1
        }
      }
    }
    panel += kc * gemmNR
    column += gemmNR
  }
}

/// The planes of `x` [N, C, H, W] (f32) copied behind a zero border `border` pixels wide: pixel (h, w)
/// of plane p at `p · planeStride + (h + border) · rowStride + w + border` (rowStride ≥ W + 2·border;
/// planeStride ≥ (H + 2·border) · rowStride, the floats past that zero too).
func zeroBorderedPlanes(_ x: Tensor, border: Int, rowStride: Int, planeStride: Int) -> TensorStorage {
  let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
  let bordered = TensorStorage(zeroedByteCount: planes * planeStride * 4)  // [N, C, plane]
  let padded = bordered.base.assumingMemoryBound(to: Float.self)
  let source = x.floats
  forEachChunk(planes, work: height * width) { range in
    for plane in range {
      for h in 0..<height {
        (padded + plane * planeStride + (h + border) * rowStride + border)
          .update(from: source + (plane * height + h) * width, count: width)
      }
    }
  }
  return withExtendedLifetime(x) { bordered }
}

/// out[j] = line[j * stride] for j in 0..<count.
@inline(__always)
private func im2colCopyRun(_ line: UnsafePointer<Float>, _ stride: Int, _ count: Int, _ out: UnsafeMutablePointer<Float>) {
  guard stride == 1 else {
    for j in 0..<count { out[j] = line[j * stride] }
    return
  }
  // Runs are at most gemmNR long: inline vector copies beat a memmove call.
  let from = UnsafeRawPointer(line)
  let to = UnsafeMutableRawPointer(out)
  var j = 0
  while j + 16 <= count {
    to.storeBytes(of: from.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self), toByteOffset: j * 4,
                  as: SIMD16<Float>.self)
    j += 16
  }
  if j + 8 <= count {
    to.storeBytes(of: from.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self), toByteOffset: j * 4,
                  as: SIMD8<Float>.self)
    j += 8
  }
  if j + 4 <= count {
    to.storeBytes(of: from.loadUnaligned(fromByteOffset: j * 4, as: SIMD4<Float>.self), toByteOffset: j * 4,
                  as: SIMD4<Float>.self)
    j += 4
  }
  while j < count {
    out[j] = line[j]
    j += 1
  }
}
