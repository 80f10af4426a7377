// Vector transcendentals on SIMD16<Float> for the element-wise kernels. The standard library has no
// vector exp/erf, and calling expf per lane costs ~10x. Polynomials are Cephes' single-precision ones
// (exp, log: ~1 ulp on the normal range); erf is Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), the
// same approximation PyTorch's vectorised CPU erf uses. Scalar `Foundation` functions are the
// reference the tests hold these against.
//
// Lanes: 16 f32 values; every function is lane-wise.

import Foundation

/// 16 lanes of f32: the width of one AVX-512 register.
typealias FloatVector = SIMD16<Float>

@_transparent
func bitsOf(_ v: FloatVector) -> SIMD16<UInt32> { unsafeBitCast(v, to: SIMD16<UInt32>.self) }

@_transparent
func floatsOf(_ v: SIMD16<UInt32>) -> FloatVector { unsafeBitCast(v, to: FloatVector.self) }

/// Adding 1.5·2²³ rounds an f32 in (−2²², 2²²) to the nearest integer, which then sits in the low
/// mantissa bits: a float→int conversion without a (slow, generic) SIMD conversion initialiser.
private let roundingMagic: Float = 12_582_912

/// e^x per lane, subnormal results included. 0 below −103.97, +inf above 88.72; NaN stays NaN.
@_transparent
func simdExp(_ x: FloatVector) -> FloatVector {
  let clamped = simdClamp(x, -104, 88.72)
  // n = round(x / ln 2), kept as a float and in the low bits of `shifted`.
  let shifted = clamped * 1.442_695_04 + roundingMagic
  let n = shifted - roundingMagic
  // r = x − n·ln 2 in two parts so that r is exact to f32 precision.
  var r = clamped - n * 0.693_359_375
  r = r - n * -2.121_944_4e-4
  let r2 = r * r
  var p = FloatVector(repeating: 1.987_569_15e-4)
  p = FloatVector(repeating: 1.398_199_95e-3).addingProduct(p, r)
  p = FloatVector(repeating: 8.333_451_9e-3).addingProduct(p, r)
  p = FloatVector(repeating: 4.166_579_59e-2).addingProduct(p, r)
  p = FloatVector(repeating: 1.666_666_55e-1).addingProduct(p, r)
  p = FloatVector(repeating: 5.000_000_12e-1).addingProduct(p, r)
  let poly = p * r2 + r + 1
  // 2^n as 2^(n/2) · 2^(n − n/2): n runs over [−150, 128], beyond one exponent field.
  let nInt = unsafeBitCast(bitsOf(shifted) &- 0x4B40_0000, to: SIMD16<Int32>.self)
  let half = nInt &>> 1
  let scaleA = floatsOf(unsafeBitCast((half &+ 127) &<< 23, to: SIMD16<UInt32>.self))
  let scaleB = floatsOf(unsafeBitCast((nInt &- half &+ 127) &<< 23, to: SIMD16<UInt32>.self))
  var result = poly * scaleA * scaleB
  result.replace(with: FloatVector(repeating: .infinity), where: x .> 88.722_84)
  result.replace(with: x, where: x .!= x)
  return result
}

/// Natural logarithm per lane. −inf at 0, NaN below 0, +inf at +inf; subnormal inputs are treated
/// as 0 (−inf), a difference no model here can meet.
@_transparent
func simdLog(_ x: FloatVector) -> FloatVector {
  let bits = bitsOf(x)
  // x = m · 2^e with m in [0.5, 1).
  // The biased exponent dropped into a float's mantissa, the same trick as in `simdExp`.
  var e = floatsOf(((bits &>> 23) & 0xFF) | 0x4B00_0000) - (8_388_608 + 126)
  var m = floatsOf((bits & 0x807F_FFFF) | 0x3F00_0000)
  let small = m .< 0.707_106_78
  e.replace(with: e - 1, where: small)
  m = m.replacing(with: m + m, where: small) - 1
  let z = m * m
  var p = FloatVector(repeating: 7.037_683_629_2e-2)
  p = FloatVector(repeating: -1.151_461_031e-1).addingProduct(p, m)
  p = FloatVector(repeating: 1.167_699_874e-1).addingProduct(p, m)
  p = FloatVector(repeating: -1.242_014_084_6e-1).addingProduct(p, m)
  p = FloatVector(repeating: 1.424_932_278_7e-1).addingProduct(p, m)
  p = FloatVector(repeating: -1.666_805_766_5e-1).addingProduct(p, m)
  p = FloatVector(repeating: 2.000_071_476_5e-1).addingProduct(p, m)
  p = FloatVector(repeating: -2.499_999_399_3e-1).addingProduct(p, m)
  p = FloatVector(repeating: 3.333_333_117_4e-1).addingProduct(p, m)
  var y = p * m * z
  y += e * -2.121_944_4e-4
  y += -0.5 * z
  var result = m + y + e * 0.693_359_375
  result.replace(with: FloatVector(repeating: -.infinity), where: x .< Float.leastNormalMagnitude)
  result.replace(with: FloatVector(repeating: .nan), where: x .< 0)
  result.replace(with: x, where: (x .== .infinity) .| (x .!= x))
  return result
}

/// tanh per lane: Cephes' odd polynomial below |x| = 0.625, 1 − 2/(e^{2|x|} + 1) above.
@_transparent
func simdTanh(_ x: FloatVector) -> FloatVector {
  let magnitude = simdAbs(x)
  let z = x * x
  var p = FloatVector(repeating: -5.704_988_727_45e-3)
  p = FloatVector(repeating: 2.063_908_879_54e-2).addingProduct(p, z)
  p = FloatVector(repeating: -5.373_971_555_31e-2).addingProduct(p, z)
  p = FloatVector(repeating: 1.333_144_220_36e-1).addingProduct(p, z)
  p = FloatVector(repeating: -3.333_328_194_22e-1).addingProduct(p, z)
  let near = x + x * z * p
  let farMagnitude = 1 - 2 / (simdExp(magnitude + magnitude) + 1)
  let far = farMagnitude.replacing(with: -farMagnitude, where: x .< 0)
  return near.replacing(with: far, where: magnitude .>= 0.625)
}

/// erf per lane (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7).
@_transparent
func simdErf(_ x: FloatVector) -> FloatVector {
  let magnitude = simdAbs(x)
  let t = 1 / (magnitude * 0.327_591_1 + 1)
  var p = FloatVector(repeating: 1.061_405_429)
  p = FloatVector(repeating: -1.453_152_027).addingProduct(p, t)
  p = FloatVector(repeating: 1.421_413_741).addingProduct(p, t)
  p = FloatVector(repeating: -0.284_496_736).addingProduct(p, t)
  p = FloatVector(repeating: 0.254_829_592).addingProduct(p, t)
  let value = 1 - p * t * simdExp(-(magnitude * magnitude))
  return value.replacing(with: -value, where: x .< 0)
}

/// |x| per lane (clears the sign bit, so −0 becomes 0 as with `Swift.abs`).
@_transparent
func simdAbs(_ x: FloatVector) -> FloatVector { floatsOf(bitsOf(x) & 0x7FFF_FFFF) }

/// x limited to lower...upper per lane; NaN stays NaN. Masked selects rather than
/// `clamped(lowerBound:upperBound:)` (which checks its bounds lane by lane, ~25x slower) or
/// `pointwiseMin`/`pointwiseMax` (which stay out-of-line calls that split the vector).
@_transparent
func simdClamp(_ x: FloatVector, _ lower: Float, _ upper: Float) -> FloatVector {
  x.replacing(with: lower, where: x .< lower).replacing(with: upper, where: x .> upper)
}

/// max(a, b) per lane (b where a is NaN).
@_transparent
func simdMax(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a.replacing(with: b, where: .!(a .>= b)) }

/// The largest lane, halving the vector with ``simdMax``'s comparison four times: the stdlib's `max()`
/// stores the vector and compares its lanes one by one.
@inline(__always)
func horizontalMax(_ v: FloatVector) -> Float {
  let eight = v.lowHalf.replacing(with: v.highHalf, where: .!(v.lowHalf .>= v.highHalf))
  let four = eight.lowHalf.replacing(with: eight.highHalf, where: .!(eight.lowHalf .>= eight.highHalf))
  let two = four.lowHalf.replacing(with: four.highHalf, where: .!(four.lowHalf .>= four.highHalf))
  return two[0] >= two[1] ? two[0] : two[1]
}

/// 1 / (1 + e^−x) per lane.
@_transparent
func simdSigmoid(_ x: FloatVector) -> FloatVector { 1 / (1 + simdExp(-x)) }

/// 0, 1, …, 15.
let laneIndices = FloatVector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

/// The last `n − start` (< 16) elements of a row of n elements, for sums: when n ≥ 16, one full load of
/// the last 16 elements with the lanes already counted zeroed (lane order differs from
/// ``loadPartial(_:_:)``, which is fine for reductions); shorter rows go lane by lane.
@_transparent
func loadTailForSum(_ row: UnsafePointer<Float>, _ n: Int, from start: Int) -> FloatVector {
  if n < 16 { return loadPartial(row + start, n - start) }
  return loadVector(row + n - 16).replacing(with: 0, where: laneIndices .< Float(16 - (n - start)))
}

/// Loads `count` (< 16) floats into the low lanes, zeros above: the tail of a row.
@_transparent
func loadPartial(_ source: UnsafePointer<Float>, _ count: Int) -> FloatVector {
  var v = FloatVector()
  for lane in 0..<count { v[lane] = source[lane] }
  return v
}

/// Stores the low `count` (< 16) lanes.
@_transparent
func storePartial(_ v: FloatVector, _ destination: UnsafeMutablePointer<Float>, _ count: Int) {
  for lane in 0..<count { destination[lane] = v[lane] }
}

/// Loads 16 floats from possibly unaligned memory. A 64-byte copy, which LLVM turns into one
/// `vmovups`; the stdlib's generic `loadUnaligned(as:)` was left as an out-of-line call in some
/// kernels, costing more than the arithmetic.
@_transparent
func loadVector(_ source: UnsafePointer<Float>) -> FloatVector {
  var v = FloatVector()
  withUnsafeMutableBytes(of: &v) { $0.baseAddress.unsafelyUnwrapped.copyMemory(from: source, byteCount: 64) }
  return v
}

/// Stores 16 floats to possibly unaligned memory (a 64-byte copy, see ``loadVector(_:)``).
@_transparent
func storeVector(_ v: FloatVector, _ destination: UnsafeMutablePointer<Float>) {
  withUnsafeBytes(of: v) { UnsafeMutableRawPointer(destination).copyMemory(from: $0.baseAddress.unsafelyUnwrapped, byteCount: 64) }
}
