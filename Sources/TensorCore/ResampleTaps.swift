// One-dimensional resampling filters with torch's `F.interpolate` index and weight rules
// (align_corners=False, sizes given rather than scale factors). A 2-D resize applies one table along W
// and one along H; see `Resize.swift`.
//
// I input extent, O output extent, T taps per output position.

import Foundation

/// For each output position, the T input indices it reads and their weights.
struct ResampleTaps {
  /// Taps per output position.
  let taps: Int
  /// [O·T] input indices (already clamped into 0..<I).
  let indices: [Int]
  /// [O·T] weights.
  let weights: [Float]
  var outputCount: Int { indices.count / Swift.max(taps, 1) }
}

/// torch's `area_pixel_compute_scale` without a scale factor: I / O in f32.
@inline(__always)
func interpolationScale(input: Int, output: Int) -> Float { Float(input) / Float(output) }

/// torch's `nearest_idx` (mode "nearest", which is floor, not round).
func nearestSourceIndex(_ index: Int, input: Int, output: Int) -> Int {
  if output == input { return index }
  if output == 2 * input { return index >> 1 }
  let scale = interpolationScale(input: input, output: output)
  return Swift.min(Int((Float(index) * scale).rounded(.down)), input - 1)
}

/// Two taps per output, as torch's `compute_indices_weights_linear`.
func bilinearTaps(input: Int, output: Int) -> ResampleTaps {
  let scale = interpolationScale(input: input, output: output)
  var indices: [Int] = []
  var weights: [Float] = []
  indices.reserveCapacity(output * 2)
  weights.reserveCapacity(output * 2)
  for index in 0..<output {
    let real = Swift.max(scale * (Float(index) + 0.5) - 0.5, 0)
    let lower = Swift.min(Int(real.rounded(.down)), input - 1)
    let lambda = Swift.min(Swift.max(real - Float(lower), 0), 1)
    indices += [lower, lower + (lower < input - 1 ? 1 : 0)]
    weights += [1 - lambda, lambda]
  }
  return ResampleTaps(taps: 2, indices: indices, weights: weights)
}

/// Keys' cubic convolution kernel for |x| ≤ 1.
@inline(__always)
func cubicNear(_ x: Float, _ a: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }

/// Keys' cubic convolution kernel for 1 < |x| < 2.
@inline(__always)
func cubicFar(_ x: Float, _ a: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }

/// Four taps per output with A = −0.75, as torch's `compute_indices_weights_cubic`; edge indices are
/// clamped (the border is replicated).
func bicubicTaps(input: Int, output: Int) -> ResampleTaps {
  let scale = interpolationScale(input: input, output: output)
  let a: Float = -0.75
  var indices: [Int] = []
  var weights: [Float] = []
  indices.reserveCapacity(output * 4)
  weights.reserveCapacity(output * 4)
  for index in 0..<output {
    let real = scale * (Float(index) + 0.5) - 0.5
    let floorValue = real.rounded(.down)
    let base = Int(floorValue)
    let t = real - floorValue
    weights += [cubicFar(t + 1, a), cubicNear(t, a), cubicNear(1 - t, a), cubicFar(2 - t, a)]
    for offset in -1...2 { indices.append(Swift.min(Swift.max(base + offset, 0), input - 1)) }
  }
  return ResampleTaps(taps: 4, indices: indices, weights: weights)
}

/// The filters of torch's antialiased resize (`_upsample_bilinear2d_aa`, `_upsample_bicubic2d_aa`).
enum AntialiasFilter {
  /// Triangle of half-width 1.
  case triangle
  /// Keys' cubic with A = −0.5 (PIL's choice, which torch's antialias path copies).
  case cubic

  var halfWidth: Float { self == .triangle ? 1 : 2 }

  func weight(_ x: Float) -> Float {
    let magnitude = Swift.abs(x)
    switch self {
    case .triangle: return magnitude < 1 ? 1 - magnitude : 0
    case .cubic:
      let a: Float = -0.5
      if magnitude < 1 { return cubicNear(magnitude, a) }
      if magnitude < 2 { return (((magnitude - 5) * magnitude + 8) * magnitude - 4) * a }
      return 0
    }
  }
}

/// Antialiased taps, as torch's `_compute_indices_min_size_weights_aa`: when shrinking, the filter
/// is stretched by the scale so every input pixel contributes; weights are normalised to sum 1.
/// Positions with fewer taps than the widest get zero weights on index 0.
func antialiasTaps(input: Int, output: Int, filter: AntialiasFilter) -> ResampleTaps {
  let scale = interpolationScale(input: input, output: output)
  let support = scale >= 1 ? filter.halfWidth * scale : filter.halfWidth
  let inverseScale: Float = scale >= 1 ? 1 / scale : 1
  let taps = Int(support.rounded(.up)) * 2 + 1
  var indices = Array(repeating: 0, count: output * taps)
  var weights = Array(repeating: Float(0), count: output * taps)
  for index in 0..<output {
    let center = scale * (Float(index) + 0.5)
    let first = Swift.max(Int(center - support + 0.5), 0)
    let count = Swift.min(Swift.min(Int(center + support + 0.5), input) - first, taps)
    var total: Float = 0
    for j in 0..<count {
      let w = filter.weight((Float(j + first) - center + 0.5) * inverseScale)
      weights[index * taps + j] = w
      indices[index * taps + j] = first + j
      total += w
    }
    if total != 0 { for j in 0..<count { weights[index * taps + j] /= total } }
  }
  return ResampleTaps(taps: taps, indices: indices, weights: weights)
}
