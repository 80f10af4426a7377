// Shared helpers of the ops tests: deterministic inputs and tolerance checks that print what failed.

import Foundation
import Testing
@testable import TensorCore

/// Row lengths that cover an empty SIMD body, exact multiples of 16 and every kind of tail.
let opsTestLengths = [1, 15, 16, 17, 33, 1000]

/// Deterministic values in [low, high) from a 64-bit LCG (no global RNG state).
func opsRandomValues(_ count: Int, seed: UInt64, low: Float = -3, high: Float = 3) -> [Float] {
  var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
  return (0..<count).map { _ in
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let unit = Float(state >> 40) / Float(1 << 24)
    return low + (high - low) * unit
  }
}

/// A deterministic f32 tensor with values in [low, high).
func opsRandomTensor(_ shape: [Int], seed: UInt64, low: Float = -3, high: Float = 3) -> Tensor {
  Tensor(opsRandomValues(shape.reduce(1, *), seed: seed, low: low, high: high), shape: shape)
}

/// Expects `actual` to match `expected` within |a − e| ≤ tolerance + relative·|e|, naming `label`.
func opsExpectClose(
  _ actual: Tensor, _ expected: Tensor, tolerance: Float, relative: Float = 0, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let difference = compare(actual, expected, tolerance: tolerance, relativeTolerance: relative)
  #expect(difference.isWithinTolerance, "\(label): \(difference)", sourceLocation: sourceLocation)
}

/// Expects two float arrays to match within |a − e| ≤ tolerance + relative·|e|.
func opsExpectClose(
  _ actual: [Float], _ expected: [Float], tolerance: Float, relative: Float = 0, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  opsExpectClose(Tensor(actual, shape: [actual.count]), Tensor(expected, shape: [expected.count]),
                 tolerance: tolerance, relative: relative, label, sourceLocation: sourceLocation)
}

/// Runs a row kernel writing `n` outputs and returns them.
func opsRun(_ n: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
  var output = [Float](repeating: .nan, count: n)
  output.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
  return output
}
