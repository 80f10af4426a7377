// Sums and means over one axis, and the dot product of two tensors. The tensor is viewed as
// [O, K, I]: O outer (dimensions before the axis), K the reduced axis, I inner (after it). Each
// output element is reduced by a single thread in a fixed order.
//
// O outer, K reduced, I inner.

/// Σ over `axis`. With `keepDims` the axis stays as a dimension of 1. Negative axes count from the end.
public func sum(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
  reduceSum(x, axis: axis, keepDims: keepDims, scale: 1)
}

/// Mean over `axis`. With `keepDims` the axis stays as a dimension of 1. Negative axes count from the end.
public func mean(_ x: Tensor, axis: Int, keepDims: Bool = false) -> Tensor {
  let input = x.toFloat32()
  let resolved = resolveAxis(axis, rank: input.rank)
  let length = input.shape[resolved]
  return reduceSum(input, axis: resolved, keepDims: keepDims, scale: length == 0 ? .nan : 1 / Float(length))
}

/// Σ a[i]·b[i] over all elements of two tensors with the same element count.
public func dot(_ a: Tensor, _ b: Tensor) -> Float {
  let left = a.toFloat32()
  let right = b.toFloat32()
  precondition(left.count == right.count, "dot of \(left.count) and \(right.count) elements")
  return withExtendedLifetime((left, right)) { dotRow(left.floats, right.floats, left.count) }
}

/// `axis` in 0..<rank, negative values counting from the end.
func resolveAxis(_ axis: Int, rank: Int) -> Int {
  let resolved = axis < 0 ? axis + rank : axis
  precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for rank \(rank)")
  return resolved
}

/// Σ over `axis`, times `scale`.
func reduceSum(_ x: Tensor, axis: Int, keepDims: Bool, scale: Float) -> Tensor {
  let input = x.toFloat32()
  let resolved = resolveAxis(axis, rank: input.rank)
  let outer = input.shape[..<resolved].reduce(1, *)
  let length = input.shape[resolved]
  let inner = input.shape[(resolved + 1)...].reduce(1, *)
  var outputShape = input.shape
  if keepDims { outputShape[resolved] = 1 } else { outputShape.remove(at: resolved) }
  let result = Tensor(zeros: outputShape)  // [O, K, I] -> [O, I]
  if result.count == 0 { return result }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  if inner == 1 {
    forEachChunk(outer, work: length) { rows in
      for row in rows { destination[row] = sumRow(source + row * length, length) * scale }
    }
  } else {
    forEachChunk(outer, work: length * inner) { rows in
      for row in rows {
        let output = destination + row * inner
        for k in 0..<length { accumulateRow(source + (row * length + k) * inner, output, inner) }
        if scale != 1 { for j in 0..<inner { output[j] *= scale } }
      }
    }
  }
  return withExtendedLifetime(input) { result }
}
