// Matrix multiplication on tensors: shape checks, batch broadcasting, then the packed SGEMM driver.
// B batch (leading dims), M rows of a, K the reduction, N columns of the result.

/// Batched matrix product: `a` [..., M, K] (f32) times `b` [K, N] or [..., K, N]; with `transposeB`,
/// `b` is [N, K] or [..., N, K]. Leading dimensions broadcast as in NumPy. `b` may be f32, f16 or
/// bf16 (widened while packing). Returns [..., M, N] in f32.
public func matmul(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
  let plan = MatmulPlan(a, b, transposeB: transposeB)
  let result = Tensor(uninitialized: plan.outputShape)
  let output = result.mutableFloats
  let (m, n, k) = (plan.m, plan.n, plan.k)
  let aBase = UnsafeRawPointer(a.rawPointer)
  let bBase = UnsafeRawPointer(b.rawPointer)
  let aSize = a.dtype.byteSize
  let bSize = b.dtype.byteSize
  let bRowStride = transposeB ? 1 : n
  let bColumnStride = transposeB ? k : 1
  if plan.bBatchStrides.allSatisfy({ $0 == 0 }) {
    // One B for every batch item: the batch folds into M. [B,M,K] x [K,N] -> [B*M,N]
    let problem = GEMMProblem(
      m: plan.batchCount * m, n: n, k: k,
      a: GEMMMatrix(base: aBase, dtype: a.dtype, rowStride: k, columnStride: 1),
      b: .matrix(GEMMMatrix(base: bBase, dtype: b.dtype, rowStride: bRowStride, columnStride: bColumnStride)),
      c: output, ldc: n)
    gemm(problem)
    return result
  }
  gemmBatched(plan.batchCount) { item in
    let (aItem, bItem) = plan.operandItems(item)
    return GEMMProblem(
      m: m, n: n, k: k,
      a: GEMMMatrix(base: aBase + aItem * m * k * aSize, dtype: a.dtype, rowStride: k, columnStride: 1),
      b: .matrix(GEMMMatrix(base: bBase + bItem * k * n * bSize, dtype: b.dtype,
                            rowStride: bRowStride, columnStride: bColumnStride)),
      c: output + item * m * n, ldc: n)
  }
  return result
}

/// The scalar twin of ``matmul(_:_:transposeB:)``: plain loops, f32 accumulation in k order.
public func matmulReference(_ a: Tensor, _ b: Tensor, transposeB: Bool = false) -> Tensor {
  let plan = MatmulPlan(a, b, transposeB: transposeB)
  let aValues = a.scalars
  let bValues = b.scalars
  let (m, n, k) = (plan.m, plan.n, plan.k)
  var output = [Float](repeating: 0, count: plan.batchCount * m * n)
  for item in 0..<plan.batchCount {
    let (aItem, bItem) = plan.operandItems(item)
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = 0
        for p in 0..<k {
          let bIndex = bItem * k * n + (transposeB ? j * k + p : p * n + j)
          sum += aValues[aItem * m * k + i * k + p] * bValues[bIndex]
        }
        output[item * m * n + i * n + j] = sum
      }
    }
  }
  return Tensor(output, shape: plan.outputShape)
}

/// Shapes and batch broadcasting of one matmul.
private struct MatmulPlan {
  var m: Int
  var n: Int
  var k: Int
  var outputShape: [Int]
  var batchShape: [Int]
  var batchCount: Int
  /// Per output batch dimension, how many matrices of `a` (of `b`) one step moves; 0 when broadcast.
  var aBatchStrides: [Int]
  var bBatchStrides: [Int]

  init(_ a: Tensor, _ b: Tensor, transposeB: Bool) {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank >= 2 operands, got \(a.shape) and \(b.shape)")
    precondition(a.dtype.isFloatingPoint && b.dtype.isFloatingPoint,
                 "matmul takes f32/f16/bf16 operands, got \(a.dtype) and \(b.dtype)")
    m = a.shape[a.rank - 2]
    k = a.shape[a.rank - 1]
    let bRows = b.shape[b.rank - 2]
    let bColumns = b.shape[b.rank - 1]
    n = transposeB ? bRows : bColumns
    precondition((transposeB ? bColumns : bRows) == k,
                 "matmul: a \(a.shape) and b \(b.shape)\(transposeB ? " (transposed)" : "") disagree on K")
    let aBatch = Array(a.shape.dropLast(2))
    let bBatch = Array(b.shape.dropLast(2))
    let rank = max(aBatch.count, bBatch.count)
    let aPadded = Array(repeating: 1, count: rank - aBatch.count) + aBatch
    let bPadded = Array(repeating: 1, count: rank - bBatch.count) + bBatch
    batchShape = zip(aPadded, bPadded).map { lhs, rhs in
      precondition(lhs == rhs || lhs == 1 || rhs == 1, "matmul: batch dims \(aBatch) and \(bBatch) do not broadcast")
      return lhs == 1 ? rhs : lhs
    }
    batchCount = batchShape.reduce(1, *)
    outputShape = batchShape + [m, n]
    aBatchStrides = MatmulPlan.strides(aPadded, batchShape)
    bBatchStrides = MatmulPlan.strides(bPadded, batchShape)
  }

  /// Matrix-index strides of an operand's batch dims, 0 on broadcast ones.
  private static func strides(_ dims: [Int], _ batch: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: dims.count)
    var step = 1
    for axis in stride(from: dims.count - 1, through: 0, by: -1) {
      strides[axis] = dims[axis] == 1 && batch[axis] != 1 ? 0 : step
      step *= dims[axis]
    }
    return strides
  }

  /// Which matrix of `a` and of `b` output batch item `item` multiplies.
  func operandItems(_ item: Int) -> (Int, Int) {
    var rest = item
    var aItem = 0
    var bItem = 0
    for axis in stride(from: batchShape.count - 1, through: 0, by: -1) {
      let index = rest % batchShape[axis]
      rest /= batchShape[axis]
      aItem += index * aBatchStrides[axis]
      bItem += index * bBatchStrides[axis]
    }
    return (aItem, bItem)
  }
}
