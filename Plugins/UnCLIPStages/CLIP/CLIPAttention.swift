// transformers 5.23 CLIPAttention: q/k/v/out projections with biases, heads of hidden/heads,
// scale head_dim^-0.5, optional causal mask (the text tower).
// N batch, T tokens, W width (hidden size), H heads, Dh head size (W / H).
import TensorCore
import WeightIO

/// One self-attention block's weights (`…self_attn.{q,k,v,out}_proj.{weight,bias}`).
struct CLIPAttention: @unchecked Sendable {
  let qWeight: Tensor, qBias: Tensor
  let kWeight: Tensor, kBias: Tensor
  let vWeight: Tensor, vBias: Tensor
  let outWeight: Tensor, outBias: Tensor
  let heads: Int

  /// Keys and shapes under `prefix` (ending in "self_attn.").
  static func keys(_ prefix: String, width: Int) -> [(key: String, shape: [Int])] {
    ["q_proj", "k_proj", "v_proj", "out_proj"].flatMap { name in
      [(prefix + name + ".weight", [width, width]), (prefix + name + ".bias", [width])]
    }
  }

  init(_ weights: WeightSet, prefix: String, heads: Int) throws {
    qWeight = try weights.tensor(prefix + "q_proj.weight")
    qBias = try weights.tensor(prefix + "q_proj.bias")
    kWeight = try weights.tensor(prefix + "k_proj.weight")
    kBias = try weights.tensor(prefix + "k_proj.bias")
    vWeight = try weights.tensor(prefix + "v_proj.weight")
    vBias = try weights.tensor(prefix + "v_proj.bias")
    outWeight = try weights.tensor(prefix + "out_proj.weight")
    outBias = try weights.tensor(prefix + "out_proj.bias")
    self.heads = heads
  }

  /// [N,T,W] -> [N,T,W].
  func callAsFunction(_ x: Tensor, causal: Bool) -> Tensor {
    let (n, t, w) = (x.shape[0], x.shape[1], x.shape[2])
    let headSize = w / heads
    func split(_ projected: Tensor) -> Tensor {
      transpose(projected.reshaped([n, t, heads, headSize]), 1, 2)  // [N,T,W] -> [N,H,T,Dh]
    }
    let q = split(linear(x, weight: qWeight, bias: qBias))
    let k = split(linear(x, weight: kWeight, bias: kBias))
    let v = split(linear(x, weight: vWeight, bias: vBias))
    let attended = scaledDotProductAttention(query: q, key: k, value: v, causal: causal,
                                             scale: 1 / Float(headSize).squareRoot())  // [N,H,T,Dh]
    let merged = transpose(attended, 1, 2).reshaped([n, t, w])  // [N,H,T,Dh] -> [N,T,W]
    return linear(merged, weight: outWeight, bias: outBias)
  }
}
