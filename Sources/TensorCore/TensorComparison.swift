// Compares a computed tensor with a golden one and says how and where they differ, in a form that
// reads well in a failing test: max-abs and max-relative error, how many elements are off, and the
// first few mismatches with their multi-dimensional index.

/// How far a tensor is from the expected one.
public struct TensorDifference: Sendable, CustomStringConvertible {
  /// One element outside the tolerance.
  public typealias Mismatch = (index: Int, actual: Float, expected: Float)

  /// Shape of the tensor under test.
  public let actualShape: [Int]
  /// Shape of the reference tensor.
  public let expectedShape: [Int]
  /// The absolute tolerance the comparison used.
  public let tolerance: Float
  /// The relative tolerance the comparison used (added to `tolerance` times |expected|).
  public let relativeTolerance: Float
  /// Largest |actual − expected| (infinity when a NaN or infinity disagrees; 0 when shapes differ).
  public let maxAbs: Float
  /// Largest |actual − expected| / |expected| over elements whose expected value is not 0
  /// (infinity where expected is 0 and actual is not).
  public let maxRelative: Float
  /// Flat index of the element with the largest absolute difference.
  public let maxAbsIndex: Int?
  /// Number of elements outside the tolerance.
  public let mismatchCount: Int
  /// The first elements (in flat order) outside the tolerance, at most `maxReported` of them.
  public let firstMismatches: [Mismatch]

  /// Whether the shapes agree.
  public var shapesMatch: Bool { actualShape == expectedShape }
  /// Whether shapes agree and every element is within tolerance.
  public var isWithinTolerance: Bool { shapesMatch && mismatchCount == 0 }

  public var description: String {
    guard shapesMatch else { return "shape \(actualShape) differs from expected \(expectedShape)" }
    let count = expectedShape.reduce(1, *)
    var text = "max |Δ| \(maxAbs)"
    if let maxAbsIndex {
      text += " at \(multiIndex(maxAbsIndex))"
    }
    text += ", max rel \(maxRelative); \(mismatchCount) of \(count) elements outside ±(\(tolerance)"
    if relativeTolerance > 0 { text += " + \(relativeTolerance)·|expected|" }
    text += ")"
    if !firstMismatches.isEmpty {
      let listed = firstMismatches.map { "\(multiIndex($0.index)) \($0.actual) vs \($0.expected)" }
      text += "; first: " + listed.joined(separator: ", ")
    }
    return text
  }

  /// `[i, j, k]` for a flat index into `expectedShape`.
  func multiIndex(_ flat: Int) -> String {
    var remainder = flat
    var indices = [Int](repeating: 0, count: expectedShape.count)
    for axis in stride(from: expectedShape.count - 1, through: 0, by: -1) where expectedShape[axis] > 0 {
      indices[axis] = remainder % expectedShape[axis]
      remainder /= expectedShape[axis]
    }
    return "[" + indices.map(String.init).joined(separator: ", ") + "]"
  }
}

/// Compares `actual` with `expected` element by element (any dtypes; both are widened to f32).
///
/// An element matches when |actual − expected| ≤ `tolerance` + `relativeTolerance`·|expected|, or
/// when both are NaN, or both are the same infinity.
public func compare(_ actual: Tensor, _ expected: Tensor, tolerance: Float, relativeTolerance: Float = 0,
                    maxReported: Int = 8) -> TensorDifference {
  guard actual.shape == expected.shape else {
    return TensorDifference(
      actualShape: actual.shape, expectedShape: expected.shape, tolerance: tolerance,
      relativeTolerance: relativeTolerance, maxAbs: 0, maxRelative: 0, maxAbsIndex: nil, mismatchCount: 0,
      firstMismatches: [])
  }
  let left = actual.toFloat32()
  let right = expected.toFloat32()
  let actualValues = left.floats
  let expectedValues = right.floats
  var maxAbs: Float = 0
  var maxRelative: Float = 0
  var maxAbsIndex: Int?
  var mismatchCount = 0
  var firstMismatches: [TensorDifference.Mismatch] = []
  for index in 0..<expected.count {
    let (value, reference) = (actualValues[index], expectedValues[index])
    let difference: Float
    if value.isNaN || reference.isNaN {
      difference = value.isNaN && reference.isNaN ? 0 : .infinity
    } else if value == reference {
      difference = 0  // also equal infinities
    } else {
      difference = abs(value - reference)
    }
    if difference > maxAbs || (maxAbsIndex == nil && difference == maxAbs) {
      maxAbs = difference
      maxAbsIndex = index
    }
    if difference > 0 {
      let relative = reference == 0 || !reference.isFinite ? Float.infinity : difference / abs(reference)
      maxRelative = max(maxRelative, relative)
    }
    let allowed = reference.isFinite ? tolerance + relativeTolerance * abs(reference) : tolerance
    if difference > allowed {
      mismatchCount += 1
      if firstMismatches.count < maxReported { firstMismatches.append((index, value, reference)) }
    }
  }
  return TensorDifference(
    actualShape: actual.shape, expectedShape: expected.shape, tolerance: tolerance,
    relativeTolerance: relativeTolerance, maxAbs: maxAbs, maxRelative: maxRelative, maxAbsIndex: maxAbsIndex,
    mismatchCount: mismatchCount, firstMismatches: firstMismatches)
}
