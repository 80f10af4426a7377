// The four CLIP stages run through the SDK's harness (the same C descriptor path the host uses).
import EaselPluginSDK
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite struct CLIPStagesTests {
  var model: String { get throws { try CLIPFixtures.tinyUnCLIP.path } }

  @Test func tokenizerStageMatchesTheGolden() throws {
    let harness = try StageHarness(CLIPTokenizerStage.self, parameters: ["model": model])
    let outputs = try harness.run(["text": .text("horse")])
    let golden = try CLIPFixtures.golden()
    #expect(outputs["tokens"]?.kind == .tokens)
    #expect(outputs["tokens"]?.tensor?.scalars == (try golden.tensor("tokenizer.horse.input_ids")).scalars)
    #expect(outputs["attention_mask"]?.tensor?.scalars == (try golden.tensor("tokenizer.horse.attention_mask")).scalars)
    #expect(harness.recordedFiles.contains { $0.hasSuffix("vocab.json") })
  }

  @Test func tokenizerStageTakesAMergesFile() throws {
    let merges = try CLIPFixtures.url("tiny-unclip/tokenizer/merges.txt").path
    let harness = try StageHarness(CLIPTokenizerStage.self, parameters: ["model": merges])
    let outputs = try harness.run(["text": .text("A Photo of an astronaut riding a horse, on Mars!  3 dogs' toys")])
    let golden = try CLIPFixtures.golden()
    #expect(outputs["tokens"]?.tensor?.scalars == (try golden.tensor("tokenizer.sentence.input_ids")).scalars)
    #expect(harness.recordedFiles == [merges])
  }

  @Test func textEncoderStageMatchesTheGolden() throws {
    let harness = try StageHarness(CLIPTextEncoderStage.self, parameters: ["model": model])
    let golden = try CLIPFixtures.golden()
    let outputs = try harness.run(["tokens": .tokens(try golden.tensor("text_encoder.input_ids"))])
    let embeds = try #require(outputs["text_embeds"]?.tensor)
    expectCLIPClose(embeds, try golden.tensor("text_encoder.text_embeds"), tolerance: 1e-4, "text_embeds")
    #expect(outputs["last_hidden_state"]?.tensor?.shape == [2, 77, 32])
    #expect(harness.recordedFiles.contains { $0.hasSuffix("model.safetensors") })
  }

  @Test func imageEncoderStageMatchesTheReranker() throws {
    let extra = try SafeTensorsFile(path: CLIPFixtures.url("golden/clip_extra.safetensors").path)
    let images = try extra.tensor("rerank.images")
    let floats = Tensor(images.scalars.map { $0 / 255 }, shape: images.shape)
    let harness = try StageHarness(CLIPImageEncoderStage.self, parameters: ["model": model])
    let outputs = try harness.run(["image": .image(floats)])
    expectCLIPClose(try #require(outputs["image_embeds"]?.tensor), try extra.tensor("rerank.image_embeds"), tolerance: 1e-4,
                "image_embeds")
  }

  @Test func rerankStageKeepsTheBestAndRecordsScores() throws {
    let extra = try SafeTensorsFile(path: CLIPFixtures.url("golden/clip_extra.safetensors").path)
    let images = try extra.tensor("rerank.images")
    let floats = Tensor(images.scalars.map { $0 / 255 }, shape: images.shape)
    let expected = try extra.tensor("rerank.scores").scalars
    let best = expected.indices.max { expected[$0] < expected[$1] || (expected[$0] == expected[$1] && $0 > $1) }!
    let harness = try StageHarness(CLIPRerankStage.self, parameters: ["model": model, "keep": "2"])
    let outputs = try harness.run(["images": .image(floats), "prompt": .text("horse")])
    let kept = try #require(outputs["images"]?.tensor)
    #expect(kept.shape == [2, 40, 48, 3])
    #expect(Array(kept.scalars[0..<(40 * 48 * 3)]) == Array(floats.slice(outer: best..<(best + 1)).scalars))
    let scores = try #require(outputs["scores"]?.tensor)
    #expect(Swift.abs(scores.scalars[0] - expected[best]) < 1e-4)
    let recorded = outputs["images"]?.metadata["clip_scores"]
    #expect(recorded == .array(scores.scalars.map { .number(Double($0)) }))
    #expect(outputs["images"]?.metadata["clip_indices"]?.jsonText.contains("\(best)") == true)
  }

  @Test func aMissingModelFolderIsReported() {
    #expect(throws: (any Error).self) {
      _ = try StageHarness(CLIPTextEncoderStage.self, parameters: ["model": "/nonexistent/clip-model"])
    }
  }
}
