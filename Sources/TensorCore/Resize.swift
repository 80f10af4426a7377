// Image resizing of NCHW tensors with `F.interpolate` semantics (align_corners=False, output size
// given). Bilinear, bicubic and the antialiased variants are separable: a horizontal pass over each
// row into a [P, H, Wo] buffer, then a vertical pass that blends whole rows with SIMD. That is the
// order torch's separable antialias path uses and the nesting of its 2-D kernels.
//
// P planes (N·C), H/W input height/width, Ho/Wo output height/width, T taps.

/// out = Σ_t weight[t] · rows[t] over n columns: the vertical pass of a resize.
@inline(__always)
func blendRows(
  _ source: UnsafePointer<Float>, rowStride: Int, rows: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int,
  _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  var i = 0
  while i + 16 <= n {
    var acc = loadVector(source + rows[0] * rowStride + i) * weights[0]
    for t in 1..<taps { acc = acc + loadVector(source + rows[t] * rowStride + i) * weights[t] }
    storeVector(acc, out + i)
    i += 16
  }
  while i < n {
    var acc = source[rows[0] * rowStride + i] * weights[0]
    for t in 1..<taps { acc = acc + source[rows[t] * rowStride + i] * weights[t] }
    out[i] = acc
    i += 1
  }
}

/// Scalar twin of ``blendRows(_:rowStride:rows:weights:taps:_:_:)``.
func blendRowsReference(
  _ source: UnsafePointer<Float>, rowStride: Int, rows: UnsafePointer<Int>, weights: UnsafePointer<Float>, taps: Int,
  _ out: UnsafeMutablePointer<Float>, _ n: Int
) {
  for i in 0..<n {
    var acc: Float = 0
    for t in 0..<taps { acc += source[rows[t] * rowStride + i] * weights[t] }
    out[i] = acc
  }
}

/// Applies `horizontal` along W then `vertical` along H; a nil table leaves that axis as it is.
func resampleSeparable(_ x: Tensor, height: Int, width: Int, horizontal: ResampleTaps?, vertical: ResampleTaps?) -> Tensor {
  let input = x.toFloat32()
  let inHeight = input.shape[input.rank - 2]
  let inWidth = input.shape[input.rank - 1]
  let planes = input.count / Swift.max(inHeight * inWidth, 1)
  var current = input
  if let horizontal {
    var shape = input.shape
    shape[shape.count - 1] = width
    let next = Tensor(uninitialized: shape)  // [P, H, W] -> [P, H, Wo]
    nonisolated(unsafe) let source = current.floats
    nonisolated(unsafe) let destination = next.mutableFloats
    let taps = horizontal.taps
    horizontal.indices.withUnsafeBufferPointer { indexBuffer in
      horizontal.weights.withUnsafeBufferPointer { weightBuffer in
        nonisolated(unsafe) let indices = indexBuffer.baseAddress!
        nonisolated(unsafe) let weights = weightBuffer.baseAddress!
        forEachChunk(planes * inHeight, work: width * taps) { rows in
          for row in rows {
            let inRow = source + row * inWidth
            let outRow = destination + row * width
            for column in 0..<width {
              let base = column * taps
              var acc = inRow[indices[base]] * weights[base]
              for t in 1..<taps { acc = acc + inRow[indices[base + t]] * weights[base + t] }
              outRow[column] = acc
            }
          }
        }
      }
    }
    current = withExtendedLifetime(current) { next }
  }
  if let vertical {
    var shape = current.shape
    shape[shape.count - 2] = height
    let next = Tensor(uninitialized: shape)  // [P, H, Wo] -> [P, Ho, Wo]
    nonisolated(unsafe) let source = current.floats
    nonisolated(unsafe) let destination = next.mutableFloats
    let taps = vertical.taps
    let rowLength = current.shape[current.rank - 1]
    vertical.indices.withUnsafeBufferPointer { indexBuffer in
      vertical.weights.withUnsafeBufferPointer { weightBuffer in
        nonisolated(unsafe) let indices = indexBuffer.baseAddress!
        nonisolated(unsafe) let weights = weightBuffer.baseAddress!
        forEachChunk(planes * height, work: rowLength * taps) { rows in
          for row in rows {
            let plane = row / height
            let outputRow = row % height
            blendRows(source + plane * inHeight * rowLength, rowStride: rowLength,
                      rows: indices + outputRow * taps, weights: weights + outputRow * taps, taps: taps,
                      destination + row * rowLength, rowLength)
          }
        }
      }
    }
    current = withExtendedLifetime(current) { next }
  }
  return isSameView(current, input) ? copyTensor(input) : current
}

/// Whether two tensors view the same bytes with the same shape.
func isSameView(_ lhs: Tensor, _ rhs: Tensor) -> Bool {
  lhs.storage === rhs.storage && lhs.byteOffset == rhs.byteOffset && lhs.shape == rhs.shape
}

/// A fresh f32 copy.
func copyTensor(_ x: Tensor) -> Tensor {
  let input = x.toFloat32()
  let result = Tensor(uninitialized: input.shape)
  result.mutableFloats.update(from: input.floats, count: input.count)
  return withExtendedLifetime(input) { result }
}

/// Checks an NCHW-style resize request.
func checkResize(_ x: Tensor, height: Int, width: Int, _ name: String) {
  precondition(x.rank >= 3, "\(name) needs [N, C, H, W] (or [C, H, W]), got \(x.shape)")
  precondition(height >= 1 && width >= 1, "\(name) to \(height)×\(width)")
  precondition(x.shape[x.rank - 2] >= 1 && x.shape[x.rank - 1] >= 1, "\(name) of an empty image \(x.shape)")
}

/// Bilinear resize to height × width (`F.interpolate(mode="bilinear", align_corners=False)`).
///
/// With `antialias`, shrinking widens the filter so every input pixel counts (`antialias=True`).
public func resizeBilinear(_ x: Tensor, height: Int, width: Int, antialias: Bool = false) -> Tensor {
  checkResize(x, height: height, width: width, "resizeBilinear")
  let inHeight = x.shape[x.rank - 2]
  let inWidth = x.shape[x.rank - 1]
  let make = { (input: Int, output: Int) -> ResampleTaps? in
    if input == output { return nil }
    return antialias ? antialiasTaps(input: input, output: output, filter: .triangle) : bilinearTaps(input: input, output: output)
  }
  return resampleSeparable(x, height: height, width: width,
                           horizontal: make(inWidth, width), vertical: make(inHeight, height))
}

/// Bicubic resize to height × width (`F.interpolate(mode="bicubic", align_corners=False)`, A = −0.75,
/// borders replicated). Values may overshoot the input range, as torch's do; clamp afterwards for
/// images.
///
/// With `antialias`, torch's `antialias=True` path: Keys' cubic with A = −0.5 stretched by the scale
/// when shrinking, weights normalised (close to PIL's `BICUBIC` resize).
public func resizeBicubic(_ x: Tensor, height: Int, width: Int, antialias: Bool = false) -> Tensor {
  checkResize(x, height: height, width: width, "resizeBicubic")
  let inHeight = x.shape[x.rank - 2]
  let inWidth = x.shape[x.rank - 1]
  let make = { (input: Int, output: Int) -> ResampleTaps? in
    if input == output { return nil }
    return antialias ? antialiasTaps(input: input, output: output, filter: .cubic) : bicubicTaps(input: input, output: output)
  }
  return resampleSeparable(x, height: height, width: width,
                           horizontal: make(inWidth, width), vertical: make(inHeight, height))
}
