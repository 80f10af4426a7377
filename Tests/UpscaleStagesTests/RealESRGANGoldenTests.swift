// Easel's Real-ESRGAN against PyTorch with the same ncnn weights (fixtures from
// scripts/golden/realesrgan_reference.py): the real animevideov3 network and a tiny random RRDBNet.
import Foundation
import TensorCore
import Testing
@testable import UpscaleStages
import WeightIO

private func animevideo(_ scale: Int) throws -> RealESRGANUpscaler {
  // The x3 graph (its param file only, in the test resources) over the shipped x4 weights.
  let param = (scale == 4 ? shippedModels : resources).appendingPathComponent("realesr-animevideov3-x\(scale).param")
  return try RealESRGANUpscaler(paramURL: param, binURL: shippedModels.appendingPathComponent("realesr-animevideov3-x4.bin"),
                         name: "realesr-animevideov3-x\(scale)")
}

private func tinyRRDB() throws -> RealESRGANUpscaler {
  try RealESRGANUpscaler(modelDirectory: resources, name: "tiny-rrdb")
}

@Test func animevideov3x4MatchesPyTorch() throws {
  let upscaler = try animevideo(4)
  #expect(upscaler.scale == 4)
  let output = try upscaler.upscale(try golden("photo_input"), tileSize: 0)
  expectClose(output, try golden("animevideov3_x4_output"), minimumPSNR: 50, label: "animevideov3-x4")
}

@Test func animevideov3x3MatchesPyTorch() throws {
  let upscaler = try animevideo(3)
  #expect(upscaler.scale == 3)
  let output = try upscaler.upscale(try golden("photo_input"), tileSize: 0)
  expectClose(output, try golden("animevideov3_x3_output"), minimumPSNR: 50, label: "animevideov3-x3")
}

@Test func greyImagesGoThroughRGBAndBack() throws {
  let output = try animevideo(4).upscale(try golden("grey_input"), tileSize: 0)
  #expect(output.shape == [1, 96, 96, 1])
  expectClose(output, try golden("animevideov3_x4_grey_output"), minimumPSNR: 50, label: "grey")
}

@Test func alphaIsUpscaledByTheNetwork() throws {
  let output = try animevideo(4).upscale(try golden("rgba_input"), tileSize: 0)
  #expect(output.shape == [1, 96, 96, 4])
  expectClose(output, try golden("animevideov3_x4_rgba_output"), minimumPSNR: 50, label: "rgba")
}

@Test func tinyRRDBNetworkMatchesPyTorch() throws {
  let upscaler = try tinyRRDB()
  let raw = upscaler.forward(try golden("tiny_rrdb_input"))
  let expected = try golden("tiny_rrdb_output")
  let difference = compare(raw, expected, tolerance: 1e-4)
  print("tiny RRDBNet raw output: \(difference)")
  #expect(difference.isWithinTolerance, "\(difference)")
  let image = try upscaler.upscale(try golden("photo_input"), tileSize: 0)
  expectClose(image, try golden("tiny_rrdb_image_output"), minimumPSNR: 50, label: "tiny RRDBNet image")
}

@Test func rrdbTailSubTilesAreExact() throws {
  let model = try NCNNModelFixture.rrdb()
  let input = try golden("tiny_rrdb_input")
  let whole = model(input, tailTile: 1_000)
  for tile in [5, 7, 24] {
    let difference = compare(model(input, tailTile: tile), whole, tolerance: 1e-6)
    #expect(difference.isWithinTolerance, "tail tile \(tile): \(difference)")
  }
}

@Test func tilesWithEnoughOverlapMatchTheWholeImage() throws {
  // Overlap ≥ the receptive field (tiny RRDB ~18 px, animevideov3 ~18 px): tiles must agree to 1/255.
  for upscaler in [try tinyRRDB(), try animevideo(4), try animevideo(3)] {
    let input = try golden("rgba_input")
    let whole = try upscaler.upscale(input, tileSize: 0)
    var reported: [Double] = []
    let tiled = try upscaler.upscale(input, tileSize: 7, tileOverlap: 24) { reported.append($0) }
    let difference = compare(tiled, whole, tolerance: 1 / 255)
    print("\(upscaler.name) tile 7 overlap 24 vs whole: \(difference)")
    #expect(difference.isWithinTolerance, "\(upscaler.name): \(difference)")
    #expect(reported.count == 2 * 16 && reported.last == 1)  // colour + alpha, 4×4 tiles each
  }
}

@Test func scaledResidualMatchesItsScalarTwin() {
  for count in [1, 15, 16, 17, 100_003] {
    let a = (0..<count).map { Float(($0 * 7919) % 201 - 100) / 37 }
    let b = (0..<count).map { Float(($0 * 104_729) % 97 - 48) / 11 }
    var fast = [Float](repeating: 0, count: count)
    var slow = [Float](repeating: 0, count: count)
    scaledResidual(a, scale: 0.2, b, &fast, count: count)
    scaledResidualReference(a, scale: 0.2, b, &slow, count: count)
    #expect(zip(fast, slow).allSatisfy { Swift.abs($0 - $1) <= 1e-6 * Swift.max(1, Swift.abs($1)) }, "scaledResidual, \(count)")
  }
}

@Test func conv3x3MatchesTheScalarConvolution() {
  // Odd sizes, a partial output block (11 = 8 + 3), one-pixel planes, and the leaky epilogue; the
  // last four take the row-wise Winograd path (O a multiple of 32, C ≥ 16): a partial channel chunk
  // (100 = 6 · 16 + 4), one and two output blocks, odd widths, a width of 1 and a partial last band.
  for (channels, outputs, height, width) in [(5, 11, 7, 9), (3, 8, 1, 1), (16, 3, 13, 50), (1, 17, 2, 33),
                                             (16, 32, 5, 1), (100, 32, 7, 31), (33, 64, 4, 29), (64, 64, 9, 40)] {
    let layout = Conv3x3Weights(weight: Tensor(zeros: [outputs, channels, 3, 3]), bias: Tensor(zeros: [outputs])).layout
    let takesWinograd: Bool = if case .winograd = layout { true } else { false }
    #expect(takesWinograd == (outputs % 32 == 0 && channels >= 16), "\(channels)→\(outputs)")
    let x = Tensor((0..<(channels * height * width)).map { Float(($0 * 37) % 23 - 11) / 7 }, shape: [1, channels, height, width])
    let weight = Tensor((0..<(outputs * channels * 9)).map { Float(($0 * 53) % 29 - 14) / 31 },
                        shape: [outputs, channels, 3, 3])
    let bias = Tensor((0..<outputs).map { Float($0) / 10 - 0.5 }, shape: [outputs])
    let expected = conv2dReference(x, weight: weight, bias: bias, padding: 1)
    let packed = Conv3x3Weights(weight: weight, bias: bias)
    let plain = compare(conv3x3(x, packed), expected, tolerance: 1e-4)
    #expect(plain.isWithinTolerance, "\(channels)→\(outputs) \(height)×\(width): \(plain)")
    let leaky = compare(conv3x3(x, packed, epilogue: .leaky(0.2)), leakyReLU(expected, slope: 0.2), tolerance: 1e-4)
    #expect(leaky.isWithinTolerance, "leaky \(channels)→\(outputs) \(height)×\(width): \(leaky)")
    // Into the same slab, behind the input channels, leaving the input and the borders intact.
    let slab = PaddedPlanes(channels: channels + outputs, height: height, width: width)
    let padded = PaddedPlanes(x)
    slab.base.update(from: padded.base, count: channels * slab.planeStride)
    conv3x3(slab, channels: channels, packed, epilogue: .none, into: slab, at: channels)
    #expect(compare(slab.tensor(channels: channels..<(channels + outputs)), expected, tolerance: 1e-4).isWithinTolerance)
    #expect(compare(slab.tensor(channels: 0..<channels), x, tolerance: 0).isWithinTolerance)
    var borderValues: [Float] = []
    for channel in 0..<slab.channels {
      let plane = slab.plane(channel)
      for column in 0..<(width + 2) { borderValues += [plane[column], plane[(height + 1) * slab.rowStride + column]] }
      for row in 0..<(height + 2) { borderValues += [plane[row * slab.rowStride], plane[row * slab.rowStride + width + 1]] }
    }
    #expect(borderValues.allSatisfy { $0 == 0 }, "the zero border was overwritten")
  }
}

@Test func conv3x3IsBitIdenticalForAnyThreadCount() {
  // Both paths split bands / pixel blocks over threads, never a reduction.
  for (channels, outputs) in [(40, 64), (16, 11)] {
    let (height, width) = (23, 37)
    let x = Tensor((0..<(channels * height * width)).map { Float(($0 * 37) % 23 - 11) / 7 }, shape: [1, channels, height, width])
    let weight = Tensor((0..<(outputs * channels * 9)).map { Float(($0 * 53) % 29 - 14) / 31 }, shape: [outputs, channels, 3, 3])
    let packed = Conv3x3Weights(weight: weight, bias: Tensor(zeros: [outputs]))
    let previous = ComputePool.shared.threadCount
    defer { ComputePool.shared.setThreadCount(previous) }
    let bits = [1, 2, 3].map { threads in
      ComputePool.shared.setThreadCount(threads)
      let y = conv3x3(x, packed, epilogue: .leaky(0.2))
      return (0..<y.count).map { y.floats[$0].bitPattern }
    }
    #expect(bits[1] == bits[0] && bits[2] == bits[0], "\(channels)→\(outputs)")
  }
}

/// The tiny RRDBNet fixture as the bare network.
enum NCNNModelFixture {
  static func rrdb() throws -> RRDBNet {
    let param = resources.appendingPathComponent("tiny-rrdb.param")
    let model = try NCNNModel(paramURL: param, binURL: resources.appendingPathComponent("tiny-rrdb.bin"))
    return try RRDBNet(model: model, file: param.path)
  }
}
