// A 3×3, stride-1, pad-1 convolution as row-wise Winograd F(2,3) (Lavin & Gray, along rows only):
// two neighbouring output pixels of a row take 4 multiplications per kernel row instead of 6, so the
// convolution does 2/3 of the direct one's. Per band of output rows and chunk of input channels, the
// four transformed components T_i of the input rows are built once (one SIMD pass, interleaved with
// the previous chunk's arithmetic) and read in place as the A side (14 tiles of a row, broadcast) of
// TensorCore's SGEMM micro-kernel against the component's transformed weights U_i as its B panel
// (32 output channels, two vectors): no split loads, no packing of the activations. The output transform (y0 = m0 + m1 + m2,
// y1 = m1 − m2 − m3) adds the bias, applies the epilogue and writes the planes. Its scalar twin is
// TensorCore's `conv2dReference`.
// C input channels, O output channels (a multiple of 32), i transformed component (0..<4), dy kernel
// row, H, W plane size, Wp = W + 2 padded row, t tile = output pixels (2t, 2t+1) of a row, R band rows.
import TensorCore

/// Input channels per chunk: one micro-kernel call reduces over 3 × this (kernel rows × channels).
/// With 4 band rows, a task's buffers (two transformed chunks, the products of two output blocks at
/// 276 px) stay within L2; on x4plus at 256×256, chunk/rows of 16/4, 16/8, 32/4, 32/8 and 64/2 measured
/// within the machine's noise of each other, 64/4 slower.
let winogradChannelChunk = 16
/// Output rows one band (a task's unit of work) covers: R + 2 input rows are transformed for R rows.
let winogradBandRows = 4

/// Transformed weights: U0 = g0, U1 = (g0 + g1 + g2) / 2, U2 = (g0 − g1 + g2) / 2, U3 = g2 for each
/// kernel row g of each (output, input) pair.
struct Conv3x3WinogradWeights: @unchecked Sendable {
  let inChannels: Int
  let blocks: Int
  /// [O/32][4][C·3·32]: per block and component, channel chunk after chunk, each [3 dy][chunk][32].
  let transformed: Tensor

  /// nil unless O is a multiple of 32 and C ≥ 16 (fewer inputs leave the kernel too short a reduction).
  init?(weight: Tensor) {
    let (outputs, inputs) = (weight.shape[0], weight.shape[1])
    let lanes = gemmNR
    guard winogradEnabled, outputs % lanes == 0, inputs >= 16 else { return nil }
    inChannels = inputs
    blocks = outputs / lanes
    let weights = weight.toFloat32()  // [O, C, 3, 3]
    let transformed = Tensor(zeros: [blocks * 4 * inputs * 3 * lanes])
    let to = transformed.mutableFloats
    let componentStride = inputs * 3 * lanes
    for output in 0..<outputs {
      let (block, lane) = (output / lanes, output % lanes)
      for input in 0..<inputs {
        let first = input / winogradChannelChunk * winogradChannelChunk
        let count = min(winogradChannelChunk, inputs - first)
        for dy in 0..<3 {
          let g = weights.floats + ((output * inputs + input) * 3 + dy) * 3
          let target = to + block * 4 * componentStride + first * 3 * lanes + (dy * count + input - first) * lanes + lane
          target[0] = g[0]
          target[componentStride] = (g[0] + g[1] + g[2]) / 2
          target[2 * componentStride] = (g[0] - g[1] + g[2]) / 2
          target[3 * componentStride] = g[2]
        }
      }
    }
    withExtendedLifetime(weights) {}
    self.transformed = transformed
  }
}

/// Where a band's tiles sit: tiles per row, micro-kernel calls (strips of gemmMR tiles) per row, and
/// the strips' tiles rounded up to whole vectors (`rowLength`, the stride of one transformed row and
/// of one row of products).
private struct WinogradRowGeometry {
  let tiles: Int
  let strips: Int
  let rowLength: Int

  init(width: Int) {
    tiles = (width + 1) / 2
    strips = (tiles + gemmMR - 1) / gemmMR
    rowLength = (strips * gemmMR + 15) / 16 * 16
  }
}

/// Convolves channels `0..<channels` of `input` and writes the O outputs through `epilogue` into
/// channels `at..<at+O` of `output` (same H×W; may be `input` when the ranges do not overlap). Only
/// the pixels are written: the zero borders stay as they are.
func conv3x3Winograd(_ input: PaddedPlanes, channels: Int, _ weights: Conv3x3WinogradWeights, bias: UnsafePointer<Float>,
                     epilogue: Conv3x3Epilogue, into output: PaddedPlanes, at firstChannel: Int) {
  precondition(channels == weights.inChannels, "conv3x3Winograd: \(channels) channels, weights take \(weights.inChannels)")
  let geometry = WinogradRowGeometry(width: input.width)
  // The transform of the bottom border row reads up to pixel 2 · rowLength + 1: within the plane's slack.
  precondition((input.height + 1) * input.rowStride + 2 * geometry.rowLength + 2 <= input.planeStride)
  let bands = (input.height + winogradBandRows - 1) / winogradBandRows
  let threads = ComputePool.shared.threadCount
  let tasks = threads == 1 ? 1 : min(bands, threads * 8)
  nonisolated(unsafe) let bias = bias
  ComputePool.shared.parallelFor(tasks) { task in
    let scratch = WinogradRowScratch(geometry, blocks: weights.blocks, channels: min(channels, winogradChannelChunk))
    // Work items in order: each band's channel chunks. While one item's products run, the next
    // item's input transform is done a few rows at a time between kernel calls (into the other
    // buffer), so its reads from L3 or memory overlap the arithmetic instead of stalling a pass.
    var items: [(top: Int, first: Int)] = []
    for band in (task * bands / tasks)..<((task + 1) * bands / tasks) {
      for first in stride(from: 0, to: channels, by: winogradChannelChunk) { items.append((band * winogradBandRows, first)) }
    }
    func job(_ index: Int) -> WinogradTransformJob {
      let (top, first) = items[index]
      return WinogradTransformJob(input, channels: first..<min(channels, first + winogradChannelChunk), top: top,
                                  rows: min(winogradBandRows, input.height - top), geometry,
                                  into: scratch.transformed[index % 2])
    }
    var next = items.isEmpty ? nil : job(0)
    for index in items.indices {
      guard var current = next else { break }
      current.finish()
      next = index + 1 < items.count ? job(index + 1) : nil
      winogradProducts(current, weights, geometry, scratch, overlapping: &next)
      let (top, first) = items[index]
      guard first + winogradChannelChunk >= channels else { continue }
      for block in 0..<weights.blocks {
        for row in 0..<min(winogradBandRows, input.height - top) {
          winogradOutputRow(scratch, geometry, block: block, row: row, bias: bias + block * gemmNR,
                            epilogue: epilogue, into: output, firstChannel: firstChannel + block * gemmNR,
                            outputRow: top + row)
        }
      }
    }
    scratch.release()
  }
}

/// One task's buffers: two of the transformed input rows of one band and channel chunk (the one in use
/// and the next), each [4][R + 2][chunk][rowLength] plus padding between components, the products of
/// every block and component, [blocks][4][R][rowLength][32], and two 16 × 16 blocks for the output
/// transform's transposes.
private struct WinogradRowScratch {
  let transformed: [UnsafeMutablePointer<Float>]
  let products: UnsafeMutablePointer<Float>
  let staging: UnsafeMutableRawPointer
  let transformedFloats: Int
  let productFloats: Int

  init(_ geometry: WinogradRowGeometry, blocks: Int, channels: Int) {
    transformedFloats = 4 * (winogradBandRows + 2) * channels * geometry.rowLength + 4 * winogradComponentPadding
    // Zeroed once: the tiles past the last strip are never computed but pass through the transposes.
    productFloats = blocks * 4 * winogradBandRows * geometry.rowLength * gemmNR
    transformed = [allocateAlignedFloats(transformedFloats), allocateAlignedFloats(transformedFloats)]
    products = allocateAlignedFloats(productFloats)
    products.initialize(repeating: 0, count: productFloats)
    staging = .allocate(byteCount: 2 * 16 * 64, alignment: 64)
  }

  func release() {
    transformed.forEach { releaseAlignedFloats($0, count: transformedFloats) }
    releaseAlignedFloats(products, count: productFloats)
    staging.deallocate()
  }
}

/// Floats between one transformed component and the next beyond their size. Without them, sizes that
/// are a multiple of 4 KB (32 channels × 10 rows × 96 tiles) put the four stores of each step 4 KB
/// apart, and a transform row took ~1.7× as long in a microbenchmark (32 against 19 ns per 16 tiles;
/// at x4plus's 16 × 6 × 144 it made no difference).
let winogradComponentPadding = 16

/// The input transform of one band and channel chunk, [4][R + 2][C][rowLength], done row by row.
private struct WinogradTransformJob {
  let input: PaddedPlanes
  let first: Int
  let count: Int
  let top: Int
  let rows: Int
  let rowLength: Int
  let target: UnsafeMutablePointer<Float>
  private var done = 0

  init(_ input: PaddedPlanes, channels: Range<Int>, top: Int, rows: Int, _ geometry: WinogradRowGeometry,
       into target: UnsafeMutablePointer<Float>) {
    (self.input, first, count, self.top, self.rows) = (input, channels.lowerBound, channels.count, top, rows)
    (rowLength, self.target) = (geometry.rowLength, target)
  }

  /// Floats from one component to the next.
  var componentStride: Int { (rows + 2) * count * rowLength + winogradComponentPadding }
  /// Input rows (one channel's padded row each) to transform.
  var pieces: Int { count * (rows + 2) }

  /// Transforms the next `limit` rows, channel by channel (each channel's band rows are one contiguous run).
  mutating func advance(_ limit: Int) {
    let end = min(pieces, done + limit)
    while done < end {
      let (channel, inputRow) = (done / (rows + 2), done % (rows + 2))
      let source = input.plane(first + channel) + (top + inputRow) * input.rowStride  // padded row top + inputRow
      winogradTransformRow(source, length: rowLength, into: target + (inputRow * count + channel) * rowLength,
                           componentStride: componentStride)
      done += 1
    }
  }

  mutating func finish() { advance(pieces) }
}

/// The products m_i of one band and channel chunk (transformed in `job`): the micro-kernel over every
/// component, block of 32 outputs, row and strip of tiles, advancing `overlapping` between calls.
private func winogradProducts(_ job: WinogradTransformJob, _ weights: Conv3x3WinogradWeights, _ geometry: WinogradRowGeometry,
                              _ scratch: WinogradRowScratch, overlapping next: inout WinogradTransformJob?) {
  let lanes = gemmNR
  let rowLength = geometry.rowLength
  let count = job.count
  let calls = 4 * weights.blocks * job.rows * geometry.strips
  let piecesPerCall = next.map { ($0.pieces + calls - 1) / calls } ?? 0
  for component in 0..<4 {
    for block in 0..<weights.blocks {
      let u = weights.transformed.floats + ((block * 4 + component) * weights.inChannels + job.first) * 3 * lanes
      for row in 0..<job.rows {
        let products = scratch.products + ((block * 4 + component) * winogradBandRows + row) * rowLength * lanes
        // Step (dy, c) of output row `row` reads transformed row row + dy, channel c: (row + dy)·count + c rows in.
        let t = job.target + component * job.componentStride + row * count * rowLength
        for strip in 0..<geometry.strips {
          next?.advance(piecesPerCall)
          gemmMicroKernel(3 * count, t + strip * gemmMR, rowLength, u, products + strip * gemmMR * lanes, lanes,
                          job.first > 0)
        }
      }
    }
  }
}

/// The input transform of one padded row at tiles t < length: T0 = d0 − d2, T1 = d1 + d2, T2 = d2 − d1,
/// T3 = d1 − d3 with d_j = row[2t + j], component i written `componentStride` floats after T0.
private func winogradTransformRow(_ row: UnsafePointer<Float>, length: Int, into target: UnsafeMutablePointer<Float>,
                                  componentStride: Int) {
  let source = UnsafeRawPointer(row)
  let destination = UnsafeMutableRawPointer(target)
  let stride = componentStride * 4
  var tile = 0
  while tile < length {
    let (d0, d1) = simdDeinterleave(source.loadUnaligned(fromByteOffset: tile * 8, as: SIMD32<Float>.self))
    let (d2, d3) = simdDeinterleave(source.loadUnaligned(fromByteOffset: tile * 8 + 8, as: SIMD32<Float>.self))
    destination.storeBytes(of: d0 - d2, toByteOffset: tile * 4, as: SIMD16<Float>.self)
    destination.storeBytes(of: d1 + d2, toByteOffset: tile * 4 + stride, as: SIMD16<Float>.self)
    destination.storeBytes(of: d2 - d1, toByteOffset: tile * 4 + 2 * stride, as: SIMD16<Float>.self)
    destination.storeBytes(of: d1 - d3, toByteOffset: tile * 4 + 3 * stride, as: SIMD16<Float>.self)
    tile += 16
  }
}

/// The output transform of one row of one block: y0 = m0 + m1 + m2, y1 = m1 − m2 − m3, plus the bias,
/// through the epilogue, into 32 output planes at pixels (2t, 2t + 1) of row `outputRow`. Per group
/// of 16 tiles and 16 outputs, the [tile][output] sums are transposed in registers and each output's
/// y0 and y1 interleaved into 32 consecutive pixels.
private func winogradOutputRow(_ scratch: WinogradRowScratch, _ geometry: WinogradRowGeometry, block: Int, row: Int,
                               bias: UnsafePointer<Float>, epilogue: Conv3x3Epilogue, into output: PaddedPlanes,
                               firstChannel: Int, outputRow: Int) {
  let lanes = gemmNR
  let componentBytes = winogradBandRows * geometry.rowLength * lanes * 4
  let products = UnsafeRawPointer(scratch.products + ((block * 4) * winogradBandRows + row) * geometry.rowLength * lanes)
  let slope: Float
  switch epilogue {
  case .none: slope = 1
  case .leaky(let value): slope = value
  }
  let slopes = SIMD16<Float>(repeating: slope)
  let pixel = (outputRow + 1) * output.rowStride + 1  // padded position of (outputRow, 0)
  let (y0s, y1s) = (scratch.staging, scratch.staging + 16 * 64)  // [16 tiles][16 outputs] each
  // Lane by lane: a loadUnaligned of SIMD16 here made the compiler outline that specialization for
  // the whole module, the direct kernel's loads included (5× slower).
  var biases = (SIMD16<Float>(), SIMD16<Float>())
  for lane in 0..<16 {
    biases.0[lane] = bias[lane]
    biases.1[lane] = bias[16 + lane]
  }
  var tile = 0
  while tile < geometry.tiles {
    let pixels = min(32, output.width - 2 * tile)
    for half in 0..<2 {
      let b = half == 0 ? biases.0 : biases.1
      for lane in 0..<16 {
        let offset = ((tile + lane) * lanes + half * 16) * 4
        let m0 = products.load(fromByteOffset: offset, as: SIMD16<Float>.self)
        let m1 = products.load(fromByteOffset: offset + componentBytes, as: SIMD16<Float>.self)
        let m2 = products.load(fromByteOffset: offset + 2 * componentBytes, as: SIMD16<Float>.self)
        let m3 = products.load(fromByteOffset: offset + 3 * componentBytes, as: SIMD16<Float>.self)
        let y0 = m0 + m1 + m2 + b
        let y1 = m1 - m2 - m3 + b
        y0s.storeBytes(of: y0.replacing(with: y0 * slopes, where: y0 .< 0), toByteOffset: lane * 64, as: SIMD16<Float>.self)
        y1s.storeBytes(of: y1.replacing(with: y1 * slopes, where: y1 .< 0), toByteOffset: lane * 64, as: SIMD16<Float>.self)
      }
      y0s.storeBytes(of: simdTransposed(y0s.load(as: SIMD16x16.self)), as: SIMD16x16.self)  // [tile][o] -> [o][tile]
      y1s.storeBytes(of: simdTransposed(y1s.load(as: SIMD16x16.self)), as: SIMD16x16.self)
      for lane in 0..<16 {
        let (low, high) = simdInterleave(y0s.load(fromByteOffset: lane * 64, as: SIMD16<Float>.self),
                                         y1s.load(fromByteOffset: lane * 64, as: SIMD16<Float>.self))
        let target = output.plane(firstChannel + half * 16 + lane) + pixel + 2 * tile
        if pixels == 32 {
          UnsafeMutableRawPointer(target).storeBytes(of: low, as: SIMD16<Float>.self)
          UnsafeMutableRawPointer(target).storeBytes(of: high, toByteOffset: 64, as: SIMD16<Float>.self)
        } else {
          for index in 0..<pixels { target[index] = index < 16 ? low[index] : high[index - 16] }
        }
      }
    }
    tile += 16
  }
}
