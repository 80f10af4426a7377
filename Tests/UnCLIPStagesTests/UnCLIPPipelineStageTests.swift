// The unclip.* stages run through the C descriptor with no host (StageHarness) on the tiny folder.
import EaselPluginSDK
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite("unCLIP diffusion stages")
struct UnCLIPPipelineStageTests {
  func parameters(_ extra: [String: String] = [:]) throws -> [String: String] {
    ["model": try UnCLIPGolden.tinyFolder.path, "decoder_steps": "2", "super_res_steps": "2", "seed": "0"]
      .merging(extra) { $1 }
  }

  @Test func textToImageStageReproducesDiffusers() throws {
    let harness = try StageHarness(UnCLIPTextToImageStage.self, parameters: try parameters(["prior_steps": "2"]))
    let outputs = try harness.run(["prompt": .text("horse")])
    let image = try #require(outputs["image"]?.tensor)
    let expected = try UnCLIPGolden.file("unclip_text_to_image").float("image")
    #expect(image.shape == [1, 64, 64, 3])
    // Same conditioning caveat as the library test: a few pixels may differ by up to ~1e-2.
    let differences = zip(image.scalars, expected.scalars).map { Swift.abs($0 - $1) }
    #expect(differences.filter { $0 > 1e-3 }.count <= 12 && (differences.max() ?? 1) < 0.05)
    #expect(harness.progressEvents.count == 6)
    #expect(harness.recordedFiles.contains { $0.hasSuffix("decoder/diffusion_pytorch_model.safetensors") })
  }

  @Test func variationsStageReproducesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_variations")
    let pixels = try golden.tensor("input_pixels")  // [32,32,3] u8
    let input = Tensor((0..<pixels.count).map { pixels.floatValue(at: $0) / 255 }, shape: [1] + pixels.shape)
    let harness = try StageHarness(UnCLIPVariationsStage.self, parameters: try parameters())
    let image = try #require(try harness.run(["image": .image(input)])["image"]?.tensor)
    expectNear(image, try golden.float("image"), tolerance: 1e-3, "unclip.variations")
  }

  @Test func decodeEmbeddingsStageInterpolates() throws {
    let harness = try StageHarness(UnCLIPDecodeEmbeddingsStage.self, parameters: try parameters(["interpolation": "0"]))
    let embeddings = try UnCLIPGolden.file("unclip_variations").float("image_encoder.out.image_embeds.0")
    let alone = try #require(try harness.run(["image_embeds": .tensor(embeddings)])["image"]?.tensor)
    let withB = try #require(try harness.run(["image_embeds": .tensor(embeddings),
                                               "image_embeds_b": .tensor(mul(embeddings, -0.5))])["image"]?.tensor)
    expectNear(withB, alone, tolerance: 1e-6, "slerp at 0 keeps image_embeds")
    let golden = try UnCLIPGolden.file("unclip_variations").float("image")
    expectNear(alone, golden, tolerance: 1e-3, "decoded embeddings vs diffusers' variation")
    #expect(throws: (any Error).self) {
      try harness.run(["image_embeds": .tensor(embeddings), "image_embeds_b": .tensor(Tensor(zeros: [2, 32]))])
    }
  }

  @Test func missingModelFolderFailsAtCreate() throws {
    #expect(throws: (any Error).self) {
      try StageHarness(UnCLIPTextToImageStage.self, parameters: ["model": "/nonexistent/emoji-unclip"])
    }
  }

  @Test func pluginListsEveryStage() {
    let names = UnCLIPStagesPlugin.stages.map { $0.name }
    #expect(names.contains("unclip.text_to_image") && names.contains("unclip.variations")
            && names.contains("unclip.decode_embeddings") && names.contains("clip.text_encoder"))
    #expect(UnCLIPStagesPlugin.descriptor.pointee.stage_count == Int32(names.count))
  }
}
