// Padding of the two innermost (H, W) axes, as `F.pad(x, (left, right, top, bottom), mode)`.
//
// P planes (N·C), H height, W width, Ho/Wo padded height/width.

/// How `pad` fills the border.
public enum PadMode: Sendable, Equatable {
  /// Zeros (`mode="constant"`, value 0).
  case zero
  /// Mirror without repeating the edge (`mode="reflect"`): needs each pad < the extent it mirrors.
  case reflect
  /// Repeat the edge element (`mode="replicate"`).
  case replicate
}

/// Source index of padded position `index` (may be outside 0..<extent), or nil for a zero.
@inline(__always)
func paddedSourceIndex(_ index: Int, extent: Int, mode: PadMode) -> Int? {
  if index >= 0 && index < extent { return index }
  switch mode {
  case .zero: return nil
  case .replicate: return index < 0 ? 0 : extent - 1
  case .reflect: return index < 0 ? -index : 2 * (extent - 1) - index
  }
}

/// Pads the last two axes of `x` ([..., H, W], usually NCHW). Pads are ≥ 0.
public func pad(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int, mode: PadMode) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 2, "pad needs [..., H, W], got \(input.shape)")
  precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "negative pad \(top) \(bottom) \(left) \(right)")
  let height = input.shape[input.rank - 2]
  let width = input.shape[input.rank - 1]
  if mode == .reflect {
    precondition(top < height && bottom < height && left < width && right < width,
                 "reflect pad (\(top), \(bottom), \(left), \(right)) must be below the extent \(height)×\(width)")
  }
  if mode == .replicate { precondition(height > 0 && width > 0, "replicate pad of an empty plane") }
  let outHeight = height + top + bottom
  let outWidth = width + left + right
  var outputShape = input.shape
  outputShape[input.rank - 2] = outHeight
  outputShape[input.rank - 1] = outWidth
  let result = Tensor(uninitialized: outputShape)  // [P, H, W] -> [P, Ho, Wo]
  let planes = input.count / Swift.max(height * width, 1)
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk(planes, work: outHeight * outWidth) { range in
    for plane in range {
      let inPlane = source + plane * height * width
      let outPlane = destination + plane * outHeight * outWidth
      for outRow in 0..<outHeight {
        let out = outPlane + outRow * outWidth
        guard let sourceRow = paddedSourceIndex(outRow - top, extent: height, mode: mode) else {
          out.update(repeating: 0, count: outWidth)
          continue
        }
        let row = inPlane + sourceRow * width
        (out + left).update(from: row, count: width)
        for column in 0..<left {
          out[column] = paddedSourceIndex(column - left, extent: width, mode: mode).map { row[$0] } ?? 0
        }
        for column in (left + width)..<outWidth {
          out[column] = paddedSourceIndex(column - left, extent: width, mode: mode).map { row[$0] } ?? 0
        }
      }
    }
  }
  return withExtendedLifetime(input) { result }
}
