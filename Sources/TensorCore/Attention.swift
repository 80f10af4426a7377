// Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention.
// B batch, H heads, T query tokens, S key/value tokens, D head size (Dv for value).
import Foundation

/// softmax(query · keyᵀ · scale + mask) · value for `query` [B, H, T, D], `key` [B, H, S, D] and
/// `value` [B, H, S, Dv]; returns [B, H, T, Dv]. `scale` defaults to 1/√D. `causal` hides key j from
/// query i when j > i (CLIP's text encoder). `mask` is an additive f32 mask broadcastable to
/// [B, H, T, S], such as [B, 1, 1, S] (padding) or [1, 1, T, S].
public func scaledDotProductAttention(
  query: Tensor, key: Tensor, value: Tensor, causal: Bool = false, mask: Tensor? = nil, scale: Float? = nil
) -> Tensor {
  let plan = AttentionPlan(query: query, key: key, value: value, mask: mask, scale: scale)
  let result = Tensor(uninitialized: [plan.batch, plan.heads, plan.queries, plan.valueSize])  // -> [B,H,T,Dv]
  attentionRun(plan, query: query, key: key, value: value, mask: mask, causal: causal, output: result.mutableFloats)
  return result
}

/// The scalar twin of ``scaledDotProductAttention(query:key:value:causal:mask:scale:)``.
public func scaledDotProductAttentionReference(
  query: Tensor, key: Tensor, value: Tensor, causal: Bool = false, mask: Tensor? = nil, scale: Float? = nil
) -> Tensor {
  let plan = AttentionPlan(query: query, key: key, value: value, mask: mask, scale: scale)
  let (t, s, d, dv) = (plan.queries, plan.keys, plan.headSize, plan.valueSize)
  let q = query.scalars
  let k = key.scalars
  let v = value.scalars
  let maskValues = mask?.scalars
  var output = [Float](repeating: 0, count: plan.batch * plan.heads * t * dv)
  var scores = [Float](repeating: 0, count: s)
  for b in 0..<plan.batch {
    for h in 0..<plan.heads {
      let head = b * plan.heads + h
      for i in 0..<t {
        var largest = -Float.infinity
        for j in 0..<s {
          var dot: Float = 0
          for c in 0..<d { dot += q[(head * t + i) * d + c] * k[(head * s + j) * d + c] }
          var score = dot * plan.scale
          if let maskValues { score += maskValues[plan.maskOffset(b, h, i) + j * plan.maskStrides.3] }
          if causal && j > i { score = -.infinity }
          scores[j] = score
          largest = max(largest, score)
        }
        var total: Float = 0
        for j in 0..<s {
          scores[j] = Foundation.exp(scores[j] - largest)
          total += scores[j]
        }
        for c in 0..<dv {
          var sum: Float = 0
          for j in 0..<s { sum += scores[j] * v[(head * s + j) * dv + c] }
          output[(head * t + i) * dv + c] = sum / total
        }
      }
    }
  }
  return Tensor(output, shape: [plan.batch, plan.heads, t, dv])
}

/// Shapes, scale and mask broadcasting of one attention call.
struct AttentionPlan {
  var batch, heads, queries, keys, headSize, valueSize: Int
  var scale: Float
  /// Element strides of the mask along B, H, T, S; 0 on broadcast dimensions.
  var maskStrides: (Int, Int, Int, Int) = (0, 0, 0, 0)

  init(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float?) {
    precondition(query.rank == 4 && key.rank == 4 && value.rank == 4,
                 "attention: query \(query.shape), key \(key.shape), value \(value.shape) must be [B,H,T,D]")
    precondition(query.dtype.isFloatingPoint && key.dtype.isFloatingPoint && value.dtype.isFloatingPoint,
                 "attention: float tensors only")
    (batch, heads, queries, headSize) = (query.shape[0], query.shape[1], query.shape[2], query.shape[3])
    keys = key.shape[2]
    valueSize = value.shape[3]
    precondition(key.shape == [batch, heads, keys, headSize] && value.shape == [batch, heads, keys, valueSize],
                 "attention: query \(query.shape), key \(key.shape), value \(value.shape) disagree")
    self.scale = scale ?? 1 / Float(headSize).squareRoot()
    if let mask {
      precondition(mask.dtype == .f32 && mask.rank <= 4, "attention: the mask must be an additive f32 tensor of rank <= 4")
      let dims = Array(repeating: 1, count: 4 - mask.rank) + mask.shape
      let target = [batch, heads, queries, keys]
      var strides = [0, 0, 0, 0]
      var step = 1
      for axis in stride(from: 3, through: 0, by: -1) {
        precondition(dims[axis] == target[axis] || dims[axis] == 1,
                     "attention: mask \(mask.shape) does not broadcast to \(target)")
        strides[axis] = dims[axis] == 1 ? 0 : step
        step *= dims[axis]
      }
      maskStrides = (strides[0], strides[1], strides[2], strides[3])
    }
  }

  /// Offset of mask element (b, h, i, 0).
  func maskOffset(_ b: Int, _ h: Int, _ i: Int) -> Int {
    b * maskStrides.0 + h * maskStrides.1 + i * maskStrides.2
  }
}
