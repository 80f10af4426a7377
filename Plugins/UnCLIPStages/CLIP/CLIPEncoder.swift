// transformers 5.23 CLIPEncoder / CLIPEncoderLayer / CLIPMLP: pre-norm residual blocks
// x + attn(ln1(x)), then x + fc2(act(fc1(ln2(x)))).
// N batch, T tokens, W width, I intermediate size.
import TensorCore
import WeightIO

/// One `encoder.layers.{i}` block.
struct CLIPEncoderLayer: @unchecked Sendable {
  let attention: CLIPAttention
  let norm1Weight: Tensor, norm1Bias: Tensor
  let norm2Weight: Tensor, norm2Bias: Tensor
  let fc1Weight: Tensor, fc1Bias: Tensor
  let fc2Weight: Tensor, fc2Bias: Tensor

  /// Keys and shapes of layer `prefix` (ending in "layers.{i}.").
  static func keys(_ prefix: String, config: some CLIPEncoderConfig) -> [(key: String, shape: [Int])] {
    let (w, i) = (config.hiddenSize, config.intermediateSize)
    return CLIPAttention.keys(prefix + "self_attn.", width: w) + [
      (prefix + "layer_norm1.weight", [w]), (prefix + "layer_norm1.bias", [w]),
      (prefix + "mlp.fc1.weight", [i, w]), (prefix + "mlp.fc1.bias", [i]),
      (prefix + "mlp.fc2.weight", [w, i]), (prefix + "mlp.fc2.bias", [w]),
      (prefix + "layer_norm2.weight", [w]), (prefix + "layer_norm2.bias", [w]),
    ]
  }

  init(_ weights: WeightSet, prefix: String, heads: Int) throws {
    attention = try CLIPAttention(weights, prefix: prefix + "self_attn.", heads: heads)
    norm1Weight = try weights.tensor(prefix + "layer_norm1.weight")
    norm1Bias = try weights.tensor(prefix + "layer_norm1.bias")
    norm2Weight = try weights.tensor(prefix + "layer_norm2.weight")
    norm2Bias = try weights.tensor(prefix + "layer_norm2.bias")
    fc1Weight = try weights.tensor(prefix + "mlp.fc1.weight")
    fc1Bias = try weights.tensor(prefix + "mlp.fc1.bias")
    fc2Weight = try weights.tensor(prefix + "mlp.fc2.weight")
    fc2Bias = try weights.tensor(prefix + "mlp.fc2.bias")
  }
}

/// The stack of encoder layers of one tower.
struct CLIPEncoder: @unchecked Sendable {
  let layers: [CLIPEncoderLayer]
  let activation: CLIPActivation
  let epsilon: Float

  /// Keys and shapes of `prefix` + "layers.{i}." for every layer (prefix ends in "encoder.").
  static func keys(_ prefix: String, config: some CLIPEncoderConfig) -> [(key: String, shape: [Int])] {
    (0..<config.numHiddenLayers).flatMap { CLIPEncoderLayer.keys(prefix + "layers.\($0).", config: config) }
  }

  init(_ weights: WeightSet, prefix: String, config: some CLIPEncoderConfig) throws {
    layers = try (0..<config.numHiddenLayers).map {
      try CLIPEncoderLayer(weights, prefix: prefix + "layers.\($0).", heads: config.numAttentionHeads)
    }
    activation = config.hiddenAct
    epsilon = Float(config.layerNormEps)
  }

  /// [N,T,W] -> [N,T,W]; `causal` hides later tokens (text tower).
  func callAsFunction(_ input: Tensor, causal: Bool) -> Tensor {
    var x = input
    for layer in layers {
      let normed1 = layerNorm(x, weight: layer.norm1Weight, bias: layer.norm1Bias, epsilon: epsilon)
      x = add(x, layer.attention(normed1, causal: causal))
      let normed2 = layerNorm(x, weight: layer.norm2Weight, bias: layer.norm2Bias, epsilon: epsilon)
      let hidden = activate(linear(normed2, weight: layer.fc1Weight, bias: layer.fc1Bias))  // [N,T,W] -> [N,T,I]
      x = add(x, linear(hidden, weight: layer.fc2Weight, bias: layer.fc2Bias))  // [N,T,I] -> [N,T,W]
    }
    return x
  }

  private func activate(_ x: Tensor) -> Tensor {
    switch activation {
    case .quickGELU: quickGELU(x)
    case .gelu: gelu(x)
    case .geluNew, .geluPyTorchTanh: geluTanh(x)
    }
  }
}
