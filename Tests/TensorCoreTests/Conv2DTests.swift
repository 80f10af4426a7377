// conv2d against its direct-loop twin: kernel sizes, stride, padding, groups, 1×1, tails, dtypes.
// N batch, C input channels, O output channels, H, W size, K kernel.
import Testing
import TensorCore

@Suite struct Conv2DTests {
  struct Case: Sendable, CustomStringConvertible {
    var x: [Int]  // [N, C, H, W]
    var outChannels: Int
    var kernel: (Int, Int)
    var stride = 1
    var padding = 0
    var groups = 1
    var description: String { "x \(x) O \(outChannels) k \(kernel) s \(stride) p \(padding) g \(groups)" }
  }

  static let cases: [Case] = [
    Case(x: [1, 3, 7, 9], outChannels: 5, kernel: (3, 3), padding: 1),
    Case(x: [2, 4, 9, 8], outChannels: 6, kernel: (3, 3), stride: 2, padding: 1, groups: 2),
    Case(x: [1, 6, 5, 5], outChannels: 6, kernel: (3, 3), padding: 1, groups: 6),
    Case(x: [1, 8, 6, 7], outChannels: 5, kernel: (1, 1)),
    Case(x: [1, 4, 6, 6], outChannels: 8, kernel: (1, 1), stride: 2),
    Case(x: [1, 3, 11, 10], outChannels: 4, kernel: (5, 3), stride: 2, padding: 2),
    Case(x: [1, 17, 33, 35], outChannels: 33, kernel: (3, 3), padding: 1),
    Case(x: [1, 2, 4, 5], outChannels: 3, kernel: (3, 3), padding: 3),
    Case(x: [1, 3, 9, 9], outChannels: 7, kernel: (4, 4), stride: 3, padding: 1),
    Case(x: [1, 40, 8, 8], outChannels: 15, kernel: (3, 3), padding: 1),
    // Two images, one group: the weights (A) are packed once for both (gemmBatched's shared A).
    Case(x: [2, 5, 7, 9], outChannels: 30, kernel: (3, 3), padding: 1),
    Case(x: [3, 6, 5, 4], outChannels: 17, kernel: (1, 1)),
  ]

  @Test(arguments: [DType.f32, .f16, .bf16])
  func matchesReference(dtype: DType) {
    for (index, c) in Self.cases.enumerated() {
      let x = kernelTestRandom(c.x, seed: UInt64(index))
      let weight = kernelTestRandom([c.outChannels, c.x[1] / c.groups, c.kernel.0, c.kernel.1],
                                    seed: UInt64(40 + index), dtype: dtype)
      let bias = index % 2 == 0 ? kernelTestRandom([c.outChannels], seed: UInt64(80 + index)) : nil
      let result = conv2d(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding, groups: c.groups)
      let expected = conv2dReference(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding, groups: c.groups)
      let difference = compare(result, expected, tolerance: 1e-5, relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "\(c) \(dtype): \(difference)")
    }
  }

  /// Weights laid out once (`ConvWeights`) give the row-major tensor's result bit for bit, on the GEMM
  /// path (every case above) and on both Winograd paths.
  @Test(arguments: [DType.f32, .f16, .bf16])
  func laidOutWeightsGiveTheSameBits(dtype: DType) {
    let winograd = [Case(x: [2, 40, 9, 33], outChannels: 33, kernel: (3, 3), padding: 1),
                    Case(x: [1, 32, 5, 64], outChannels: 45, kernel: (3, 3), padding: 1)]
    for (index, c) in (Self.cases + winograd).enumerated() {
      let x = kernelTestRandom(c.x, seed: UInt64(index))
      let weight = kernelTestRandom([c.outChannels, c.x[1] / c.groups, c.kernel.0, c.kernel.1],
                                    seed: UInt64(40 + index), dtype: dtype)
      let bias = index % 2 == 0 ? kernelTestRandom([c.outChannels], seed: UInt64(80 + index)) : nil
      let laidOut = conv2d(x, weights: ConvWeights(weight, groups: c.groups), bias: bias, stride: c.stride, padding: c.padding)
      let rowMajor = conv2d(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding, groups: c.groups)
      #expect(kernelTestBits(laidOut) == kernelTestBits(rowMajor), "\(c) \(dtype)")
    }
  }

  @Test func outputShape() {
    let x = Tensor(zeros: [2, 4, 9, 8])
    let weight = Tensor(zeros: [6, 2, 3, 3])
    #expect(conv2d(x, weight: weight, bias: nil, stride: 2, padding: 1, groups: 2).shape == [2, 6, 5, 4])
  }

  @Test func identityKernelCopiesTheInput() {
    let x = kernelTestRandom([1, 2, 5, 6], seed: 3)
    var taps = [Float](repeating: 0, count: 2 * 2 * 9)
    taps[4] = 1  // out 0 <- in 0, centre
    taps[3 * 9 + 4] = 1  // out 1 <- in 1, centre
    let result = conv2d(x, weight: Tensor(taps, shape: [2, 2, 3, 3]), bias: nil, padding: 1)
    #expect(result.scalars == x.scalars)
  }

  @Test func bitIdenticalForAnyThreadCount() {
    let x = kernelTestRandom([2, 24, 21, 19], seed: 5)
    let weight = kernelTestRandom([40, 12, 3, 3], seed: 6, dtype: .f16)
    let bias = kernelTestRandom([40], seed: 7)
    for groups in [1, 2] {  // one group: both images share A
      let weight = groups == 1 ? kernelTestRandom([40, 24, 3, 3], seed: 6, dtype: .f16) : weight
      let one = kernelTestWithThreads(1) { conv2d(x, weight: weight, bias: bias, padding: 1, groups: groups) }
      for threads in [2, 3] {
        let other = kernelTestWithThreads(threads) { conv2d(x, weight: weight, bias: bias, padding: 1, groups: groups) }
        #expect(kernelTestBits(other) == kernelTestBits(one), "\(threads) threads, \(groups) groups")
      }
    }
  }
}
