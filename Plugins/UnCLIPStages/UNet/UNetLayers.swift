// The torch.nn layers the unCLIP models are built from, each holding its weights (f16/f32 views of
// the mapped file, or laid out from them for the GEMM) and naming its checkpoint keys:
// `<name>.weight`, `<name>.bias`.
import TensorCore

/// nn.Linear: weight [out, in], bias [out]. The weight is laid out once for the GEMM (`LinearWeights`)
/// and its mapped pages given back.
struct LinearLayer: Sendable {
  let weights: LinearWeights
  let bias: Tensor?

  init(weight: Tensor, bias: Tensor?) {
    weights = LinearWeights(weight, releasingSource: true)
    self.bias = bias
  }

  init(_ w: WeightScope, _ name: String, inputs: Int, outputs: Int, bias hasBias: Bool = true) {
    self.init(weight: w(name + ".weight", [outputs, inputs]), bias: hasBias ? w(name + ".bias", [outputs]) : nil)
  }

  func callAsFunction(_ x: Tensor) -> Tensor { linear(x, weights: weights, bias: bias) }  // [..., I] -> [..., O]
}

/// The weight is laid out once for the GEMM (`ConvWeights`) and its mapped pages given back.
struct Conv2DLayer: Sendable {
  let weights: ConvWeights
  let bias: Tensor
  let padding: Int

  init(_ w: WeightScope, _ name: String, inputs: Int, outputs: Int, kernel: Int) {
    weights = ConvWeights(w(name + ".weight", [outputs, inputs, kernel, kernel]), releasingSource: true)
    bias = w(name + ".bias", [outputs])
    padding = kernel / 2
  }

  func callAsFunction(_ x: Tensor) -> Tensor { conv2d(x, weights: weights, bias: bias, padding: padding) }  // [N,C,H,W] -> [N,O,H,W]
}

/// nn.GroupNorm(groups, channels, eps, affine=True).
struct GroupNormLayer: Sendable {
  let weight: Tensor
  let bias: Tensor
  let groups: Int
  let epsilon: Float

  init(_ w: WeightScope, _ name: String, channels: Int, groups: Int, epsilon: Float) {
    weight = w(name + ".weight", [channels]).toFloat32()
    bias = w(name + ".bias", [channels]).toFloat32()
    self.groups = groups
    self.epsilon = epsilon
  }

  func callAsFunction(_ x: Tensor) -> Tensor { groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon) }

  /// silu(norm(x) · (1 + scale) + shift) in one pass (`scale`, `shift` [N, C], nil: 0).
  func silu(_ x: Tensor, scale: Tensor? = nil, shift: Tensor? = nil) -> Tensor {
    groupNormSiLU(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon, scale: scale, shift: shift)
  }
}

/// nn.LayerNorm(dim, eps) with affine weight and bias.
struct LayerNormLayer: Sendable {
  let weight: Tensor
  let bias: Tensor
  let epsilon: Float

  init(_ w: WeightScope, _ name: String, dim: Int, epsilon: Float) {
    weight = w(name + ".weight", [dim]).toFloat32()
    bias = w(name + ".bias", [dim]).toFloat32()
    self.epsilon = epsilon
  }

  func callAsFunction(_ x: Tensor) -> Tensor { layerNorm(x, weight: weight, bias: bias, epsilon: epsilon) }
}
