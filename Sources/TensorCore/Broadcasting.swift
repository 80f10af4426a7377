// Binary element-wise ops with NumPy broadcasting. The two shapes are aligned on the right; a
// dimension of 1 stretches to the other side's extent. Adjacent dimensions that broadcast the same
// way are merged, so `[N,C,H,W] + [1,C,1,1]` runs as `[N·C rows] × [H·W]` with one scalar per row,
// and `[B,T,C] + [C]` as `[B·T rows] × [C]` with one shared row.
//
// R merged outer rows, n the innermost (merged) row length.

/// The broadcast shape of two shapes (NumPy rules). Traps if they are incompatible.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
  let rank = Swift.max(a.count, b.count)
  let paddedA = Array(repeating: 1, count: rank - a.count) + a
  let paddedB = Array(repeating: 1, count: rank - b.count) + b
  return (0..<rank).map { axis in
    let x = paddedA[axis]
    let y = paddedB[axis]
    precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
    return x == 1 ? y : x
  }
}

/// How to walk two broadcast operands: merged dimensions with each operand's element stride
/// (0 where it is broadcast), the innermost one last.
struct BroadcastPlan {
  var sizes: [Int] = []
  var aStrides: [Int] = []
  var bStrides: [Int] = []

  init(_ a: [Int], _ b: [Int], output: [Int]) {
    let rank = output.count
    let paddedA = Array(repeating: 1, count: rank - a.count) + a
    let paddedB = Array(repeating: 1, count: rank - b.count) + b
    // Merge dimensions whose (a broadcast?, b broadcast?) pattern matches the previous one.
    var mergedSizes: [Int] = []
    var aBroadcast: [Bool] = []
    var bBroadcast: [Bool] = []
    for axis in 0..<rank where output[axis] != 1 {
      let flags = (paddedA[axis] == 1, paddedB[axis] == 1)
      if let last = mergedSizes.indices.last, aBroadcast[last] == flags.0, bBroadcast[last] == flags.1 {
        mergedSizes[last] *= output[axis]
      } else {
        mergedSizes.append(output[axis])
        aBroadcast.append(flags.0)
        bBroadcast.append(flags.1)
      }
    }
    if mergedSizes.isEmpty {  // every dimension is 1: a single element
      mergedSizes = [1]
      aBroadcast = [false]
      bBroadcast = [false]
    }
    var aStride = 1
    var bStride = 1
    aStrides = Array(repeating: 0, count: mergedSizes.count)
    bStrides = Array(repeating: 0, count: mergedSizes.count)
    for index in mergedSizes.indices.reversed() {
      if !aBroadcast[index] { aStrides[index] = aStride; aStride *= mergedSizes[index] }
      if !bBroadcast[index] { bStrides[index] = bStride; bStride *= mergedSizes[index] }
    }
    sizes = mergedSizes
  }

  /// Element offsets into a and b of outer row `row` (all merged dimensions but the last).
  @inline(__always)
  func offsets(ofRow row: Int) -> (Int, Int) {
    var remainder = row
    var aOffset = 0
    var bOffset = 0
    var axis = sizes.count - 2
    while axis >= 0 {
      let index = remainder % sizes[axis]
      remainder /= sizes[axis]
      aOffset += index * aStrides[axis]
      bOffset += index * bStrides[axis]
      axis -= 1
    }
    return (aOffset, bOffset)
  }
}

/// out = a ∘ b with broadcasting; `rowKernel` selects the SIMD kernel or its reference.
func broadcastBinary(_ a: Tensor, _ b: Tensor, _ kind: BinaryOpKind, reference: Bool = false) -> Tensor {
  let left = a.toFloat32()
  let right = b.toFloat32()
  let outputShape = broadcastShape(left.shape, right.shape)
  let result = Tensor(uninitialized: outputShape)
  if result.count == 0 { return result }
  let plan = BroadcastPlan(left.shape, right.shape, output: outputShape)
  let rowLength = plan.sizes[plan.sizes.count - 1]
  let rows = result.count / rowLength
  let aStep = plan.aStrides[plan.sizes.count - 1]
  let bStep = plan.bStrides[plan.sizes.count - 1]
  nonisolated(unsafe) let x = left.floats
  nonisolated(unsafe) let y = right.floats
  nonisolated(unsafe) let out = result.mutableFloats
  forEachChunk(rows, work: rowLength) { range in
    for row in range {
      let (aOffset, bOffset) = plan.offsets(ofRow: row)
      if reference {
        binaryRowReference(kind, x + aOffset, aStep: aStep, y + bOffset, bStep: bStep, out + row * rowLength, rowLength)
      } else {
        binaryRow(kind, x + aOffset, aStep: aStep, y + bOffset, bStep: bStep, out + row * rowLength, rowLength)
      }
    }
  }
  return withExtendedLifetime((left, right)) { result }
}

/// a + b element-wise, NumPy broadcasting.
public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, .add) }
/// a − b element-wise, NumPy broadcasting.
public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, .sub) }
/// a · b element-wise, NumPy broadcasting.
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, .mul) }
/// a / b element-wise, NumPy broadcasting.
public func div(_ a: Tensor, _ b: Tensor) -> Tensor { broadcastBinary(a, b, .div) }

/// a + s for every element.
public func add(_ a: Tensor, _ s: Float) -> Tensor { broadcastBinary(a, Tensor([s], shape: []), .add) }
/// a · s for every element.
public func mul(_ a: Tensor, _ s: Float) -> Tensor { broadcastBinary(a, Tensor([s], shape: []), .mul) }

/// a + scale · b for two tensors of the same shape (torch's `a.add(b, alpha=scale)`).
public func addScaled(_ a: Tensor, _ b: Tensor, scale: Float) -> Tensor {
  let left = a.toFloat32()
  let right = b.toFloat32()
  precondition(left.shape == right.shape, "addScaled needs equal shapes, got \(left.shape) and \(right.shape)")
  let result = Tensor(uninitialized: left.shape)
  let count = left.count
  nonisolated(unsafe) let x = left.floats
  nonisolated(unsafe) let y = right.floats
  nonisolated(unsafe) let out = result.mutableFloats
  forEachChunk((count + flatBlock - 1) / flatBlock, work: flatBlock) { blocks in
    let start = blocks.lowerBound * flatBlock
    let end = Swift.min(blocks.upperBound * flatBlock, count)
    addScaledRow(x + start, y + start, scale: scale, out + start, end - start)
  }
  return withExtendedLifetime((left, right)) { result }
}
