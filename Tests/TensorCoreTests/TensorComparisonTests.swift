// TensorDifference: catches what it should, forgives what it should, and explains itself.

import Testing
@testable import TensorCore

@Suite struct TensorComparisonTests {
  @Test func identicalTensorsAreWithinZeroTolerance() {
    let tensor = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
    let difference = compare(tensor, tensor, tolerance: 0)
    #expect(difference.isWithinTolerance)
    #expect(difference.maxAbs == 0 && difference.maxRelative == 0 && difference.firstMismatches.isEmpty)
  }

  @Test func reportsMaxErrorsAndFirstMismatches() {
    let expected = Tensor([1, 2, 3, 4, 0, 6], shape: [2, 3])
    let actual = Tensor([1, 2.5, 3, 4.001, 0.25, 6], shape: [2, 3])
    let difference = compare(actual, expected, tolerance: 0.01, maxReported: 1)
    #expect(!difference.isWithinTolerance)
    #expect(difference.maxAbs == 0.5)
    #expect(difference.maxAbsIndex == 1)
    #expect(difference.maxRelative == .infinity, "0.25 where 0 was expected")
    #expect(difference.mismatchCount == 2)
    #expect(difference.firstMismatches.count == 1)
    #expect(difference.firstMismatches.first?.index == 1)
    #expect(difference.firstMismatches.first?.actual == 2.5)
    #expect(difference.description.contains("at [0, 1]"), "\(difference)")
    #expect(difference.description.contains("2 of 6"), "\(difference)")
    #expect(difference.description.contains("[0, 1] 2.5 vs 2.0"), "\(difference)")
  }

  @Test func relativeToleranceScalesWithExpected() {
    let expected = Tensor([1000, 0.001], shape: [2])
    let actual = Tensor([1000.5, 0.0011], shape: [2])
    #expect(!compare(actual, expected, tolerance: 1e-3).isWithinTolerance)
    #expect(compare(actual, expected, tolerance: 1e-3, relativeTolerance: 1e-3).isWithinTolerance)
    #expect(abs(compare(actual, expected, tolerance: 0).maxRelative - 0.1) < 1e-4)
  }

  @Test func shapeMismatchIsReported() {
    let difference = compare(Tensor(zeros: [2, 3]), Tensor(zeros: [3, 2]), tolerance: 1)
    #expect(!difference.shapesMatch && !difference.isWithinTolerance)
    #expect(difference.description == "shape [2, 3] differs from expected [3, 2]")
  }

  @Test func nanAndInfinityHandling() {
    let expected = Tensor([.nan, .infinity, 1, 2], shape: [4])
    let same = Tensor([.nan, .infinity, 1, 2], shape: [4])
    #expect(compare(same, expected, tolerance: 0).isWithinTolerance)
    let broken = Tensor([0, .infinity, .nan, -.infinity], shape: [4])
    let difference = compare(broken, expected, tolerance: 100)
    #expect(difference.mismatchCount == 3)
    #expect(difference.maxAbs == .infinity)
  }

  @Test func comparesAcrossDTypes() {
    let half = Tensor(zeros: [3], dtype: .f16)
    let pointer = half.rawPointer.assumingMemoryBound(to: Float16.self)
    pointer[0] = 0.5
    pointer[1] = 1.5
    pointer[2] = -2
    #expect(compare(half, Tensor([0.5, 1.5, -2], shape: [3]), tolerance: 0).isWithinTolerance)
    #expect(!compare(half, Tensor([0.5, 1.5, -2.01], shape: [3]), tolerance: 0.001).isWithinTolerance)
  }
}
