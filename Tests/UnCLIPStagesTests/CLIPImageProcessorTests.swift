// CLIPImageProcessor and Pillow resampling against transformers 5.23 / Pillow 13 (goldens from
// scripts/golden/unclip_tiny.py and scripts/golden/clip_models.py).
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite struct CLIPImageProcessorTests {
  static func extra() throws -> SafeTensorsFile {
    try SafeTensorsFile(path: CLIPFixtures.url("golden/clip_extra.safetensors").path)
  }

  static func bytes(_ tensor: Tensor) -> [UInt8] {
    Array(UnsafeBufferPointer(start: tensor.rawPointer.assumingMemoryBound(to: UInt8.self), count: tensor.count))
  }

  func processor() throws -> CLIPImageProcessor {
    try CLIPImageProcessor(folder: CLIPFixtures.tinyUnCLIP.appendingPathComponent("feature_extractor"))
  }

  @Test func pillowResamplingIsBitExact() throws {
    let golden = try Self.extra()
    let input = Self.bytes(try golden.tensor("resample.input"))
    var checked = 0
    for filter in [("bicubic", PILFilter.bicubic), ("bilinear", .bilinear), ("lanczos", .lanczos), ("box", .box),
                   ("hamming", .hamming)] {
      for (h, w) in [(40, 31), (9, 11), (17, 50), (5, 23), (3, 2)] {
        let expected = Self.bytes(try golden.tensor("resample.\(filter.0).\(h)x\(w)"))
        let actual = PILResample.resize(input, height: 17, width: 23, channels: 3, toHeight: h, toWidth: w, filter: filter.1)
        let differing = zip(actual, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(filter.0) 17x23 -> \(h)x\(w): \(differing) of \(expected.count) bytes differ")
        checked += 1
      }
    }
    #expect(checked == 25)
  }

  @Test(arguments: ["square", "odd"])
  func goldenImagesMatchTransformers(name: String) throws {
    let golden = try CLIPFixtures.golden()
    let pixels = try golden.tensor("image_processor.\(name).pixels")
    let result = try processor().preprocess(pixels: Self.bytes(pixels), height: pixels.shape[0], width: pixels.shape[1],
                                            channels: pixels.shape[2])
    expectCLIPClose(result.reshaped([1] + result.shape), try golden.tensor("image_processor.\(name).pixel_values"),
                tolerance: 1e-6, name)
  }

  @Test(arguments: ["grey", "rgba"])
  func otherChannelCountsMatchTransformers(name: String) throws {
    let golden = try Self.extra()
    let pixels = try golden.tensor("processor.\(name).pixels")
    let result = try processor().preprocess(pixels: Self.bytes(pixels), height: pixels.shape[0], width: pixels.shape[1],
                                            channels: pixels.shape[2])
    expectCLIPClose(result.reshaped([1] + result.shape), try golden.tensor("processor.\(name).pixel_values"), tolerance: 1e-6, name)
  }

  @Test func smallerThanTheCropIsZeroPadded() throws {
    let golden = try Self.extra()
    var config = try processor().config
    config.doResize = false
    let pixels = try golden.tensor("processor.small.pixels")
    let result = try CLIPImageProcessor(config: config).preprocess(pixels: Self.bytes(pixels), height: 12, width: 20, channels: 3)
    expectCLIPClose(result.reshaped([1] + result.shape), try golden.tensor("processor.small.pixel_values"), tolerance: 1e-6, "small")
  }

  @Test func floatImagesQuantiseToTheSameBytes() throws {
    let golden = try CLIPFixtures.golden()
    let pixels = try golden.tensor("image_processor.odd.pixels")
    let floats = Tensor(pixels.scalars.map { $0 / 255 }, shape: [1] + pixels.shape)
    let result = try processor().preprocess(images: floats)
    expectCLIPClose(result, try golden.tensor("image_processor.odd.pixel_values"), tolerance: 1e-6, "odd from floats")
  }

  @Test func resizeSizesFollowTransformers() throws {
    let processor = try CLIPImageProcessor()
    #expect(processor.resizedSize(height: 480, width: 640) == (224, 298))
    #expect(processor.resizedSize(height: 1000, width: 333) == (672, 224))
    #expect(processor.resizedSize(height: 224, width: 224) == (224, 224))
  }

  @Test func badImagesAreReported() throws {
    let processor = try processor()
    #expect(throws: UnCLIPError.self) { try processor.preprocess(pixels: [1, 2, 3], height: 1, width: 2, channels: 3) }
    #expect(throws: UnCLIPError.self) { try processor.preprocess(images: Tensor(zeros: [1, 4, 4, 5])) }
    var config = CLIPImageProcessorConfig()
    config.imageStd = [1, 0, 1]
    #expect(throws: UnCLIPError.self) { try CLIPImageProcessor(config: config) }
  }
}
