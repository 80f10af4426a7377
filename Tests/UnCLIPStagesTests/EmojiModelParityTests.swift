// The embedded default model (assets/models/emoji-unclip) run by Easel equals diffusers' pipelines on
// it: "red apple" text-to-image and a variation of that image, the default pipelines' steps (25/25/7)
// and guidance (prior 4, decoder 2), seed 0;
// golden images from scripts/golden/emoji_unclip_parity.py.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite("Embedded emoji model matches diffusers", .serialized)
struct EmojiModelParityTests {
  static let modelPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../assets/models/emoji-unclip").standardizedFileURL.path

  /// Max-abs error and the number of elements beyond 1e-3 (diffusers' last super-resolution step
  /// jumps from t = 999 to 0 and amplifies float32 rounding ~20,000× in unclamped pixels; see
  /// UnCLIPPipelineTests.illConditioned): 99.9 % of the elements must be within 1e-3, all within 0.05.
  func expectParity(_ actual: Tensor, _ expected: Tensor, _ label: String) {
    #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)")
    guard actual.shape == expected.shape else { return }
    let (a, e) = (actual.scalars, expected.scalars)
    let errors = zip(a, e).map { Swift.abs($0 - $1) }
    let worst = errors.max() ?? 0
    let outside = errors.filter { !($0 <= 1e-3) }.count
    print("\(label): max-abs \(worst), \(outside) of \(a.count) elements beyond 1e-3")
    #expect(worst <= 0.05 && Double(outside) <= 0.001 * Double(a.count), "\(label): max-abs \(worst), \(outside) beyond 1e-3")
  }

  /// pipelines/text-to-image.yaml's and image-variations.yaml's settings for this model.
  static let options = UnCLIPOptions(decoderGuidance: 2)

  @Test func textToImageAndVariationMatchDiffusers() throws {
    let golden = try UnCLIPGolden.file("emoji_unclip_parity")
    let folder = try ModelFolder(path: Self.modelPath)
    var generator = TorchGenerator(seed: 0)
    let image = try UnCLIPPipeline(folder: folder)(prompt: "red apple", options: Self.options, generator: &generator)
    expectParity(image, try golden.tensor("text_to_image").toFloat32(), "text-to-image")

    let variations = try UnCLIPImageVariationPipeline(folder: folder)
    let pixels = try golden.tensor("input_pixels")  // [64,64,3] u8
    let bytes = (0..<pixels.count).map { UInt8(pixels.floatValue(at: $0)) }
    let values = try variations.imageProcessor.preprocess(pixels: bytes, height: pixels.shape[0], width: pixels.shape[1], channels: 3)
    let embeddings = try variations.imageEmbeddings(pixelValues: values.reshaped([1] + values.shape))  // [3,S,S] -> [1,3,S,S]
    var second = TorchGenerator(seed: 0)
    let varied = try variations.generate(imageEmbeddings: embeddings, options: Self.options, generator: &second)
    expectParity(varied, try golden.tensor("variations").toFloat32(), "variations")
  }
}
