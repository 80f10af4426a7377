// diffusers 0.42 `TimestepEmbedding` (linear_1, SiLU, linear_2) after `Timesteps` (TensorCore's
// `timestepEmbedding`), as used by PriorTransformer, UNet2DConditionModel and UNet2DModel.
// B batch, D embedding size.
import TensorCore

/// `Timesteps(dim, flip_sin_to_cos, freq_shift)` of one timestep repeated over the batch → [B, D].
func timestepProjection(_ timestep: Int, batch: Int, dim: Int, flipSinToCos: Bool, freqShift: Float) -> Tensor {
  timestepEmbedding(timesteps: Array(repeating: Float(timestep), count: batch), dimension: dim,
                    flipSinToCos: flipSinToCos, downscaleFreqShift: freqShift)  // [B] -> [B,D]
}

/// `TimestepEmbedding`: linear_1 → SiLU → linear_2.
struct TimestepEmbedding: Sendable {
  let linear1: LinearLayer
  let linear2: LinearLayer

  init(_ w: WeightScope, inputs: Int, hidden: Int, outputs: Int) {
    linear1 = LinearLayer(w, "linear_1", inputs: inputs, outputs: hidden)
    linear2 = LinearLayer(w, "linear_2", inputs: hidden, outputs: outputs)
  }

  func callAsFunction(_ x: Tensor) -> Tensor { linear2(silu(linear1(x))) }  // [B,I] -> [B,O]
}
