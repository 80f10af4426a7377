// conv2d's Winograd F(2×2, 3×3) path against the direct-loop conv2dReference (its scalar twin):
// odd and even sizes, widths that leave partial tile groups, several images, f32/f16/bf16 weights,
// thread counts, and the dispatch from conv2d.
// N batch, C input channels, O output channels, H, W plane size.
import Testing
@testable import TensorCore

@Suite struct Conv2DWinogradTests {
  static let shapes: [(batch: Int, channels: Int, outputs: Int, height: Int, width: Int)] = [
    (1, 3, 5, 7, 9), (2, 17, 33, 33, 35), (1, 40, 15, 8, 8), (1, 1, 4, 2, 1), (1, 64, 32, 20, 70), (3, 5, 64, 65, 31),
    (1, 600, 20, 6, 34), (1, 256, 16, 5, 33),  // two channel chunks; U rows padded
  ]

  @Test(arguments: [DType.f32, .f16, .bf16])
  func matchesReference(dtype: DType) {
    for (index, s) in Self.shapes.enumerated() {
      let x = kernelTestRandom([s.batch, s.channels, s.height, s.width], seed: UInt64(index))
      let weight = kernelTestRandom([s.outputs, s.channels, 3, 3], seed: UInt64(40 + index), dtype: dtype)
      let bias = index % 2 == 0 ? kernelTestRandom([s.outputs], seed: UInt64(80 + index)) : nil
      let result = conv2dWinograd(x, weight: weight, bias: bias)
      let expected = conv2dReference(x, weight: weight, bias: bias, padding: 1)
      let difference = compare(result, expected, tolerance: 1e-4, relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "\(s) \(dtype): \(difference)")
    }
  }

  @Test func bitIdenticalForAnyThreadCount() {
    let x = kernelTestRandom([2, 24, 45, 37], seed: 5)
    let weight = kernelTestRandom([40, 24, 3, 3], seed: 6)
    let bias = kernelTestRandom([40], seed: 7)
    let one = kernelTestWithThreads(1) { conv2dWinograd(x, weight: weight, bias: bias) }
    for threads in [2, 3] {
      let other = kernelTestWithThreads(threads) { conv2dWinograd(x, weight: weight, bias: bias) }
      #expect(kernelTestBits(other) == kernelTestBits(one), "\(threads) threads")
    }
  }

  @Test func conv2dTakesItForWide3x3Convolutions() {
    #expect(conv2dUsesWinograd(inChannels: 320, outChannels: 320, width: 64, kernel: (3, 3), stride: 1, padding: 1, groups: 1))
    #expect(!conv2dUsesWinograd(inChannels: 320, outChannels: 320, width: 16, kernel: (3, 3), stride: 1, padding: 1, groups: 1))
    #expect(!conv2dUsesWinograd(inChannels: 16, outChannels: 320, width: 64, kernel: (3, 3), stride: 1, padding: 1, groups: 1))
    #expect(!conv2dUsesWinograd(inChannels: 320, outChannels: 320, width: 64, kernel: (3, 3), stride: 2, padding: 1, groups: 1))
    #expect(!conv2dUsesWinograd(inChannels: 320, outChannels: 320, width: 64, kernel: (1, 1), stride: 1, padding: 0, groups: 1))
    let x = kernelTestRandom([1, 64, 9, 32], seed: 8)
    let weight = kernelTestRandom([64, 64, 3, 3], seed: 9, dtype: .f16)
    let difference = compare(conv2d(x, weight: weight, bias: nil, padding: 1), conv2dReference(x, weight: weight, bias: nil, padding: 1),
                             tolerance: 1e-4, relativeTolerance: 1e-4)
    #expect(difference.isWithinTolerance, "\(difference)")
  }
}
