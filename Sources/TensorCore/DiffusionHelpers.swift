// Small helpers the diffusion models share: sinusoidal timestep embeddings, spherical interpolation
// of embeddings, and token-embedding lookup.
//
// N timesteps (or rows), D embedding dimension, V vocabulary.

import Foundation

/// Sinusoidal timestep embeddings, as diffusers' `get_timestep_embedding` (0.42), in f32 like it.
///
/// Frequencies are exp(−ln(maxPeriod) · i / (D/2 − downscaleFreqShift)) for i < D/2; the row is
/// [sin(scale·t·f), cos(scale·t·f)] (or cos first with `flipSinToCos`), zero-padded by one column
/// when `dimension` is odd. Returns [N, dimension].
public func timestepEmbedding(
  timesteps: [Float], dimension: Int, flipSinToCos: Bool, downscaleFreqShift: Float, scale: Float = 1,
  maxPeriod: Float = 10000
) -> Tensor {
  precondition(dimension >= 2, "timestepEmbedding dimension \(dimension)")
  let half = dimension / 2
  // torch: -math.log(max_period) is a Python double, rounded to f32 when it multiplies the arange.
  let logPeriod = Float(-Foundation.log(Double(maxPeriod)))
  let denominator = Float(half) - downscaleFreqShift
  let frequencies = (0..<half).map { Foundation.exp(logPeriod * Float($0) / denominator) }
  let result = Tensor(zeros: [timesteps.count, dimension])  // [N] -> [N, D]
  let out = result.mutableFloats
  for (row, timestep) in timesteps.enumerated() {
    let line = out + row * dimension
    let sinOffset = flipSinToCos ? half : 0
    let cosOffset = flipSinToCos ? 0 : half
    for i in 0..<half {
      let argument = scale * (timestep * frequencies[i])
      line[sinOffset + i] = Foundation.sin(argument)
      line[cosOffset + i] = Foundation.cos(argument)
    }
  }
  return result
}

/// Spherical linear interpolation between `a` and `b` (same shape), row by row along the last axis:
/// with ω the angle between the two rows, sin((1−t)ω)/sin ω · a + sin(tω)/sin ω · b. Rows that are
/// (anti)parallel (sin ω < 1e-6) fall back to (1−t)·a + t·b.
///
/// This is the textbook slerp that Karlo-style embedding interpolation intends. diffusers'
/// community `unclip_text_interpolation.py` computes ω element-wise (`acos(low_norm * high_norm)`),
/// which is not an angle between vectors; that variant is deliberately not reproduced.
public func slerp(_ a: Tensor, _ b: Tensor, t: Float) -> Tensor {
  let left = a.toFloat32()
  let right = b.toFloat32()
  precondition(left.shape == right.shape && left.rank >= 1, "slerp of \(left.shape) and \(right.shape)")
  let length = left.shape[left.rank - 1]
  let result = Tensor(uninitialized: left.shape)
  if left.count == 0 { return result }
  let x = left.floats
  let y = right.floats
  let out = result.mutableFloats
  for row in 0..<(left.count / length) {
    let p = x + row * length
    let q = y + row * length
    let normP = dotRow(p, p, length).squareRoot()
    let normQ = dotRow(q, q, length).squareRoot()
    let cosine = normP > 0 && normQ > 0 ? dotRow(p, q, length) / (normP * normQ) : 1
    let omega = Foundation.acos(Swift.min(Swift.max(cosine, -1), 1))
    let sine = Foundation.sin(omega)
    let (weightA, weightB): (Float, Float) = sine < 1e-6
      ? (1 - t, t)
      : (Foundation.sin((1 - t) * omega) / sine, Foundation.sin(t * omega) / sine)
    for i in 0..<length { out[row * length + i] = weightA * p[i] + weightB * q[i] }
  }
  return withExtendedLifetime((left, right)) { result }
}

/// Rows `ids` of an embedding table [V, D] (f32, f16 or bf16), widened to f32: [ids.count, D].
/// Every id must be in 0..<V.
public func embeddingLookup(_ table: Tensor, ids: [Int32]) -> Tensor {
  precondition(table.rank == 2 && table.dtype.isFloatingPoint, "embeddingLookup needs a float [V, D] table, got \(table)")
  let vocabulary = table.shape[0]
  let width = table.shape[1]
  let result = Tensor(uninitialized: [ids.count, width])  // [V, D] -> [ids.count, D]
  let out = result.mutableFloats
  for (row, id) in ids.enumerated() {
    precondition(id >= 0 && Int(id) < vocabulary, "token id \(id) outside the vocabulary of \(vocabulary)")
    let line = out + row * width
    let start = Int(id) * width
    switch table.dtype {
    case .f32:
      line.update(from: table.floats + start, count: width)
    case .f16:
      let source = table.rawPointer.assumingMemoryBound(to: Float16.self) + start
      for i in 0..<width { line[i] = Float(source[i]) }
    default:
      let source = table.rawPointer.assumingMemoryBound(to: UInt16.self) + start
      for i in 0..<width { line[i] = bfloat16ToFloat(source[i]) }
    }
  }
  return withExtendedLifetime(table) { result }
}
