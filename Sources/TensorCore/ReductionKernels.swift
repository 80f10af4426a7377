// Row reductions: sum, dot product, sum of squared deviations, maximum. Each SIMD kernel keeps 16
// (or 32) lane partial sums and adds them up in a fixed order at the end, so a row's result depends on
// its length only, never on threads. The `…Reference` twins accumulate in Double, sequentially.
//
// n: elements in the row.

/// Σ x[i].
@inline(__always)
func sumRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
  var acc0 = FloatVector()
  var acc1 = FloatVector()
  var i = 0
  while i + 32 <= n {
    acc0 += loadVector(x + i)
    acc1 += loadVector(x + i + 16)
    i += 32
  }
  if i + 16 <= n { acc0 += loadVector(x + i); i += 16 }
  if i < n { acc1 += loadTailForSum(x, n, from: i) }
  return (acc0 + acc1).sum()
}

/// Scalar twin of ``sumRow(_:_:)``.
func sumRowReference(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
  var total = 0.0
  for i in 0..<n { total += Double(x[i]) }
  return Float(total)
}

/// Σ a[i]·b[i].
@inline(__always)
func dotRow(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var acc0 = FloatVector()
  var acc1 = FloatVector()
  var i = 0
  while i + 32 <= n {
    acc0 = acc0.addingProduct(loadVector(a + i), loadVector(b + i))
    acc1 = acc1.addingProduct(loadVector(a + i + 16), loadVector(b + i + 16))
    i += 32
  }
  if i + 16 <= n { acc0 = acc0.addingProduct(loadVector(a + i), loadVector(b + i)); i += 16 }
  if i < n { acc1 = acc1.addingProduct(loadTailForSum(a, n, from: i), loadTailForSum(b, n, from: i)) }
  return (acc0 + acc1).sum()
}

/// Scalar twin of ``dotRow(_:_:_:)``.
func dotRowReference(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var total = 0.0
  for i in 0..<n { total += Double(a[i]) * Double(b[i]) }
  return Float(total)
}

/// Σ (x[i] − mean)², the second pass of a two-pass variance (stable where E[x²] − E[x]² is not).
@inline(__always)
func squaredDeviationRow(_ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
  let center = FloatVector(repeating: mean)
  var acc0 = FloatVector()
  var acc1 = FloatVector()
  var i = 0
  while i + 32 <= n {
    let d0 = loadVector(x + i) - center
    let d1 = loadVector(x + i + 16) - center
    acc0 = acc0.addingProduct(d0, d0)
    acc1 = acc1.addingProduct(d1, d1)
    i += 32
  }
  if i + 16 <= n {
    let d = loadVector(x + i) - center
    acc0 = acc0.addingProduct(d, d)
    i += 16
  }
  var total = (acc0 + acc1).sum()
  while i < n {
    let d = x[i] - mean
    total += d * d
    i += 1
  }
  return total
}

/// Scalar twin of ``squaredDeviationRow(_:_:mean:)``.
func squaredDeviationRowReference(_ x: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
  var total = 0.0
  for i in 0..<n {
    let d = Double(x[i]) - Double(mean)
    total += d * d
  }
  return Float(total)
}

/// max x[i] (n ≥ 1).
@inline(__always)
func maxRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
  var i = 0
  var best = -Float.infinity
  if n >= 16 {
    var acc = loadVector(x)
    i = 16
    while i + 16 <= n {
      acc = simdMax(acc, loadVector(x + i))
      i += 16
    }
    best = horizontalMax(acc)
  }
  while i < n {
    best = Swift.max(best, x[i])
    i += 1
  }
  return best
}

/// Scalar twin of ``maxRow(_:_:)``.
func maxRowReference(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
  var best = -Float.infinity
  for i in 0..<n where x[i] > best { best = x[i] }
  return best
}

/// out[j] += x[j] for j in 0..<n: one step of a sum over a non-innermost axis.
@inline(__always)
func accumulateRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
  var j = 0
  while j + 16 <= n {
    storeVector(loadVector(out + j) + loadVector(x + j), out + j)
    j += 16
  }
  while j < n { out[j] += x[j]; j += 1 }
}
