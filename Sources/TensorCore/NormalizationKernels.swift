// Row kernels of the normalisations: layer norm, affine "scale and shift", softmax, L2 normalise.
// Statistics are two-pass (mean, then squared deviations) in f32 with 32 lane partial sums.
//
// n: elements in the row (the normalised dimension).

import Foundation

/// (mean, biased variance) of a row, n ≥ 1.
@inline(__always)
func meanVarianceRow(_ x: UnsafePointer<Float>, _ n: Int) -> (mean: Float, variance: Float) {
  let mean = sumRow(x, n) / Float(n)
  return (mean, squaredDeviationRow(x, n, mean: mean) / Float(n))
}

/// y = (x − mean) / √(var + ε) · weight + bias over one row; weight and bias optional (length n).
func layerNormRow(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
  weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float
) {
  let (mean, variance) = meanVarianceRow(x, n)
  let inverse = 1 / (variance + epsilon).squareRoot()
  let scale = FloatVector(repeating: inverse)
  let center = FloatVector(repeating: mean)
  var i = 0
  while i + 16 <= n {
    var v = (loadVector(x + i) - center) * scale
    if let weight { v *= loadVector(weight + i) }
    if let bias { v += loadVector(bias + i) }
    storeVector(v, y + i)
    i += 16
  }
  while i < n {
    var v = (x[i] - mean) * inverse
    if let weight { v *= weight[i] }
    if let bias { v += bias[i] }
    y[i] = v
    i += 1
  }
}

/// Scalar twin of ``layerNormRow(_:_:_:weight:bias:epsilon:)``, statistics in Double.
func layerNormRowReference(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
  weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float
) {
  var total = 0.0
  for i in 0..<n { total += Double(x[i]) }
  let mean = total / Double(n)
  var deviations = 0.0
  for i in 0..<n { deviations += (Double(x[i]) - mean) * (Double(x[i]) - mean) }
  let inverse = 1 / (deviations / Double(n) + Double(epsilon)).squareRoot()
  for i in 0..<n {
    var v = (Double(x[i]) - mean) * inverse
    if let weight { v *= Double(weight[i]) }
    if let bias { v += Double(bias[i]) }
    y[i] = Float(v)
  }
}

/// y = x · scale + shift over one row (group norm's per-channel affine after its statistics).
@inline(__always)
func scaleShiftRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
  let s = FloatVector(repeating: scale)
  let t = FloatVector(repeating: shift)
  var i = 0
  while i + 16 <= n {
    storeVector(loadVector(x + i) * s + t, y + i)
    i += 16
  }
  while i < n { y[i] = x[i] * scale + shift; i += 1 }
}

/// Scalar twin of ``scaleShiftRow(_:_:_:scale:shift:)``.
func scaleShiftRowReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float) {
  for i in 0..<n { y[i] = x[i] * scale + shift }
}

/// y = silu((x · scale + shift) · factor + offset) over one row, the second affine step only with a
/// `modulation`: group norm's affine, a resnet's scale-shift time conditioning, SiLU, each step
/// rounded as the unfused ops (`scaleShiftRow`, `mul`, `add`, `silu`) round it, so the result is theirs
/// bit for bit. The steps run one after another on the row while it is in L1 (one pass over memory);
/// one loop with the SiLU inlined into it ran 2.5× slower than the unfused passes (LLVM kept its
/// vectors on the stack).
@inline(__always)
func groupNormSiLURow(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float,
  modulation: (factor: Float, offset: Float)?
) {
  scaleShiftRow(x, y, n, scale: scale, shift: shift)
  if let modulation { scaleShiftRow(y, y, n, scale: modulation.factor, shift: modulation.offset) }
  unaryRow(SiLUOp(), y, y, n)
}

/// Scalar twin of ``groupNormSiLURow(_:_:_:scale:shift:modulation:)``: the textbook formula per element.
func groupNormSiLURowReference(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, shift: Float,
  modulation: (factor: Float, offset: Float)?
) {
  for i in 0..<n {
    let normed = x[i] * scale + shift
    let v = modulation.map { normed * $0.factor + $0.offset } ?? normed
    y[i] = v / (1 + Foundation.exp(-v))
  }
}

/// y = e^(x − max) / Σ e^(x − max) over one row, n ≥ 1. `x` and `y` must not overlap (the tail
/// re-reads x after y has been written).
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  let peak = maxRow(x, n)
  let center = FloatVector(repeating: peak)
  var acc = FloatVector()
  var i = 0
  while i + 16 <= n {
    let e = simdExp(loadVector(x + i) - center)
    storeVector(e, y + i)
    acc += e
    i += 16
  }
  let scale = 1 / (acc.sum() + softmaxTail(x, y, n, from: i, peak: peak))
  let inverse = FloatVector(repeating: scale)
  i = 0
  while i + 16 <= n {
    storeVector(loadVector(y + i) * inverse, y + i)
    i += 16
  }
  while i < n { y[i] *= scale; i += 1 }
}

/// y = e^(x − peak) for the last n − start (< 16) elements of a row, returning their sum. Out of line
/// so that the main loop of ``softmaxRow(_:_:_:)`` stays small enough for its loads and stores to be
/// inlined.
@inline(never)
func softmaxTail(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, from start: Int, peak: Float) -> Float {
  if start >= n { return 0 }
  let center = FloatVector(repeating: peak)
  if n >= 16 {
    // The last 16 elements again: rewriting the overlap stores the same values; the sum takes only
    // the new lanes.
    let e = simdExp(loadVector(x + n - 16) - center)
    storeVector(e, y + n - 16)
    return e.replacing(with: 0, where: laneIndices .< Float(16 - (n - start))).sum()
  }
  // Padding lanes hold −inf − max → e^−inf = 0, so they add nothing to the sum.
  var v = FloatVector(repeating: -.infinity)
  for lane in 0..<(n - start) { v[lane] = x[start + lane] }
  let e = simdExp(v - center)
  storePartial(e, y + start, n - start)
  return e.sum()
}

/// Scalar twin of ``softmaxRow(_:_:_:)``, the sum in Double.
func softmaxRowReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  let peak = maxRowReference(x, n)
  var total = 0.0
  for i in 0..<n {
    y[i] = Foundation.exp(x[i] - peak)
    total += Double(y[i])
  }
  for i in 0..<n { y[i] = Float(Double(y[i]) / total) }
}

/// y = x / max(‖x‖₂, ε) over one row (`F.normalize(x, dim=-1)`).
func l2NormalizeRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, epsilon: Float) {
  let norm = dotRow(x, x, n).squareRoot()
  let inverse = FloatVector(repeating: 1 / Swift.max(norm, epsilon))
  var i = 0
  while i + 16 <= n {
    storeVector(loadVector(x + i) * inverse, y + i)
    i += 16
  }
  let scalar = inverse[0]
  while i < n { y[i] = x[i] * scalar; i += 1 }
}

/// Scalar twin of ``l2NormalizeRow(_:_:_:epsilon:)``.
func l2NormalizeRowReference(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, epsilon: Float) {
  let norm = Float(dotRowReference(x, x, n)).squareRoot()
  let divisor = Swift.max(norm, epsilon)
  for i in 0..<n { y[i] = x[i] / divisor }
}
