// permute: a copy of a tensor with its axes reordered. Axes that stay adjacent are merged first, so
// [B,T,H,D] -> [B,H,T,D] runs as a batch of [T, H·…] plane swaps with D-long contiguous runs. The two
// innermost output axes are copied in 32×32 tiles so that neither side strides through memory.
//
// P outer planes, R rows and C columns of the innermost output plane, E element bytes.

/// The axes of `x` reordered: output axis i is input axis `order[i]` (`x.permute(order)` followed by
/// `.contiguous()`). Works on any dtype.
public func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
  precondition(order.count == x.rank && Set(order) == Set(0..<x.rank), "permute order \(order) for \(x.shape)")
  let outputShape = order.map { x.shape[$0] }
  let result = uninitializedTensor(outputShape, dtype: x.dtype)  // [.., x.shape[order[i]], ..]
  if result.count == 0 { return result }
  // Merge output axes whose input axes are consecutive, dropping extents of 1.
  var inputStrides = Array(repeating: 1, count: x.rank)
  for axis in stride(from: x.rank - 2, through: 0, by: -1) { inputStrides[axis] = inputStrides[axis + 1] * x.shape[axis + 1] }
  var sizes: [Int] = []
  var strides: [Int] = []
  var lastInputAxis = -2
  for axis in order where x.shape[axis] != 1 {
    if axis == lastInputAxis + 1, let last = sizes.indices.last {
      sizes[last] *= x.shape[axis]
      strides[last] = inputStrides[axis]
    } else {
      sizes.append(x.shape[axis])
      strides.append(inputStrides[axis])
    }
    lastInputAxis = axis
  }
  if sizes.count <= 1 {  // the order keeps the memory layout
    result.rawPointer.copyMemory(from: x.rawPointer, byteCount: x.count * x.dtype.byteSize)
    return withExtendedLifetime(x) { result }
  }
  let layout = PermuteLayout(sizes: sizes, strides: strides)
  switch x.dtype.byteSize {
  case 4: permuteCopy(UInt32.self, x.rawPointer, result.rawPointer, layout)
  case 2: permuteCopy(UInt16.self, x.rawPointer, result.rawPointer, layout)
  default: permuteCopy(UInt8.self, x.rawPointer, result.rawPointer, layout)
  }
  return withExtendedLifetime(x) { result }
}

/// The merged output axes of a permute and each one's stride in the input (in elements).
struct PermuteLayout {
  let sizes: [Int]
  let strides: [Int]
  var rows: Int { sizes[sizes.count - 2] }
  var columns: Int { sizes[sizes.count - 1] }
  var rowStride: Int { strides[strides.count - 2] }
  var columnStride: Int { strides[strides.count - 1] }
  var planes: Int { sizes.dropLast(2).reduce(1, *) }

  /// Input element offset of outer plane `plane`.
  func inputOffset(ofPlane plane: Int) -> Int {
    var remainder = plane
    var offset = 0
    var axis = sizes.count - 3
    while axis >= 0 {
      offset += (remainder % sizes[axis]) * strides[axis]
      remainder /= sizes[axis]
      axis -= 1
    }
    return offset
  }
}

/// Side of the square tiles the strided copy walks.
let permuteTile = 32

/// Copies every output plane [R, C] from the input positions `layout` gives; element type `T`.
func permuteCopy<T>(_: T.Type, _ input: UnsafeMutableRawPointer, _ output: UnsafeMutableRawPointer, _ layout: PermuteLayout) {
  nonisolated(unsafe) let source = UnsafePointer(input.assumingMemoryBound(to: T.self))
  nonisolated(unsafe) let destination = output.assumingMemoryBound(to: T.self)
  let rows = layout.rows
  let columns = layout.columns
  let rowStride = layout.rowStride
  let columnStride = layout.columnStride
  let rowTiles = (rows + permuteTile - 1) / permuteTile
  forEachChunk(layout.planes * rowTiles, work: permuteTile * columns) { tasks in
    for task in tasks {
      let plane = task / rowTiles
      let rowStart = (task % rowTiles) * permuteTile
      let rowEnd = Swift.min(rowStart + permuteTile, rows)
      let inputBase = source + layout.inputOffset(ofPlane: plane)
      let outputBase = destination + plane * rows * columns
      if columnStride == 1 {
        for row in rowStart..<rowEnd {
          (outputBase + row * columns).update(from: inputBase + row * rowStride, count: columns)
        }
        continue
      }
      var columnStart = 0
      while columnStart < columns {
        let columnEnd = Swift.min(columnStart + permuteTile, columns)
        for row in rowStart..<rowEnd {
          let out = outputBase + row * columns
          let inRow = inputBase + row * rowStride
          for column in columnStart..<columnEnd { out[column] = inRow[column * columnStride] }
        }
        columnStart = columnEnd
      }
    }
  }
}
