// Whole-tensor ops on inputs big enough to be split over ComputePool, against their row references
// applied row by row: a wrong partition (a row computed twice, skipped or split) shows up here.

import Foundation
import Testing
@testable import TensorCore

@Suite struct OpsLargeTensorTests {
  @Test func unaryOpsOverManyBlocks() {
    let x = opsRandomTensor([5, 40_003], seed: 41, low: -6, high: 6)
    let cases: [(UnaryOpKind, (Tensor) -> Tensor)] = [(.gelu, gelu), (.silu, silu), (.tanh, tanh), (.exp, exp)]
    for (kind, op) in cases {
      let expected = Tensor(uninitialized: x.shape)
      unaryRowReference(kind, x.floats, expected.mutableFloats, x.count)
      opsExpectClose(op(x), expected, tolerance: 2e-6, relative: 1e-6, "\(kind)")
    }
  }

  @Test func layerNormSoftmaxL2PerRow() {
    let x = opsRandomTensor([300, 77], seed: 42, low: -2, high: 4)
    let weight = opsRandomTensor([77], seed: 43)
    let bias = opsRandomTensor([77], seed: 44)
    let norms = Tensor(uninitialized: x.shape)
    let softmaxes = Tensor(uninitialized: x.shape)
    let units = Tensor(uninitialized: x.shape)
    for row in 0..<300 {
      let offset = row * 77
      layerNormRowReference(x.floats + offset, norms.mutableFloats + offset, 77, weight: weight.floats, bias: bias.floats, epsilon: 1e-5)
      softmaxRowReference(x.floats + offset, softmaxes.mutableFloats + offset, 77)
      l2NormalizeRowReference(x.floats + offset, units.mutableFloats + offset, 77, epsilon: 1e-12)
    }
    opsExpectClose(layerNorm(x, weight: weight, bias: bias, epsilon: 1e-5), norms, tolerance: 1e-5, "layerNorm")
    opsExpectClose(softmax(x), softmaxes, tolerance: 1e-7, relative: 2e-6, "softmax")
    opsExpectClose(l2Normalize(x), units, tolerance: 1e-6, "l2Normalize")
  }

  @Test func groupNormAgainstDoubleReference() {
    let (batch, channels, spatial, groups) = (2, 64, 32 * 32, 32)
    let x = opsRandomTensor([batch, channels, 32, 32], seed: 45, low: -1, high: 3)
    let weight = opsRandomTensor([channels], seed: 46)
    let bias = opsRandomTensor([channels], seed: 47)
    let values = x.scalars
    let (w, b) = (weight.scalars, bias.scalars)
    var expected = [Float](repeating: 0, count: x.count)
    let groupLength = channels / groups * spatial
    for block in 0..<(batch * groups) {
      let range = (block * groupLength)..<((block + 1) * groupLength)
      let mean = range.reduce(0.0) { $0 + Double(values[$1]) } / Double(groupLength)
      let variance = range.reduce(0.0) { $0 + (Double(values[$1]) - mean) * (Double(values[$1]) - mean) } / Double(groupLength)
      for index in range {
        let channel = (index / spatial) % channels
        expected[index] = Float((Double(values[index]) - mean) / (variance + 1e-6).squareRoot() * Double(w[channel]) + Double(b[channel]))
      }
    }
    opsExpectClose(groupNorm(x, groups: groups, weight: weight, bias: bias, epsilon: 1e-6),
                   Tensor(expected, shape: x.shape), tolerance: 1e-5, "groupNorm")
  }

  /// The fused norm → scale-shift → SiLU of a UNet resnet gives the ops it replaces bit for bit, on
  /// odd sizes (a tail in every channel row), with and without the modulation.
  @Test func groupNormSiLUGivesTheUnfusedOpsBits() {
    let x = opsRandomTensor([2, 12, 5, 7], seed: 50, low: -1, high: 3)
    let weight = opsRandomTensor([12], seed: 51)
    let bias = opsRandomTensor([12], seed: 52)
    let scale = opsRandomTensor([2, 12], seed: 53)
    let shift = opsRandomTensor([2, 12], seed: 54)
    let normed = groupNorm(x, groups: 3, weight: weight, bias: bias, epsilon: 1e-5)
    let modulated = add(mul(normed, add(scale.reshaped([2, 12, 1, 1]), 1)), shift.reshaped([2, 12, 1, 1]))
    let fused = groupNormSiLU(x, groups: 3, weight: weight, bias: bias, epsilon: 1e-5, scale: scale, shift: shift)
    #expect(fused.scalars.map(\.bitPattern) == silu(modulated).scalars.map(\.bitPattern))
    let plain = groupNormSiLU(x, groups: 3, weight: weight, bias: bias, epsilon: 1e-5)
    #expect(plain.scalars.map(\.bitPattern) == silu(normed).scalars.map(\.bitPattern))
  }

  @Test func opsAreRepeatable() {
    // Same input, same bits: no op may depend on how the pool happened to schedule its chunks.
    let x = opsRandomTensor([4, 64, 33, 33], seed: 48)
    let first = groupNorm(x, groups: 32, weight: nil, bias: nil, epsilon: 1e-5)
    let second = groupNorm(x, groups: 32, weight: nil, bias: nil, epsilon: 1e-5)
    #expect(first.scalars.map(\.bitPattern) == second.scalars.map(\.bitPattern))
    let sums = sum(x, axis: 1)
    #expect(sums.scalars.map(\.bitPattern) == sum(x, axis: 1).scalars.map(\.bitPattern))
  }

  @Test func preluAndResizeLarge() {
    let x = opsRandomTensor([2, 16, 48, 48], seed: 49)
    let slopes = opsRandomTensor([16], seed: 50, low: 0, high: 0.5)
    let values = x.scalars
    let s = slopes.scalars
    let expected = values.indices.map { index -> Float in
      let value = values[index]
      return value < 0 ? value * s[(index / (48 * 48)) % 16] : value
    }
    opsExpectClose(prelu(x, slopes: slopes), Tensor(expected, shape: x.shape), tolerance: 0, "prelu")
    // Plain bilinear halving samples at 2i + 0.5: the mean of each 2×2 block, a 2×2 average pool.
    opsExpectClose(resizeBilinear(x, height: 24, width: 24), avgPool2d(x, kernel: 2, stride: 2),
                   tolerance: 1e-6, "bilinear halving vs avg pool")
  }
}
