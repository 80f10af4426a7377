// diffusers 0.42 ResnetBlock2D (models/resnet.py) with time_embedding_norm "default" or "scale_shift",
// optional nearest-2× up / 2×2 average-pool down (use_conv=False), 1×1 conv_shortcut when the
// channel count changes. N batch, C/O channels, H, W size, E time-embedding size.
import TensorCore

/// How the time embedding enters a resnet block (`resnet_time_scale_shift`).
enum TimeEmbeddingNorm: String, Sendable {
  /// `h = norm2(h + proj(t))`.
  case `default`
  /// `h = norm2(h) · (1 + scale) + shift` with `[scale, shift] = proj(t)`.
  case scaleShift = "scale_shift"
}

/// Whether a resnet block resamples.
enum ResnetResample: Sendable {
  case none, up, down
}

/// One `ResnetBlock2D`.
struct ResnetBlock2D: Sendable {
  let norm1: GroupNormLayer
  let conv1: Conv2DLayer
  let timeEmbeddingProjection: LinearLayer
  let norm2: GroupNormLayer
  let conv2: Conv2DLayer
  let convShortcut: Conv2DLayer?
  let timeNorm: TimeEmbeddingNorm
  let resample: ResnetResample
  let outputScaleFactor: Float
  let skipTimeActivation: Bool

  init(_ w: WeightScope, inputs: Int, outputs: Int, timeChannels: Int, groups: Int, epsilon: Float,
       timeNorm: TimeEmbeddingNorm, resample: ResnetResample = .none, outputScaleFactor: Float = 1,
       skipTimeActivation: Bool = false) {
    norm1 = GroupNormLayer(w, "norm1", channels: inputs, groups: groups, epsilon: epsilon)
    conv1 = Conv2DLayer(w, "conv1", inputs: inputs, outputs: outputs, kernel: 3)
    let projected = timeNorm == .scaleShift ? 2 * outputs : outputs
    timeEmbeddingProjection = LinearLayer(w, "time_emb_proj", inputs: timeChannels, outputs: projected)
    norm2 = GroupNormLayer(w, "norm2", channels: outputs, groups: groups, epsilon: epsilon)
    conv2 = Conv2DLayer(w, "conv2", inputs: outputs, outputs: outputs, kernel: 3)
    convShortcut = inputs != outputs ? Conv2DLayer(w, "conv_shortcut", inputs: inputs, outputs: outputs, kernel: 1) : nil
    self.timeNorm = timeNorm
    self.resample = resample
    self.outputScaleFactor = outputScaleFactor
    self.skipTimeActivation = skipTimeActivation
  }

  /// `x` [N, C, H, W] and `timeEmbedding` [N, E] → [N, O, H', W'].
  func callAsFunction(_ x: Tensor, timeEmbedding: Tensor) -> Tensor {
    var input = x
    var hidden = norm1.silu(x)
    switch resample {
    case .none: break
    case .up:
      input = upsampleNearest2x(input)  // [N,C,H,W] -> [N,C,2H,2W]
      hidden = upsampleNearest2x(hidden)
    case .down:
      input = avgPool2d(input, kernel: 2, stride: 2)  // [N,C,H,W] -> [N,C,H/2,W/2]
      hidden = avgPool2d(hidden, kernel: 2, stride: 2)
    }
    hidden = conv1(hidden)  // [N,C,H,W] -> [N,O,H,W]
    let time = timeEmbeddingProjection(skipTimeActivation ? timeEmbedding : silu(timeEmbedding))
    let batch = time.shape[0]
    switch timeNorm {
    case .default:
      hidden = norm2.silu(add(hidden, time.reshaped([batch, -1, 1, 1])))
    case .scaleShift:
      let halves = chunk(time, 2, axis: 1)  // [N,2O] -> 2×[N,O]
      hidden = norm2.silu(hidden, scale: halves[0], shift: halves[1])
    }
    hidden = conv2(hidden)
    if let convShortcut { input = convShortcut(input) }  // [N,C,H,W] -> [N,O,H,W]
    let sum = add(input, hidden)
    return outputScaleFactor == 1 ? sum : mul(sum, 1 / outputScaleFactor)
  }
}
