// nn.Linear: y = x · Wᵀ + b on the packed SGEMM, the weight read in PyTorch's [out, in] layout.
// R rows (all leading dims of x flattened), I input features, O output features.

/// `x` [..., in] (f32) through a linear layer with `weight` [out, in] (f32, f16 or bf16; PyTorch's
/// nn.Linear layout) and optional `bias` [out]. Returns [..., out].
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
  let (rows, inputs, outputs) = linearShapes(x, weight: weight.shape, dtype: weight.dtype, bias: bias)
  // B[k][n] = weight[n][k]: the weight read transposed.
  let b = GEMMMatrix(base: UnsafeRawPointer(weight.rawPointer), dtype: weight.dtype, rowStride: 1, columnStride: inputs)
  return withExtendedLifetime(weight) { linearGEMM(x, b, rows: rows, inputs: inputs, outputs: outputs, bias: bias) }
}

/// ``linear(_:weight:bias:)`` with the weight laid out beforehand (`LinearWeights`): the same result
/// bit for bit.
public func linear(_ x: Tensor, weights: LinearWeights, bias: Tensor?) -> Tensor {
  let (rows, inputs, outputs) = linearShapes(x, weight: weights.shape, dtype: weights.dtype, bias: bias)
  return withExtendedLifetime(weights) {
    linearGEMM(x, weights.panels.matrix, rows: rows, inputs: inputs, outputs: outputs, bias: bias)
  }
}

/// y [rows, outputs] = x [rows, inputs] · b (+ bias), b kept alive by the caller.
private func linearGEMM(_ x: Tensor, _ b: GEMMMatrix, rows: Int, inputs: Int, outputs: Int, bias: Tensor?) -> Tensor {
  let result = Tensor(uninitialized: Array(x.shape.dropLast()) + [outputs])  // [..., I] -> [..., O]
  let biasValues = bias?.toFloat32()
  withExtendedLifetime((biasValues, x)) {
    gemm(GEMMProblem(
      m: rows, n: outputs, k: inputs,
      a: GEMMMatrix(base: UnsafeRawPointer(x.rawPointer), dtype: x.dtype, rowStride: inputs, columnStride: 1),
      b: .matrix(b), c: result.mutableFloats, ldc: outputs, columnBias: biasValues?.floats))
  }
  return result
}

/// The scalar twin of ``linear(_:weight:bias:)``.
public func linearReference(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
  let (rows, inputs, outputs) = linearShapes(x, weight: weight.shape, dtype: weight.dtype, bias: bias)
  let xValues = x.scalars
  let wValues = weight.scalars
  let bValues = bias?.scalars
  var output = [Float](repeating: 0, count: rows * outputs)
  for r in 0..<rows {
    for o in 0..<outputs {
      var sum: Float = bValues?[o] ?? 0
      for i in 0..<inputs { sum += xValues[r * inputs + i] * wValues[o * inputs + i] }
      output[r * outputs + o] = sum
    }
  }
  return Tensor(output, shape: Array(x.shape.dropLast()) + [outputs])
}

private func linearShapes(_ x: Tensor, weight: [Int], dtype: DType, bias: Tensor?) -> (rows: Int, inputs: Int, outputs: Int) {
  precondition(x.rank >= 1 && weight.count == 2, "linear: x \(x.shape), weight \(weight): need [..., in] and [out, in]")
  precondition(x.dtype.isFloatingPoint && dtype.isFloatingPoint, "linear: float tensors only")
  let (outputs, inputs) = (weight[0], weight[1])
  precondition(x.shape[x.rank - 1] == inputs, "linear: x \(x.shape) does not end in weight's in-features \(inputs)")
  if let bias { precondition(bias.count == outputs, "linear: bias \(bias.shape) for \(outputs) outputs") }
  return (x.shape.dropLast().reduce(1, *), inputs, outputs)
}
