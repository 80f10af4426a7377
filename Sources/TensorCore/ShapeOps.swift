// Copies that move elements between layouts: concat, split, chunk, slice, tile, permute, transpose.
// They work on any dtype (bytes are moved, never converted), so f16 weights can be cut up too. The
// tensor is viewed as [O, K, I] around the axis in question.
//
// O outer (dimensions before the axis), K the axis, I inner (after it, in elements), E element bytes.

import Foundation

/// An uninitialised tensor of any dtype (the caller writes every element).
func uninitializedTensor(_ shape: [Int], dtype: DType) -> Tensor {
  if dtype == .f32 { return Tensor(uninitialized: shape) }
  let storage = TensorStorage(uninitializedByteCount: shape.reduce(1, *) * dtype.byteSize)
  return Tensor(shape: shape, dtype: dtype, storage: storage)
}

/// Joins tensors along `axis`; all other dimensions and the dtype must agree.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
  precondition(!tensors.isEmpty, "concat of no tensors")
  let first = tensors[0]
  let resolved = resolveAxis(axis, rank: first.rank)
  for tensor in tensors {
    precondition(tensor.dtype == first.dtype, "concat of \(first.dtype) and \(tensor.dtype)")
    precondition(tensor.rank == first.rank
                   && (0..<first.rank).allSatisfy { $0 == resolved || tensor.shape[$0] == first.shape[$0] },
                 "concat along \(resolved) of \(first.shape) and \(tensor.shape)")
  }
  var outputShape = first.shape
  outputShape[resolved] = tensors.reduce(0) { $0 + $1.shape[resolved] }
  let result = uninitializedTensor(outputShape, dtype: first.dtype)  // [O, ΣK, I]
  let outer = first.shape[..<resolved].reduce(1, *)
  let innerBytes = first.shape[(resolved + 1)...].reduce(1, *) * first.dtype.byteSize
  let outputRowBytes = outputShape[resolved] * innerBytes
  nonisolated(unsafe) let destination = result.rawPointer
  var columnOffset = 0
  for tensor in tensors {
    let blockBytes = tensor.shape[resolved] * innerBytes
    nonisolated(unsafe) let source = UnsafeRawPointer(tensor.rawPointer)
    let start = columnOffset
    forEachChunk(outer, work: blockBytes / 4) { rows in
      for row in rows {
        (destination + row * outputRowBytes + start).copyMemory(from: source + row * blockBytes, byteCount: blockBytes)
      }
    }
    columnOffset += blockBytes
  }
  return withExtendedLifetime(tensors) { result }
}

/// Elements `range` of `axis`, copied into a new tensor.
public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
  let resolved = resolveAxis(axis, rank: x.rank)
  precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[resolved],
               "slice \(range) of axis \(resolved) in \(x.shape)")
  var outputShape = x.shape
  outputShape[resolved] = range.count
  let result = uninitializedTensor(outputShape, dtype: x.dtype)  // [O, K, I] -> [O, range, I]
  let outer = x.shape[..<resolved].reduce(1, *)
  let innerBytes = x.shape[(resolved + 1)...].reduce(1, *) * x.dtype.byteSize
  let inputRowBytes = x.shape[resolved] * innerBytes
  let blockBytes = range.count * innerBytes
  let skip = range.lowerBound * innerBytes
  nonisolated(unsafe) let source = UnsafeRawPointer(x.rawPointer)
  nonisolated(unsafe) let destination = result.rawPointer
  forEachChunk(outer, work: blockBytes / 4) { rows in
    for row in rows {
      (destination + row * blockBytes).copyMemory(from: source + row * inputRowBytes + skip, byteCount: blockBytes)
    }
  }
  return withExtendedLifetime(x) { result }
}

/// Cuts `axis` into consecutive pieces of the given sizes (which must add up to its extent); copies.
public func split(_ x: Tensor, sizes: [Int], axis: Int) -> [Tensor] {
  let resolved = resolveAxis(axis, rank: x.rank)
  precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == x.shape[resolved],
               "split sizes \(sizes) of axis \(resolved) in \(x.shape)")
  var start = 0
  return sizes.map { size in
    defer { start += size }
    return slice(x, axis: resolved, range: start..<(start + size))
  }
}

/// `torch.chunk`: pieces of ⌈K / count⌉ along `axis`, the last one possibly smaller, so there may be
/// fewer than `count` pieces (K = 5, count = 4 gives 2, 2, 1).
public func chunk(_ x: Tensor, _ count: Int, axis: Int) -> [Tensor] {
  precondition(count >= 1, "chunk into \(count) pieces")
  let resolved = resolveAxis(axis, rank: x.rank)
  let extent = x.shape[resolved]
  let size = Swift.max(1, (extent + count - 1) / count)
  var sizes: [Int] = []
  var remaining = extent
  while remaining > 0 {
    sizes.append(Swift.min(size, remaining))
    remaining -= size
  }
  if sizes.isEmpty { sizes = [0] }
  return split(x, sizes: sizes, axis: resolved)
}

/// The whole tensor repeated `times` times along axis 0, one copy after another (a tile, like
/// `x.repeat(times, 1, …)` or `torch.cat([x] * times)`; not `repeat_interleave`).
public func repeatBatch(_ x: Tensor, _ times: Int) -> Tensor {
  precondition(times >= 1 && x.rank >= 1, "repeatBatch \(times) times of \(x.shape)")
  return concat(Array(repeating: x, count: times), axis: 0)  // [N, ...] -> [times·N, ...]
}

/// Each element of axis 0 repeated `times` times in place (`x.repeat_interleave(times, dim=0)`), as
/// diffusers does for `num_images_per_prompt`.
public func repeatInterleaveBatch(_ x: Tensor, _ times: Int) -> Tensor {
  precondition(times >= 1 && x.rank >= 1, "repeatInterleaveBatch \(times) times of \(x.shape)")
  var outputShape = x.shape
  outputShape[0] *= times
  let result = uninitializedTensor(outputShape, dtype: x.dtype)  // [N, ...] -> [N·times, ...]
  let rowBytes = x.shape.dropFirst().reduce(1, *) * x.dtype.byteSize
  for row in 0..<(x.shape[0] * times) {
    (result.rawPointer + row * rowBytes).copyMemory(from: x.rawPointer + (row / times) * rowBytes, byteCount: rowBytes)
  }
  return withExtendedLifetime(x) { result }
}

/// Swaps two axes (a copy in the new layout).
public func transpose(_ x: Tensor, _ a: Int, _ b: Int) -> Tensor {
  var order = Array(0..<x.rank)
  order.swapAt(resolveAxis(a, rank: x.rank), resolveAxis(b, rank: x.rank))
  return permute(x, order)
}
