// Direct 3×3, stride-1, zero-pad-1 convolution on zero-bordered planes, for the Real-ESRGAN networks
// (every conv there is one). Unlike an im2col GEMM, nothing is packed per call: each output block
// reads the padded input planes in place, so 32-output convs (RRDB's dense layers) run at the
// micro-kernel's speed. Its scalar twin is TensorCore's `conv2dReference`.
// C input channels, O output channels, OB output block (conv3x3OutputBlock), H, W plane size,
// Wp = W + 2 padded row, n grid pixel = h · Wp + w (w ≥ W are two scratch columns per row).
import TensorCore

/// Input channels one pass of the micro-kernels reads before moving to the next output block.
let conv3x3ChannelChunk = 32

/// C planes of H×W floats with a one-pixel zero border: pixel (h, w) of channel c sits at
/// `c · planeStride + (h + 1) · rowStride + w + 1`. The slack after each plane lets the micro-kernel
/// read whole vectors past the last pixel.
final class PaddedPlanes: @unchecked Sendable {
  let channels: Int
  let height: Int
  let width: Int
  let rowStride: Int
  let planeStride: Int
  let storage: TensorStorage

  var base: UnsafeMutablePointer<Float> { storage.base.assumingMemoryBound(to: Float.self) }

  /// Zero-filled planes.
  init(channels: Int, height: Int, width: Int) {
    self.channels = channels
    self.height = height
    self.width = width
    rowStride = width + 2
    planeStride = ((height + 2) * (width + 2) + 64 + 15) / 16 * 16
    storage = TensorStorage(zeroedByteCount: channels * planeStride * 4)
  }

  /// The planes of `tensor` [1,C,H,W] with a zero border.
  convenience init(_ tensor: Tensor) {
    precondition(tensor.rank == 4 && tensor.shape[0] == 1, "PaddedPlanes needs [1,C,H,W], got \(tensor.shape)")
    self.init(channels: tensor.shape[1], height: tensor.shape[2], width: tensor.shape[3])
    let source = tensor.toFloat32()
    let (plane, rowStride, planeStride, width, height) = (height * width, rowStride, planeStride, width, height)
    nonisolated(unsafe) let from = source.floats
    nonisolated(unsafe) let to = base
    ComputePool.shared.parallelFor(channels) { channel in
      for row in 0..<height {
        (to + channel * planeStride + (row + 1) * rowStride + 1).update(from: from + channel * plane + row * width, count: width)
      }
    }
    withExtendedLifetime(source) {}
  }

  /// Channels `range` as a dense tensor [1,C,H,W].
  func tensor(channels range: Range<Int>) -> Tensor {
    let result = Tensor(uninitialized: [1, range.count, height, width])  // [C,H+2,Wp] -> [1,C,H,W]
    let (plane, rowStride, planeStride, width, height) = (height * width, rowStride, planeStride, width, height)
    nonisolated(unsafe) let from = base + range.lowerBound * planeStride
    nonisolated(unsafe) let to = result.mutableFloats
    ComputePool.shared.parallelFor(range.count) { channel in
      for row in 0..<height {
        (to + channel * plane + row * width).update(from: from + channel * planeStride + (row + 1) * rowStride + 1, count: width)
      }
    }
    return result
  }

  /// Channel `channel`'s first stored float (the top-left border corner).
  func plane(_ channel: Int) -> UnsafeMutablePointer<Float> { base + channel * planeStride }
}

/// 3×3 weights repacked for ``conv3x3(_:channels:_:epilogue:into:at:)``: [O/OB][C][9][OB], outputs
/// zero-filled up to a multiple of OB.
struct Conv3x3Weights: @unchecked Sendable {
  /// The weights as the kernel that runs this convolution reads them.
  enum Layout {
    /// The direct kernel's [blocks · C · 9 · OB].
    case direct(Tensor)
    /// The row-wise Winograd's transformed weights (shapes it suits, unless `EASEL_WINOGRAD=0`).
    case winograd(Conv3x3WinogradWeights)
  }

  let inChannels: Int
  let outChannels: Int
  let blocks: Int
  let layout: Layout
  /// [blocks · OB]
  let bias: Tensor

  /// From `weight` [O, C, 3, 3] and `bias` [O]. Only the layout that will run is built.
  init(weight: Tensor, bias: Tensor) {
    precondition(weight.rank == 4 && weight.shape[2] == 3 && weight.shape[3] == 3, "conv3x3 weight \(weight.shape)")
    let (outputs, inputs) = (weight.shape[0], weight.shape[1])
    let block = conv3x3OutputBlock
    inChannels = inputs
    outChannels = outputs
    blocks = (outputs + block - 1) / block
    let source = weight.toFloat32()
    let biasValues = bias.toFloat32()
    let packedBias = Tensor(zeros: [blocks * block])
    for output in 0..<outputs { packedBias.mutableFloats[output] = biasValues.floats[output] }
    self.bias = packedBias
    if let winograd = Conv3x3WinogradWeights(weight: source) {
      layout = .winograd(winograd)
      return
    }
    let packed = Tensor(zeros: [blocks * inputs * 9 * block])
    let to = packed.mutableFloats
    for output in 0..<outputs {
      let (outer, inner) = (output / block, output % block)
      for input in 0..<inputs {
        for tap in 0..<9 {
          to[((outer * inputs + input) * 9 + tap) * block + inner] = source.floats[(output * inputs + input) * 9 + tap]
        }
      }
    }
    layout = .direct(packed)
  }
}

/// Convolves channels `0..<channels` of `input` (`channels` = the weights' C) with `weights` and writes
/// the O outputs through `epilogue` into channels `at..<at+O` of `output`, which has the same H×W.
/// `output` may be `input` when the channel ranges do not overlap.
func conv3x3(_ input: PaddedPlanes, channels: Int, _ weights: Conv3x3Weights, epilogue: Conv3x3Epilogue,
             into output: PaddedPlanes, at firstChannel: Int) {
  precondition(channels == weights.inChannels && channels <= input.channels, "conv3x3: \(channels) channels, weights take \(weights.inChannels)")
  precondition(output.height == input.height && output.width == input.width, "conv3x3: output planes differ in size")
  precondition(firstChannel + weights.outChannels <= output.channels, "conv3x3: output channels out of range")
  let packedWeights: Tensor
  switch weights.layout {
  case .winograd(let winograd):
    conv3x3Winograd(input, channels: channels, winograd, bias: weights.bias.floats, epilogue: epilogue, into: output, at: firstChannel)
    return
  case .direct(let packed): packedWeights = packed
  }
  let block = conv3x3OutputBlock
  let pixels = conv3x3PixelBlock
  let (height, rowStride) = (input.height, input.rowStride)
  let gridCount = (height * rowStride + pixels - 1) / pixels  // pixel blocks over the H × Wp grid
  // Outputs of a partial last OB block go to a scratch plane set, so `output` needs no spare channels.
  let fullBlocks = weights.outChannels / block
  let spare = weights.blocks > fullBlocks ? PaddedPlanes(channels: block, height: input.height, width: input.width) : nil
  nonisolated(unsafe) let source = UnsafePointer(input.base)
  nonisolated(unsafe) let packed = packedWeights.floats
  nonisolated(unsafe) let bias = weights.bias.floats
  nonisolated(unsafe) let target = output.base
  nonisolated(unsafe) let spareBase = spare?.base ?? output.base
  let spareStride = spare?.planeStride ?? output.planeStride
  let (inStride, outStride) = (input.planeStride, output.planeStride)
  let threads = ComputePool.shared.threadCount
  let tasks = threads == 1 ? 1 : min(gridCount, threads * 8)
  // Channel chunks keep one pixel block's input rows in L1 while every output block reads them.
  let chunk = conv3x3ChannelChunk
  ComputePool.shared.parallelFor(tasks) { task in
    for grid in (task * gridCount / tasks)..<((task + 1) * gridCount / tasks) {
      let n = grid * pixels
      var first = 0
      while first < channels {
        let count = min(chunk, channels - first)
        let last = first + count == channels
        for outer in 0..<weights.blocks {
          // The grid pixel n (top-left tap) lands on padded pixel n + Wp + 1 of the output.
          let destination = outer < fullBlocks
            ? target + (firstChannel + outer * block) * outStride + n + rowStride + 1
            : spareBase + n + rowStride + 1
          conv3x3MicroKernel(count, source + first * inStride + n, inStride, rowStride,
                             packed + (outer * channels + first) * 9 * block, bias + outer * block, destination,
                             outer < fullBlocks ? outStride : spareStride, first > 0, last ? epilogue : .none)
        }
        first += count
      }
    }
  }
  if let spare {
    for channel in 0..<(weights.outChannels - fullBlocks * block) {
      output.plane(firstChannel + fullBlocks * block + channel).update(from: spare.plane(channel), count: output.planeStride)
    }
  }
  zeroBorders(output, channels: firstChannel..<(firstChannel + weights.outChannels))
}

/// Restores the zero border (and slack) that the grid's scratch columns and last block overwrote.
private func zeroBorders(_ planes: PaddedPlanes, channels: Range<Int>) {
  let (height, width, rowStride, planeStride) = (planes.height, planes.width, planes.rowStride, planes.planeStride)
  nonisolated(unsafe) let base = planes.base
  ComputePool.shared.parallelFor(channels.count) { index in
    let plane = base + (channels.lowerBound + index) * planeStride
    for row in 1...height {
      plane[row * rowStride] = 0
      plane[row * rowStride + width + 1] = 0
    }
    (plane + (height + 1) * rowStride).update(repeating: 0, count: planeStride - (height + 1) * rowStride)
  }
}

/// A dense-tensor front end: `x` [1,C,H,W] -> [1,O,H,W].
func conv3x3(_ x: Tensor, _ weights: Conv3x3Weights, epilogue: Conv3x3Epilogue = .none) -> Tensor {
  let input = PaddedPlanes(x)
  let output = PaddedPlanes(channels: weights.outChannels, height: input.height, width: input.width)
  conv3x3(input, channels: input.channels, weights, epilogue: epilogue, into: output, at: 0)
  return output.tensor(channels: 0..<weights.outChannels)  // [1,C,H,W] -> [1,O,H,W]
}
