// CLIPTextEncoder and CLIPVisionEncoder against transformers 5.23 on the tiny-unclip folder
// (goldens from scripts/golden/unclip_tiny.py), plus the load-time checks.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite struct CLIPEncoderTests {
  @Test func textEncoderMatchesTransformers() throws {
    let encoder = try CLIPTextEncoder(folder: CLIPFixtures.tinyUnCLIP.appendingPathComponent("text_encoder"))
    let golden = try CLIPFixtures.golden()
    let output = try encoder(golden.tensor("text_encoder.input_ids"))
    expectCLIPClose(output.lastHiddenState, try golden.tensor("text_encoder.last_hidden_state"), tolerance: 1e-4, "last_hidden_state")
    expectCLIPClose(output.textEmbeds, try golden.tensor("text_encoder.text_embeds"), tolerance: 1e-4, "text_embeds")
  }

  @Test func visionEncoderMatchesTransformers() throws {
    let encoder = try CLIPVisionEncoder(folder: CLIPFixtures.tinyUnCLIP.appendingPathComponent("image_encoder"))
    let golden = try CLIPFixtures.golden()
    let output = try encoder(golden.tensor("vision_encoder.pixel_values"))
    expectCLIPClose(output.lastHiddenState, try golden.tensor("vision_encoder.last_hidden_state"), tolerance: 1e-4, "last_hidden_state")
    expectCLIPClose(output.imageEmbeds, try golden.tensor("vision_encoder.image_embeds"), tolerance: 1e-4, "image_embeds")
  }

  @Test func poolingPositionFollowsTransformers() {
    #expect(CLIPTextEncoder.poolingPosition([49406, 320, 49407, 49407], eosTokenID: 49407) == 2)
    #expect(CLIPTextEncoder.poolingPosition([49406, 320, 5], eosTokenID: 49407) == 0)
    #expect(CLIPTextEncoder.poolingPosition([1, 9, 3, 9], eosTokenID: 2) == 1)
  }

  @Test func badInputsAreReported() throws {
    let encoder = try CLIPTextEncoder(folder: CLIPFixtures.tinyUnCLIP.appendingPathComponent("text_encoder"))
    let tooLong = Tensor(zeros: [1, 78], dtype: .i32)
    #expect(throws: UnCLIPError.self) { try encoder(tooLong) }
    let outside = Tensor(zeros: [1, 3], dtype: .i32)
    outside.rawPointer.assumingMemoryBound(to: Int32.self)[1] = 49408
    #expect(throws: UnCLIPError.self) { try encoder(outside) }
    let vision = try CLIPVisionEncoder(folder: CLIPFixtures.tinyUnCLIP.appendingPathComponent("image_encoder"))
    #expect(throws: UnCLIPError.self) { try vision(Tensor(zeros: [1, 3, 16, 16])) }
  }

  @Test func mismatchedWeightsListEveryProblem() throws {
    // The text encoder's weights under a config with one more layer and another width: every key
    // of the extra layer is missing and every 32-wide tensor is mis-shaped, all in one error.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = try CLIPFixtures.tinyUnCLIP.appendingPathComponent("text_encoder")
    try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.safetensors"),
                                               withDestinationURL: source.appendingPathComponent("model.safetensors"))
    try Data(#"{"hidden_size": 64, "num_hidden_layers": 6, "num_attention_heads": 4, "intermediate_size": 37, "projection_dim": 32}"#.utf8)
      .write(to: folder.appendingPathComponent("config.json"))
    do {
      _ = try CLIPTextEncoder(folder: folder)
      Issue.record("a mismatched checkpoint loaded")
    } catch let UnCLIPError.invalidWeights(_, problems) {
      #expect(problems.contains { $0.contains("text_model.encoder.layers.5.mlp.fc1.weight") && $0.contains("missing") })
      #expect(problems.contains { $0.contains("text_model.final_layer_norm.weight") && $0.contains("[32]") })
      #expect(problems.count > 20)
    }
  }

  @Test func missingWeightsAndConfigAreReported() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("clip-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    #expect(throws: UnCLIPError.self) { try CLIPTextEncoder(folder: folder) }
    try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
    #expect(throws: UnCLIPError.self) { try CLIPVisionEncoder(folder: folder) }
  }
}
