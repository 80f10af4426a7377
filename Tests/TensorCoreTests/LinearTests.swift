// nn.Linear against its scalar twin: f32/f16/bf16 weights, with and without bias, any leading dims.
import Testing
import TensorCore

@Suite struct LinearTests {
  @Test(arguments: [DType.f32, .f16, .bf16])
  func matchesReference(dtype: DType) {
    let cases: [([Int], Int)] = [([37], 23), ([2, 5, 37], 23), ([1, 1], 1), ([130, 65], 63), ([3, 300], 17)]
    for (index, (xShape, outputs)) in cases.enumerated() {
      let x = kernelTestRandom(xShape, seed: UInt64(index))
      let weight = kernelTestRandom([outputs, xShape.last ?? 1], seed: UInt64(50 + index), dtype: dtype)
      for bias in [nil, kernelTestRandom([outputs], seed: UInt64(90 + index))] {
        let result = linear(x, weight: weight, bias: bias)
        #expect(result.shape == Array(xShape.dropLast()) + [outputs])
        let difference = compare(result, linearReference(x, weight: weight, bias: bias),
                                 tolerance: 1e-5, relativeTolerance: 1e-4)
        #expect(difference.isWithinTolerance, "x \(xShape) -> \(outputs) \(dtype) bias \(bias != nil): \(difference)")
      }
    }
  }

  /// A weight laid out once (`LinearWeights`) gives the tensor's result bit for bit.
  @Test(arguments: [DType.f32, .f16, .bf16])
  func laidOutWeightsGiveTheSameBits(dtype: DType) {
    let cases: [([Int], Int)] = [([37], 23), ([2, 5, 37], 23), ([1, 1], 1), ([130, 65], 63), ([3, 300], 17), ([40, 520], 600)]
    for (index, (xShape, outputs)) in cases.enumerated() {
      let x = kernelTestRandom(xShape, seed: UInt64(index))
      let weight = kernelTestRandom([outputs, xShape.last ?? 1], seed: UInt64(50 + index), dtype: dtype)
      let bias = index % 2 == 0 ? kernelTestRandom([outputs], seed: UInt64(90 + index)) : nil
      let laidOut = linear(x, weights: LinearWeights(weight), bias: bias)
      #expect(kernelTestBits(laidOut) == kernelTestBits(linear(x, weight: weight, bias: bias)), "x \(xShape) -> \(outputs) \(dtype)")
    }
  }

  @Test func knownValues() {
    let x = Tensor([1, 2], shape: [1, 2])
    let weight = Tensor([1, 0, 0, 1, 1, 1], shape: [3, 2])
    let bias = Tensor([0.5, -1, 2], shape: [3])
    #expect(linear(x, weight: weight, bias: bias).scalars == [1.5, 1, 5])
  }

  @Test func bitIdenticalForAnyThreadCount() {
    let x = kernelTestRandom([3, 97, 300], seed: 1)
    let weight = kernelTestRandom([333, 300], seed: 2, dtype: .bf16)
    let bias = kernelTestRandom([333], seed: 3)
    let one = kernelTestWithThreads(1) { linear(x, weight: weight, bias: bias) }
    for threads in [2, 3] {
      let other = kernelTestWithThreads(threads) { linear(x, weight: weight, bias: bias) }
      #expect(kernelTestBits(other) == kernelTestBits(one), "\(threads) threads")
    }
  }
}
