// Nearest-neighbour resizing, average pooling and pixel shuffle on NCHW tensors. These move or
// average whole pixels; no filter tables.
//
// N batch, C channels, P planes (N·C), H/W input height/width, Ho/Wo output height/width, r upscale.

/// Nearest resize to height × width, as `F.interpolate(mode="nearest")`: source index
/// ⌊dst · in/out⌋ (torch's legacy "nearest", not "nearest-exact").
public func resizeNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
  checkResize(x, height: height, width: width, "resizeNearest")
  let input = x.toFloat32()
  let inHeight = input.shape[input.rank - 2]
  let inWidth = input.shape[input.rank - 1]
  var shape = input.shape
  shape[shape.count - 2] = height
  shape[shape.count - 1] = width
  let result = Tensor(uninitialized: shape)  // [P, H, W] -> [P, Ho, Wo]
  let planes = input.count / (inHeight * inWidth)
  let columns = (0..<width).map { nearestSourceIndex($0, input: inWidth, output: width) }
  let rows = (0..<height).map { nearestSourceIndex($0, input: inHeight, output: height) }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  columns.withUnsafeBufferPointer { columnBuffer in
    nonisolated(unsafe) let columnIndex = columnBuffer.baseAddress!
    forEachChunk(planes * height, work: width) { range in
      for row in range {
        let inRow = source + (row / height * inHeight + rows[row % height]) * inWidth
        let outRow = destination + row * width
        for column in 0..<width { outRow[column] = inRow[columnIndex[column]] }
      }
    }
  }
  return withExtendedLifetime(input) { result }
}

/// Nearest ×2 upsampling (`F.interpolate(scale_factor=2, mode="nearest")`): every pixel becomes a
/// 2×2 block.
public func upsampleNearest2x(_ x: Tensor) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 2, "upsampleNearest2x needs [..., H, W], got \(input.shape)")
  let inHeight = input.shape[input.rank - 2]
  let inWidth = input.shape[input.rank - 1]
  var shape = input.shape
  shape[shape.count - 2] = inHeight * 2
  shape[shape.count - 1] = inWidth * 2
  let result = Tensor(uninitialized: shape)  // [P, H, W] -> [P, 2H, 2W]
  let width = inWidth * 2
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk(input.count / Swift.max(inWidth, 1), work: width * 2) { range in
    for row in range {  // row indexes the input rows of all planes
      let inRow = source + row * inWidth
      let outRow = destination + row * 2 * width
      duplicateColumns(inRow, outRow, inWidth)
      (outRow + width).update(from: outRow, count: width)
    }
  }
  return withExtendedLifetime(input) { result }
}

/// out[2i] = out[2i+1] = x[i] for i in 0..<n.
@inline(__always)
func duplicateColumns(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
  var i = 0
  while i + 16 <= n {
    let v = loadVector(x + i)
    storeVector(doubledLanes(v.lowHalf), out + 2 * i)
    storeVector(doubledLanes(v.highHalf), out + 2 * i + 16)
    i += 16
  }
  while i < n {
    out[2 * i] = x[i]
    out[2 * i + 1] = x[i]
    i += 1
  }
}

/// Scalar twin of ``duplicateColumns(_:_:_:)``.
func duplicateColumnsReference(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
  for i in 0..<n {
    out[2 * i] = x[i]
    out[2 * i + 1] = x[i]
  }
}

/// Each lane of an 8-lane vector repeated twice: [a, a, b, b, …].
@inline(__always)
func doubledLanes(_ half: SIMD8<Float>) -> FloatVector {
  FloatVector(half[0], half[0], half[1], half[1], half[2], half[2], half[3], half[3],
              half[4], half[4], half[5], half[5], half[6], half[6], half[7], half[7])
}

/// Average of each kernel × kernel window, stepping by stride, no padding (`F.avg_pool2d(x, k, s)`).
public func avgPool2d(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 3 && kernel >= 1 && stride >= 1, "avgPool2d(kernel \(kernel), stride \(stride)) of \(input.shape)")
  let inHeight = input.shape[input.rank - 2]
  let inWidth = input.shape[input.rank - 1]
  precondition(inHeight >= kernel && inWidth >= kernel, "avgPool2d kernel \(kernel) larger than \(inHeight)×\(inWidth)")
  let height = (inHeight - kernel) / stride + 1
  let width = (inWidth - kernel) / stride + 1
  var shape = input.shape
  shape[shape.count - 2] = height
  shape[shape.count - 1] = width
  let result = Tensor(uninitialized: shape)  // [P, H, W] -> [P, Ho, Wo]
  let planes = input.count / (inHeight * inWidth)
  let divisor = Float(kernel * kernel)
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk(planes * height, work: width * kernel * kernel) { range in
    for row in range {
      let plane = source + (row / height) * inHeight * inWidth
      let top = (row % height) * stride
      for column in 0..<width {
        let left = column * stride
        var total: Float = 0
        for dy in 0..<kernel {
          let line = plane + (top + dy) * inWidth + left
          for dx in 0..<kernel { total += line[dx] }
        }
        destination[row * width + column] = total / divisor
      }
    }
  }
  return withExtendedLifetime(input) { result }
}

/// Rearranges [N, C·r², H, W] into [N, C, H·r, W·r] (`F.pixel_shuffle(x, r)`):
/// out[n, c, h·r + i, w·r + j] = x[n, c·r² + i·r + j, h, w].
public func pixelShuffle(_ x: Tensor, upscale: Int) -> Tensor {
  let input = x.toFloat32()
  let r = upscale
  precondition(input.rank == 4 && r >= 1 && input.shape[1] % (r * r) == 0, "pixelShuffle ×\(r) of \(input.shape)")
  let (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
  let channels = inChannels / (r * r)
  let result = Tensor(uninitialized: [batch, channels, height * r, width * r])  // [N, C·r², H, W] -> [N, C, H·r, W·r]
  let outWidth = width * r
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  // One task per output row (n, c, h·r + i).
  forEachChunk(batch * channels * height * r, work: outWidth) { range in
    for outRow in range {
      let i = outRow % r
      let h = (outRow / r) % height
      let plane = outRow / (r * height)  // n·C + c
      let out = destination + outRow * outWidth
      for j in 0..<r {
        let inRow = source + ((plane * r * r + i * r + j) * height + h) * width
        for w in 0..<width { out[w * r + j] = inRow[w] }
      }
    }
  }
  return withExtendedLifetime(input) { result }
}
