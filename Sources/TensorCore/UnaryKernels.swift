// Row kernels for lane-wise unary ops: one generic SIMD loop specialised per op, and the scalar
// `Foundation` reference the tests compare it with.
//
// n: elements in the row.

import Foundation

/// A lane-wise f32 function with a vector form; its `reference` is the plain scalar definition.
protocol UnaryVectorOp {
  func callAsFunction(_ x: FloatVector) -> FloatVector
  func reference(_ x: Float) -> Float
}

/// The unary ops the element-wise API exposes, as data: what the reference twin dispatches on.
enum UnaryOpKind: Sendable, Equatable {
  case exp, log, sqrt, rsqrt, tanh, abs, relu, sigmoid, silu, gelu, geluTanh, quickGELU
  case leakyReLU(slope: Float)
  case clamp(min: Float, max: Float)
}

struct ExpOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { simdExp(x) }
  func reference(_ x: Float) -> Float { Foundation.exp(x) }
}

struct LogOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { simdLog(x) }
  func reference(_ x: Float) -> Float { Foundation.log(x) }
}

struct SqrtOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { x.squareRoot() }
  func reference(_ x: Float) -> Float { x.squareRoot() }
}

struct RsqrtOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { 1 / x.squareRoot() }
  func reference(_ x: Float) -> Float { 1 / x.squareRoot() }
}

struct TanhOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { simdTanh(x) }
  func reference(_ x: Float) -> Float { Foundation.tanh(x) }
}

struct AbsOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { simdAbs(x) }
  func reference(_ x: Float) -> Float { Swift.abs(x) }
}

struct ReLUOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector {
    x.replacing(with: 0, where: x .< 0)
  }
  func reference(_ x: Float) -> Float { x < 0 ? 0 : x }
}

struct SigmoidOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { simdSigmoid(x) }
  func reference(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
}

struct SiLUOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { x * simdSigmoid(x) }
  func reference(_ x: Float) -> Float { x / (1 + Foundation.exp(-x)) }
}

/// Exact GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)), torch's default.
struct GELUOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector {
    x * 0.5 * (1 + simdErf(x * 0.707_106_781_186_547_5))
  }
  func reference(_ x: Float) -> Float { x * 0.5 * (1 + Foundation.erf(x * 0.707_106_781_186_547_5)) }
}

/// GELU with torch's approximate="tanh": x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
struct GELUTanhOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector {
    let inner = (x + x * x * x * 0.044_715) * 0.797_884_560_802_865_4
    return x * 0.5 * (1 + simdTanh(inner))
  }
  func reference(_ x: Float) -> Float {
    x * 0.5 * (1 + Foundation.tanh((x + 0.044_715 * x * x * x) * 0.797_884_560_802_865_4))
  }
}

/// CLIP's quick GELU: x · sigmoid(1.702 x).
struct QuickGELUOp: UnaryVectorOp {
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector { x * simdSigmoid(x * 1.702) }
  func reference(_ x: Float) -> Float { x / (1 + Foundation.exp(-1.702 * x)) }
}

struct LeakyReLUOp: UnaryVectorOp {
  let slope: Float
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector {
    x.replacing(with: x * slope, where: x .< 0)
  }
  func reference(_ x: Float) -> Float { x < 0 ? x * slope : x }
}

struct ClampOp: UnaryVectorOp {
  let lower: Float
  let upper: Float
  @_transparent func callAsFunction(_ x: FloatVector) -> FloatVector {
    simdClamp(x, lower, upper)
  }
  func reference(_ x: Float) -> Float { x < lower ? lower : (x > upper ? upper : x) }
}

/// y[i] = op(x[i]) for i in 0..<n: 16 lanes at a time, the tail through a zero-padded vector so that
/// it gets exactly the same arithmetic as the body. `x` and `y` may be the same memory.
@inline(__always)
func unaryRow<Op: UnaryVectorOp>(_ op: Op, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  var i = 0
  while i + 16 <= n {
    storeVector(op(loadVector(x + i)), y + i)
    i += 16
  }
  if i < n { storePartial(op(loadPartial(x + i, n - i)), y + i, n - i) }
}

/// Runs the SIMD row kernel of `kind`.
func unaryRow(_ kind: UnaryOpKind, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  switch kind {
  case .exp: unaryRow(ExpOp(), x, y, n)
  case .log: unaryRow(LogOp(), x, y, n)
  case .sqrt: unaryRow(SqrtOp(), x, y, n)
  case .rsqrt: unaryRow(RsqrtOp(), x, y, n)
  case .tanh: unaryRow(TanhOp(), x, y, n)
  case .abs: unaryRow(AbsOp(), x, y, n)
  case .relu: unaryRow(ReLUOp(), x, y, n)
  case .sigmoid: unaryRow(SigmoidOp(), x, y, n)
  case .silu: unaryRow(SiLUOp(), x, y, n)
  case .gelu: unaryRow(GELUOp(), x, y, n)
  case .geluTanh: unaryRow(GELUTanhOp(), x, y, n)
  case .quickGELU: unaryRow(QuickGELUOp(), x, y, n)
  case .leakyReLU(let slope): unaryRow(LeakyReLUOp(slope: slope), x, y, n)
  case .clamp(let lower, let upper): unaryRow(ClampOp(lower: lower, upper: upper), x, y, n)
  }
}

/// Scalar twin of ``unaryRow(_:_:_:_:)``: the textbook formula per element with `Foundation` math.
func unaryRowReference(_ kind: UnaryOpKind, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  let op: any UnaryVectorOp
  switch kind {
  case .exp: op = ExpOp()
  case .log: op = LogOp()
  case .sqrt: op = SqrtOp()
  case .rsqrt: op = RsqrtOp()
  case .tanh: op = TanhOp()
  case .abs: op = AbsOp()
  case .relu: op = ReLUOp()
  case .sigmoid: op = SigmoidOp()
  case .silu: op = SiLUOp()
  case .gelu: op = GELUOp()
  case .geluTanh: op = GELUTanhOp()
  case .quickGELU: op = QuickGELUOp()
  case .leakyReLU(let slope): op = LeakyReLUOp(slope: slope)
  case .clamp(let lower, let upper): op = ClampOp(lower: lower, upper: upper)
  }
  for i in 0..<n { y[i] = op.reference(x[i]) }
}
