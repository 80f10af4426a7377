// Row kernels for lane-wise binary ops (add, sub, mul, div) in the three layouts broadcasting leaves
// for an innermost row: vector∘vector, vector∘scalar, scalar∘vector. Plus a + s·b.
//
// n: elements in the row.

/// A lane-wise binary f32 operation, exact in IEEE arithmetic, so scalar and vector forms agree.
protocol BinaryVectorOp {
  func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector
  func callAsFunction(_ a: Float, _ b: Float) -> Float
}

/// The binary ops, as data.
enum BinaryOpKind: Sendable, CaseIterable {
  case add, sub, mul, div
}

struct AddOp: BinaryVectorOp {
  @inline(__always) func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a + b }
  @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}

struct SubOp: BinaryVectorOp {
  @inline(__always) func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a - b }
  @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}

struct MulOp: BinaryVectorOp {
  @inline(__always) func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a * b }
  @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}

struct DivOp: BinaryVectorOp {
  @inline(__always) func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a / b }
  @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}

/// out[i] = op(a[i·aStep], b[i·bStep]) with each step 0 (a broadcast scalar) or 1.
@inline(__always)
func binaryRow<Op: BinaryVectorOp>(
  _ op: Op, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
  _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  var i = 0
  switch (aStep, bStep) {
  case (1, 1):
    while i + 16 <= n {
      storeVector(op(loadVector(a + i), loadVector(b + i)), out + i)
      i += 16
    }
    while i < n { out[i] = op(a[i], b[i]); i += 1 }
  case (1, 0):
    let scalar = b[0]
    let splat = FloatVector(repeating: scalar)
    while i + 16 <= n {
      storeVector(op(loadVector(a + i), splat), out + i)
      i += 16
    }
    while i < n { out[i] = op(a[i], scalar); i += 1 }
  case (0, 1):
    let scalar = a[0]
    let splat = FloatVector(repeating: scalar)
    while i + 16 <= n {
      storeVector(op(splat, loadVector(b + i)), out + i)
      i += 16
    }
    while i < n { out[i] = op(scalar, b[i]); i += 1 }
  default:
    let value = op(a[0], b[0])
    (out).update(repeating: value, count: n)
  }
}

/// Runs the SIMD row kernel of `kind`.
func binaryRow(
  _ kind: BinaryOpKind, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
  _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  switch kind {
  case .add: binaryRow(AddOp(), a, aStep: aStep, b, bStep: bStep, out, n)
  case .sub: binaryRow(SubOp(), a, aStep: aStep, b, bStep: bStep, out, n)
  case .mul: binaryRow(MulOp(), a, aStep: aStep, b, bStep: bStep, out, n)
  case .div: binaryRow(DivOp(), a, aStep: aStep, b, bStep: bStep, out, n)
  }
}

/// Scalar twin of ``binaryRow(_:_:aStep:_:bStep:_:_:)``.
func binaryRowReference(
  _ kind: BinaryOpKind, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
  _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  for i in 0..<n {
    let x = a[i * aStep]
    let y = b[i * bStep]
    switch kind {
    case .add: out[i] = x + y
    case .sub: out[i] = x - y
    case .mul: out[i] = x * y
    case .div: out[i] = x / y
    }
  }
}

/// out[i] = a[i] + scale · b[i] (one rounding for the product, one for the sum, as torch's
/// `add(alpha:)` without FMA contraction).
func addScaledRow(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, scale: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  var i = 0
  let splat = FloatVector(repeating: scale)
  while i + 16 <= n {
    storeVector(loadVector(a + i) + splat * loadVector(b + i), out + i)
    i += 16
  }
  while i < n { out[i] = a[i] + scale * b[i]; i += 1 }
}

/// Scalar twin of ``addScaledRow(_:_:scale:_:_:)``.
func addScaledRowReference(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, scale: Float, _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  for i in 0..<n { out[i] = a[i] + scale * b[i] }
}
