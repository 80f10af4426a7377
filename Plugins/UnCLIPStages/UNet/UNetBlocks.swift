// The down, mid and up blocks of the unCLIP UNets (diffusers 0.42 models/unets/unet_2d_blocks.py):
// ResnetDownsampleBlock2D, SimpleCrossAttnDownBlock2D, UNetMidBlock2DSimpleCrossAttn, UNetMidBlock2D,
// SimpleCrossAttnUpBlock2D and ResnetUpsampleBlock2D. A block is resnets, each optionally followed by
// an attention layer, then optionally a resampling resnet.
// N batch, C channels, H, W size, T text tokens, X cross-attention size, E time-embedding size.
import TensorCore

/// Settings every resnet of one UNet shares.
struct ResnetSettings: Sendable {
  let timeChannels: Int
  let groups: Int
  let epsilon: Float
  let timeNorm: TimeEmbeddingNorm
  let outputScaleFactor: Float
  let skipTimeActivation: Bool

  func block(_ w: WeightScope, inputs: Int, outputs: Int, resample: ResnetResample = .none,
             outputScaleFactor factor: Float? = nil) -> ResnetBlock2D {
    ResnetBlock2D(w, inputs: inputs, outputs: outputs, timeChannels: timeChannels, groups: groups, epsilon: epsilon,
                  timeNorm: timeNorm, resample: resample, outputScaleFactor: factor ?? outputScaleFactor,
                  skipTimeActivation: skipTimeActivation)
  }
}

/// The attention layer after a resnet, if any.
enum BlockAttention: Sendable {
  case addedKV(AddedKVAttention)
  case spatial(SpatialSelfAttention)

  func callAsFunction(_ x: Tensor, context: Tensor?, mask: Tensor?) -> Tensor {
    switch self {
    case .addedKV(let attention):
      guard let context else { preconditionFailure("cross-attention block without encoder_hidden_states") }
      return attention(x, context: context, mask: mask)
    case .spatial(let attention):
      return attention(x)
    }
  }
}

/// Extends the [N, T] text mask with zeros for the P pixel keys an added-KV attention appends, as
/// `Attention.prepare_attention_mask` pads it: [N, 1, T] → [N, 1, 1, T + P].
func paddedAttentionMask(_ mask: Tensor?, positions: Int) -> Tensor? {
  guard let mask else { return nil }
  let (batch, tokens) = (mask.shape[0], mask.shape[mask.rank - 1])
  let padding = Tensor(zeros: [batch, positions])
  return concat([mask.reshaped([batch, tokens]), padding], axis: 1).reshaped([batch, 1, 1, tokens + positions])
}

/// A down block: resnets (+ attention each), then an optional down-sampling resnet.
struct DownBlock: Sendable {
  let resnets: [ResnetBlock2D]
  let attentions: [BlockAttention]
  let downsampler: ResnetBlock2D?

  /// `x` [N, C, H, W] → (output, skip states for the up path).
  func callAsFunction(_ x: Tensor, timeEmbedding: Tensor, context: Tensor?, mask: Tensor?) -> (Tensor, [Tensor]) {
    var hidden = x
    var states: [Tensor] = []
    for (index, resnet) in resnets.enumerated() {
      hidden = resnet(hidden, timeEmbedding: timeEmbedding)
      if index < attentions.count {
        hidden = attentions[index](hidden, context: context,
                                   mask: paddedAttentionMask(mask, positions: hidden.shape[2] * hidden.shape[3]))
      }
      states.append(hidden)
    }
    if let downsampler {
      hidden = downsampler(hidden, timeEmbedding: timeEmbedding)  // [N,C,H,W] -> [N,C,H/2,W/2]
      states.append(hidden)
    }
    return (hidden, states)
  }
}

/// A mid block: resnet, then (attention, resnet) pairs.
struct MidBlock: Sendable {
  let resnets: [ResnetBlock2D]
  let attentions: [BlockAttention?]

  func callAsFunction(_ x: Tensor, timeEmbedding: Tensor, context: Tensor?, mask: Tensor?) -> Tensor {
    var hidden = resnets[0](x, timeEmbedding: timeEmbedding)
    for (attention, resnet) in zip(attentions, resnets.dropFirst()) {
      if let attention {
        hidden = attention(hidden, context: context, mask: paddedAttentionMask(mask, positions: hidden.shape[2] * hidden.shape[3]))
      }
      hidden = resnet(hidden, timeEmbedding: timeEmbedding)
    }
    return hidden
  }
}

/// An up block: (concatenate a skip state, resnet, attention) per layer, then an optional up-sampling resnet.
struct UpBlock: Sendable {
  let resnets: [ResnetBlock2D]
  let attentions: [BlockAttention]
  let upsampler: ResnetBlock2D?

  /// Consumes `resnets.count` skip states from the end of `skips`.
  func callAsFunction(_ x: Tensor, skips: inout [Tensor], timeEmbedding: Tensor, context: Tensor?, mask: Tensor?) -> Tensor {
    var hidden = x
    for (index, resnet) in resnets.enumerated() {
      let skip = skips.removeLast()
      hidden = concat([hidden, skip], axis: 1)  // [N,C,H,W] + [N,S,H,W] -> [N,C+S,H,W]
      hidden = resnet(hidden, timeEmbedding: timeEmbedding)
      if index < attentions.count {
        hidden = attentions[index](hidden, context: context,
                                   mask: paddedAttentionMask(mask, positions: hidden.shape[2] * hidden.shape[3]))
      }
    }
    if let upsampler { hidden = upsampler(hidden, timeEmbedding: timeEmbedding) }  // [N,C,H,W] -> [N,C,2H,2W]
    return hidden
  }
}

/// The walk both UNets share: `hidden` (conv_in's output) down through `down` (keeping the skips),
/// through `mid` and up through `up`, which consume the skips: [N,C0,H,W] -> [N,C0,H,W].
func runUNetBlocks(_ hidden: Tensor, down: [DownBlock], mid: MidBlock?, up: [UpBlock], timeEmbedding: Tensor,
                   context: Tensor?, mask: Tensor?) -> Tensor {
  var hidden = hidden
  var skips: [Tensor] = [hidden]
  for block in down {
    let (output, states) = block(hidden, timeEmbedding: timeEmbedding, context: context, mask: mask)
    hidden = output
    skips.append(contentsOf: states)
  }
  if let mid { hidden = mid(hidden, timeEmbedding: timeEmbedding, context: context, mask: mask) }
  for block in up {
    hidden = block(hidden, skips: &skips, timeEmbedding: timeEmbedding, context: context, mask: mask)
  }
  return hidden
}
