// A 3×3, stride-1, pad-1 convolution as row-wise Winograd F(2,3) (Lavin & Gray, along rows only):
// two neighbouring output pixels of a row take 4 multiplications per kernel row instead of 6, so the
// convolution does 2/3 of the direct one's. Per band of output rows and chunk of input channels, each
// transformed component T_i of the input rows is built once (a SIMD pass, L2-resident) and read as the
// broadcast side of a GEMM-shaped micro-kernel (Conv3x3WinogradKernel) against the component's
// transformed weights U_i, 32 output channels as two vectors; no split loads, no packing of the
// activations. The output transform (y0 = m0 + m1 + m2, y1 = m1 − m2 − m3) adds the bias, applies
// the epilogue and writes the planes. Its scalar twin is TensorCore's `conv2dReference`.
// C input channels, O output channels (a multiple of 32), i transformed component (0..<4), dy kernel
// row, H, W plane size, Wp = W + 2 padded row, t tile = output pixels (2t, 2t+1) of a row, R band rows.
import Foundation
import TensorCore

/// Input channels per chunk: one micro-kernel call reduces over 3 × this (kernel rows × channels).
let winogradChannelChunk = 64
/// Output rows one band (a task's unit of work) covers: R + 2 input rows are transformed for R rows.
let winogradBandRows = 2
/// Whether eligible convolutions take this path (`EASEL_WINOGRAD=0` turns it off, to compare).
let winogradRowsEnabled = ProcessInfo.processInfo.environment["EASEL_WINOGRAD"] != "0"

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
    let lanes = winogradKernelOutputs
    guard winogradRowsEnabled, outputs % lanes == 0, inputs >= 16 else { return nil }
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

/// Where a band's tiles sit: tiles per row, rounded up to whole micro-kernel calls, and the length of
/// one transformed row (every pixel position the kernel's broadcasts reach, in whole vectors).
private struct WinogradRowGeometry {
  let tiles: Int
  let strips: Int
  let paddedTiles: Int
  let rowLength: Int

  init(width: Int) {
    tiles = (width + 1) / 2
    strips = (tiles + winogradKernelTiles - 1) / winogradKernelTiles
    paddedTiles = strips * winogradKernelTiles
    rowLength = (2 * paddedTiles + 15) / 16 * 16
  }
}

/// Convolves channels `0..<channels` of `input` and writes the O outputs through `epilogue` into
/// channels `at..<at+O` of `output` (same H×W; may be `input` when the ranges do not overlap). Only
/// the pixels are written: the zero borders stay as they are.
func conv3x3Winograd(_ input: PaddedPlanes, channels: Int, _ weights: Conv3x3WinogradWeights, bias: UnsafePointer<Float>,
                     epilogue: Conv3x3Epilogue, into output: PaddedPlanes, at firstChannel: Int) {
  precondition(channels == weights.inChannels, "conv3x3Winograd: \(channels) channels, weights take \(weights.inChannels)")
  let geometry = WinogradRowGeometry(width: input.width)
  // The transform reads 3 floats past each row's last position: within the plane's slack of 64.
  precondition((input.height + 2) * input.rowStride + geometry.rowLength - input.width + 1 <= input.planeStride)
  let bands = (input.height + winogradBandRows - 1) / winogradBandRows
  let threads = ComputePool.shared.threadCount
  let tasks = threads == 1 ? 1 : min(bands, threads * 8)
  nonisolated(unsafe) let bias = bias
  ComputePool.shared.parallelFor(tasks) { task in
    let scratch = WinogradRowScratch(geometry, blocks: weights.blocks, channels: min(channels, winogradChannelChunk))
    for band in (task * bands / tasks)..<((task + 1) * bands / tasks) {
      let top = band * winogradBandRows
      let rows = min(winogradBandRows, input.height - top)
      winogradBandProducts(input, channels: channels, weights, geometry, top: top, rows: rows, scratch)
      for block in 0..<weights.blocks {
        for row in 0..<rows {
          winogradOutputRow(scratch, geometry, block: block, row: row, bias: bias + block * winogradKernelOutputs,
                            epilogue: epilogue, into: output, firstChannel: firstChannel + block * winogradKernelOutputs,
                            outputRow: top + row)
        }
      }
    }
    scratch.release()
  }
}

/// One task's buffers: the transformed input rows of one chunk and component, [R + 2][chunk][rowLength],
/// and the products of every block and component, [blocks][4][R][paddedTiles][32].
private struct WinogradRowScratch {
  let transformed: UnsafeMutablePointer<Float>
  let products: UnsafeMutablePointer<Float>

  init(_ geometry: WinogradRowGeometry, blocks: Int, channels: Int) {
    let transformedFloats = (winogradBandRows + 2) * channels * geometry.rowLength
    let productFloats = blocks * 4 * winogradBandRows * geometry.paddedTiles * winogradKernelOutputs
    transformed = .allocate(capacity: transformedFloats)
    products = UnsafeMutableRawPointer.allocate(byteCount: productFloats * 4, alignment: 64)
      .bindMemory(to: Float.self, capacity: productFloats)
  }

  func release() {
    transformed.deallocate()
    products.deallocate()
  }
}

/// The products m_i of one band: for each channel chunk and component, transform the band's input
/// rows, then run the micro-kernel over every block of 32 outputs, row and strip of tiles.
private func winogradBandProducts(_ input: PaddedPlanes, channels: Int, _ weights: Conv3x3WinogradWeights,
                                  _ geometry: WinogradRowGeometry, top: Int, rows: Int, _ scratch: WinogradRowScratch) {
  let lanes = winogradKernelOutputs
  let rowLength = geometry.rowLength
  var first = 0
  while first < channels {
    let count = min(winogradChannelChunk, channels - first)
    for component in 0..<4 {
      for inputRow in 0..<(rows + 2) {
        for channel in 0..<count {
          let source = input.plane(first + channel) + (top + inputRow) * input.rowStride  // padded row top + inputRow
          winogradTransformRow(source, component: component, length: rowLength,
                               into: scratch.transformed + (inputRow * count + channel) * rowLength)
        }
      }
      for block in 0..<weights.blocks {
        let u = weights.transformed.floats + ((block * 4 + component) * channels + first) * 3 * lanes
        for row in 0..<rows {
          let products = scratch.products + ((block * 4 + component) * winogradBandRows + row) * geometry.paddedTiles * lanes
          for strip in 0..<geometry.strips {
            // Step (dy, c) of output row `row` reads transformed row row + dy, channel c: (row + dy)·count + c rows in.
            winogradRowKernel(3 * count, scratch.transformed + row * count * rowLength + 2 * strip * winogradKernelTiles,
                              rowLength, u, products + strip * winogradKernelTiles * lanes, first > 0)
          }
        }
      }
    }
    first += count
  }
}

/// Component `component` of the input transform at every position s < length of one padded row:
/// T0 = d0 − d2, T1 = d1 + d2, T2 = d2 − d1, T3 = d1 − d3 with d_j = row[s + j].
private func winogradTransformRow(_ row: UnsafePointer<Float>, component: Int, length: Int,
                                  into target: UnsafeMutablePointer<Float>) {
  let source = UnsafeRawPointer(row)
  let destination = UnsafeMutableRawPointer(target)
  var s = 0
  while s < length {
    let d1 = source.loadUnaligned(fromByteOffset: (s + 1) * 4, as: SIMD16<Float>.self)
    let d2 = source.loadUnaligned(fromByteOffset: (s + 2) * 4, as: SIMD16<Float>.self)
    let value: SIMD16<Float>
    switch component {
    case 0: value = source.loadUnaligned(fromByteOffset: s * 4, as: SIMD16<Float>.self) - d2
    case 1: value = d1 + d2
    case 2: value = d2 - d1
    default: value = d1 - source.loadUnaligned(fromByteOffset: (s + 3) * 4, as: SIMD16<Float>.self)
    }
    destination.storeBytes(of: value, toByteOffset: s * 4, as: SIMD16<Float>.self)
    s += 16
  }
}

/// The output transform of one row of one block: y0 = m0 + m1 + m2, y1 = m1 − m2 − m3, plus the bias,
/// through the epilogue, into 32 output planes at pixels (2t, 2t + 1) of row `outputRow`.
private func winogradOutputRow(_ scratch: WinogradRowScratch, _ geometry: WinogradRowGeometry, block: Int, row: Int,
                               bias: UnsafePointer<Float>, epilogue: Conv3x3Epilogue, into output: PaddedPlanes,
                               firstChannel: Int, outputRow: Int) {
  let lanes = winogradKernelOutputs
  let componentStride = winogradBandRows * geometry.paddedTiles * lanes
  let component0 = UnsafeRawPointer(scratch.products + ((block * 4) * winogradBandRows + row) * geometry.paddedTiles * lanes)
  let slope: Float
  switch epilogue {
  case .none: slope = 1
  case .leaky(let value): slope = value
  }
  let slopes = SIMD16<Float>(repeating: slope)
  let pixel = (outputRow + 1) * output.rowStride + 1  // padded position of (outputRow, 0)
  let width = output.width
  let staged = UnsafeMutablePointer<Float>.allocate(capacity: 2 * lanes)  // [y0 of 32 outputs, y1 of 32 outputs]
  defer { staged.deallocate() }
  let stagedRaw = UnsafeMutableRawPointer(staged)
  for tile in 0..<geometry.tiles {
    for half in 0..<2 {
      let offset = (tile * lanes + half * 16) * 4
      let m0 = component0.load(fromByteOffset: offset, as: SIMD16<Float>.self)
      let m1 = component0.load(fromByteOffset: offset + componentStride * 4, as: SIMD16<Float>.self)
      let m2 = component0.load(fromByteOffset: offset + 2 * componentStride * 4, as: SIMD16<Float>.self)
      let m3 = component0.load(fromByteOffset: offset + 3 * componentStride * 4, as: SIMD16<Float>.self)
      let b = UnsafeRawPointer(bias + half * 16).loadUnaligned(as: SIMD16<Float>.self)
      let y0 = m0 + m1 + m2 + b
      let y1 = m1 - m2 - m3 + b
      stagedRaw.storeBytes(of: y0.replacing(with: y0 * slopes, where: y0 .< 0), toByteOffset: half * 64, as: SIMD16<Float>.self)
      stagedRaw.storeBytes(of: y1.replacing(with: y1 * slopes, where: y1 .< 0), toByteOffset: (lanes + half * 16) * 4,
                           as: SIMD16<Float>.self)
    }
    let column = 2 * tile
    for lane in 0..<lanes {
      let plane = output.plane(firstChannel + lane) + pixel + column
      plane[0] = staged[lane]
      if column + 1 < width { plane[1] = staged[lanes + lane] }
    }
  }
}
