// conv2d's Winograd F(2×2, 3×3) and F(4×4, 3×3) paths against the direct-loop conv2dReference (its scalar twin):
// odd and even sizes, widths that leave partial tile groups, several images, f32/f16/bf16 weights,
// thread counts, and the dispatch from conv2d.
// N batch, C input channels, O output channels, H, W plane size.
import Testing
@testable import TensorCore

@Suite struct Conv2DWinogradTests {
  static let shapes: [(batch: Int, channels: Int, outputs: Int, height: Int, width: Int)] = [
    (1, 3, 5, 7, 9), (2, 17, 33, 33, 35), (1, 40, 15, 8, 8), (1, 1, 4, 2, 1), (1, 64, 32, 20, 70), (3, 5, 64, 65, 31),
    (1, 600, 20, 6, 34), (1, 256, 16, 5, 33),  // several channel chunks; U rows padded
    (1, 24, 20, 11, 131),  // F(4×4): three groups a row, a last tile row of 3
    (2, 40, 33, 16, 16), (1, 24, 20, 13, 15),  // F(2×2): 8 tiles a row, groups of two tile rows (an odd last pair)
    (2, 40, 33, 32, 32), (1, 24, 20, 9, 29),  // F(4×4): the same (three tile rows: an odd last pair)
    // Whole images of at most 4 × 4 tiles in one group (F(4×4) on 13–16 pixels, F(2×2) on 7–8): three
    // images (S = 48 of 64 slots), three K chunks, a partial last output panel.
    (3, 300, 45, 14, 13), (3, 300, 45, 7, 8), (2, 33, 30, 16, 16),
  ]

  @Test(arguments: [WinogradTile.f2x2, .f4x4], [DType.f32, .f16, .bf16])
  func matchesReference(tile: WinogradTile, dtype: DType) {
    for (index, s) in Self.shapes.enumerated() {
      let x = kernelTestRandom([s.batch, s.channels, s.height, s.width], seed: UInt64(index))
      let weight = kernelTestRandom([s.outputs, s.channels, 3, 3], seed: UInt64(40 + index), dtype: dtype)
      let bias = index % 2 == 0 ? kernelTestRandom([s.outputs], seed: UInt64(80 + index)) : nil
      let result = conv2dWinograd(x, weight: weight, bias: bias, tile: tile)
      let expected = conv2dReference(x, weight: weight, bias: bias, padding: 1)
      let difference = compare(result, expected, tolerance: Self.tolerance(tile, channels: s.channels), relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "\(s) \(tile) \(dtype): \(difference)")
    }
  }

  /// F(2×2): 1e-4. F(4×4) rounds more (its output transform multiplies products by up to 8): 2e-5
  /// of the sum's scale, √(9·C) for these unit-range inputs and weights; measured up to 8e-4 at
  /// C = 600, where an output is a sum of 5400 products of typical magnitude 24.
  static func tolerance(_ tile: WinogradTile, channels: Int) -> Float {
    tile == .f2x2 ? 1e-4 : max(1e-4, 2e-5 * Float(9 * channels).squareRoot())
  }

  @Test(arguments: [WinogradTile.f2x2, .f4x4])
  func bitIdenticalForAnyThreadCount(tile: WinogradTile) {
    for shape in [[2, 24, 45, 37], [3, 24, 16, 16], [2, 24, 20, 31], [3, 24, 8, 8]] {
      let x = kernelTestRandom(shape, seed: 5)
      let weight = kernelTestRandom([100, 24, 3, 3], seed: 6)
      let bias = kernelTestRandom([100], seed: 7)
      let one = kernelTestWithThreads(1) { conv2dWinograd(x, weight: weight, bias: bias, tile: tile) }
      for threads in [2, 3] {
        let other = kernelTestWithThreads(threads) { conv2dWinograd(x, weight: weight, bias: bias, tile: tile) }
        #expect(kernelTestBits(other) == kernelTestBits(one), "\(shape) \(tile), \(threads) threads")
      }
    }
  }

  /// Transforming the kernels inside the products (Conv2DWinogradFused.swift) runs the same
  /// micro-kernel calls on the same values as transforming them all up front.
  @Test(arguments: [WinogradTile.f2x2, .f4x4])
  func fusedKernelsGiveTheSameBits(tile: WinogradTile) {
    for (index, s) in Self.shapes.enumerated() where !winogradWholeImageFits(height: s.height, width: s.width, tile: tile) {
      let x = kernelTestRandom([s.batch, s.channels, s.height, s.width], seed: UInt64(index))
      let weight = kernelTestRandom([s.outputs, s.channels, 3, 3], seed: UInt64(40 + index), dtype: .f16)
      let bias = kernelTestRandom([s.outputs], seed: UInt64(80 + index))
      for threads in [1, 2] {
        let (fused, upFront) = kernelTestWithThreads(threads) {
          (conv2dWinograd(x, weight: weight, bias: bias, tile: tile, fuseKernels: true),
           conv2dWinograd(x, weight: weight, bias: bias, tile: tile, fuseKernels: false))
        }
        let differing = zip(kernelTestBits(fused), kernelTestBits(upFront)).filter { $0 != $1 }.count
        #expect(differing == 0, "\(s) \(tile), \(threads) threads: \(differing) values differ")
      }
    }
  }

  @Test func conv2dTakesItForWide3x3Convolutions() {
    func tile(channels: Int = 320, height: Int = 64, width: Int, kernel: (Int, Int) = (3, 3), stride: Int = 1,
              padding: Int = 1) -> WinogradTile? {
      conv2dWinogradTile(inChannels: channels, outChannels: 320, height: height, width: width, kernel: kernel,
                         stride: stride, padding: padding, groups: 1)
    }
    #expect(tile(width: 64) == .f4x4)
    #expect(tile(width: 63) == .f2x2)
    #expect(tile(width: 33) == .f2x2)
    #expect(tile(width: 32) == .f4x4)
    #expect(tile(width: 29) == .f4x4)
    #expect(tile(width: 28) == nil)
    #expect(tile(width: 16) == .f2x2)
    #expect(tile(width: 15) == .f2x2)
    #expect(tile(width: 14) == nil)
    // Whole images of at most 4 × 4 tiles.
    #expect(tile(height: 16, width: 16) == .f4x4)
    #expect(tile(height: 13, width: 13) == .f4x4)
    #expect(tile(height: 17, width: 16) == .f2x2)
    #expect(tile(height: 8, width: 8) == .f2x2)
    #expect(tile(height: 1, width: 7) == .f2x2)
    #expect(tile(height: 9, width: 8) == nil)
    #expect(tile(height: 8, width: 6) == nil)
    #expect(tile(channels: 16, width: 64) == nil)
    #expect(tile(width: 64, stride: 2) == nil)
    #expect(tile(width: 64, kernel: (1, 1), padding: 0) == nil)
    for (height, width) in [(9, 32), (7, 64), (9, 16), (5, 40), (16, 16), (15, 13), (8, 8), (3, 7)] {
      let x = kernelTestRandom([1, 64, height, width], seed: 8)
      let weight = kernelTestRandom([64, 64, 3, 3], seed: 9, dtype: .f16)
      let difference = compare(conv2d(x, weight: weight, bias: nil, padding: 1),
                               conv2dReference(x, weight: weight, bias: nil, padding: 1),
                               tolerance: Self.tolerance(tile(height: height, width: width) ?? .f2x2, channels: 64), relativeTolerance: 1e-4)
      #expect(difference.isWithinTolerance, "\(height)×\(width): \(difference)")
    }
  }
}
