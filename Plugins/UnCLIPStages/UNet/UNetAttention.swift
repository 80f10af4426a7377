// The two attention layers of the unCLIP UNets (diffusers 0.42 models/attention_processor.py):
// `Attention` with added key/value projections run by AttnAddedKVProcessor2_0 (decoder), and plain
// spatial self-attention run by AttnProcessor2_0 with group_norm and residual (UNetMidBlock2D).
// N batch, C channels, H, W size, P = H·W positions, T text tokens, X cross-attention size,
// A heads, D head size.
import TensorCore

/// Self-attention over the pixels whose keys and values also include the projected text tokens.
struct AddedKVAttention: Sendable {
  let groupNorm: GroupNormLayer
  let toQ: LinearLayer
  let toK: LinearLayer
  let toV: LinearLayer
  let addK: LinearLayer
  let addV: LinearLayer
  let toOut: LinearLayer
  let heads: Int
  let onlyCrossAttention: Bool

  init(_ w: WeightScope, channels: Int, heads: Int, headSize: Int, crossChannels: Int, groups: Int, epsilon: Float,
       onlyCrossAttention: Bool) {
    let inner = heads * headSize
    groupNorm = GroupNormLayer(w, "group_norm", channels: channels, groups: groups, epsilon: epsilon)
    toQ = LinearLayer(w, "to_q", inputs: channels, outputs: inner)
    // diffusers has no to_k / to_v when only_cross_attention is set.
    toK = onlyCrossAttention ? LinearLayer.absent : LinearLayer(w, "to_k", inputs: channels, outputs: inner)
    toV = onlyCrossAttention ? LinearLayer.absent : LinearLayer(w, "to_v", inputs: channels, outputs: inner)
    addK = LinearLayer(w, "add_k_proj", inputs: crossChannels, outputs: inner)
    addV = LinearLayer(w, "add_v_proj", inputs: crossChannels, outputs: inner)
    toOut = LinearLayer(w, "to_out.0", inputs: inner, outputs: channels)
    self.heads = heads
    self.onlyCrossAttention = onlyCrossAttention
  }

  /// `x` [N, C, H, W], `context` [N, T, X], `mask` additive [N, 1, 1, T + P] or nil → [N, C, H, W].
  func callAsFunction(_ x: Tensor, context: Tensor, mask: Tensor?) -> Tensor {
    let (batch, channels) = (x.shape[0], x.shape[1])
    let positions = x.shape[2] * x.shape[3]
    let normed = permute(groupNorm(x).reshaped([batch, channels, positions]), [0, 2, 1])  // [N,C,H,W] -> [N,P,C]
    let query = splitHeads(toQ(normed))  // [N,P,C] -> [N,A,P,D]
    var key = splitHeads(addK(context))  // [N,T,X] -> [N,A,T,D]
    var value = splitHeads(addV(context))
    if !onlyCrossAttention {
      key = concat([key, splitHeads(toK(normed))], axis: 2)  // -> [N,A,T+P,D]
      value = concat([value, splitHeads(toV(normed))], axis: 2)
    }
    let attended = scaledDotProductAttention(query: query, key: key, value: value, mask: mask)  // [N,A,P,D]
    let merged = permute(attended, [0, 2, 1, 3]).reshaped([batch, positions, -1])  // [N,A,P,D] -> [N,P,A·D]
    let output = permute(toOut(merged), [0, 2, 1]).reshaped(x.shape)  // [N,P,C] -> [N,C,H,W]
    return add(output, x)
  }

  private func splitHeads(_ t: Tensor) -> Tensor {
    let (batch, length) = (t.shape[0], t.shape[1])
    return permute(t.reshaped([batch, length, heads, -1]), [0, 2, 1, 3])  // [N,L,A·D] -> [N,A,L,D]
  }
}

/// Spatial self-attention of UNetMidBlock2D (AttnProcessor2_0, residual_connection=True).
struct SpatialSelfAttention: Sendable {
  let groupNorm: GroupNormLayer?
  let toQ: LinearLayer
  let toK: LinearLayer
  let toV: LinearLayer
  let toOut: LinearLayer
  let heads: Int
  let rescaleOutputFactor: Float

  init(_ w: WeightScope, channels: Int, heads: Int, headSize: Int, groups: Int?, epsilon: Float, rescaleOutputFactor: Float) {
    let inner = heads * headSize
    groupNorm = groups.map { GroupNormLayer(w, "group_norm", channels: channels, groups: $0, epsilon: epsilon) }
    toQ = LinearLayer(w, "to_q", inputs: channels, outputs: inner)
    toK = LinearLayer(w, "to_k", inputs: channels, outputs: inner)
    toV = LinearLayer(w, "to_v", inputs: channels, outputs: inner)
    toOut = LinearLayer(w, "to_out.0", inputs: inner, outputs: channels)
    self.heads = heads
    self.rescaleOutputFactor = rescaleOutputFactor
  }

  /// `x` [N, C, H, W] → [N, C, H, W].
  func callAsFunction(_ x: Tensor) -> Tensor {
    let (batch, channels) = (x.shape[0], x.shape[1])
    let positions = x.shape[2] * x.shape[3]
    let source = groupNorm.map { $0(x) } ?? x
    let tokens = permute(source.reshaped([batch, channels, positions]), [0, 2, 1])  // [N,C,H,W] -> [N,P,C]
    let split = { (t: Tensor) in permute(t.reshaped([batch, positions, self.heads, -1]), [0, 2, 1, 3]) }  // [N,P,A·D] -> [N,A,P,D]
    let attended = scaledDotProductAttention(query: split(toQ(tokens)), key: split(toK(tokens)), value: split(toV(tokens)))
    let merged = permute(attended, [0, 2, 1, 3]).reshaped([batch, positions, -1])  // [N,A,P,D] -> [N,P,A·D]
    let output = permute(toOut(merged), [0, 2, 1]).reshaped(x.shape)  // [N,P,C] -> [N,C,H,W]
    let sum = add(output, x)
    return rescaleOutputFactor == 1 ? sum : mul(sum, 1 / rescaleOutputFactor)
  }
}

extension LinearLayer {
  /// A placeholder for a projection the config leaves out (never called).
  static var absent: LinearLayer { LinearLayer(weight: Tensor(zeros: [0, 0]), bias: nil) }
}
