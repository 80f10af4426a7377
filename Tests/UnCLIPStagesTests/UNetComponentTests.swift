// Each diffusion component of the tiny unCLIP folder against diffusers' outputs at fixed inputs
// (golden/unclip_components.safetensors, written by scripts/golden/unclip_tiny.py).
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite("unCLIP diffusion components")
struct UNetComponentTests {
  @Test func priorTransformerMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let prior = try loadComponent("prior", config: PriorTransformer.Config.self) { PriorTransformer(config: $0, reader: $1) }
    let output = prior(hiddenStates: try golden.float("prior.hidden_states"), timestep: try golden.ints("prior.timestep")[0],
                       projEmbedding: try golden.float("prior.proj_embedding"),
                       encoderHiddenStates: try golden.float("prior.encoder_hidden_states"),
                       attentionMask: try golden.float("prior.attention_mask"))
    expectNear(output, try golden.float("prior.predicted_image_embedding"), tolerance: 1e-4, "prior")
    expectNear(prior.postProcessLatents(output), try golden.float("prior.post_processed"), tolerance: 1e-4, "prior post-process")
  }

  @Test func priorRunsOnlyUnpaddedPositions() {
    let mask = Tensor([1, 1, 0, 1, 0, 0], shape: [2, 3])
    let sequences = PriorSequences(mask: mask, batch: 2, length: 5, additional: 2)  // 3 text tokens + 2 additional
    #expect(sequences.positions == [[0, 1, 3, 4], [0, 3, 4]])
    #expect(sequences.rows == [0..<4, 4..<7])
    // Causal −10000 above the diagonal, nothing else for 1/0 masks.
    #expect(sequences.biases[1]?.scalars == [0, -10000, -10000, 0, 0, -10000, 0, 0, 0])
    let unmasked = PriorSequences(mask: nil, batch: 2, length: 5, additional: 2)
    #expect(unmasked.rows == [0..<5, 5..<10] && unmasked.biases.allSatisfy { $0 == nil })
  }

  @Test func priorPredictionIgnoresPaddedTextStates() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let prior = try loadComponent("prior", config: PriorTransformer.Config.self) { PriorTransformer(config: $0, reader: $1) }
    let mask = try golden.float("prior.attention_mask")  // [2, 77]: 3 and 9 tokens
    let states = try golden.float("prior.encoder_hidden_states")
    let changed = states.scalars.enumerated().map { index, value in
      mask.scalars[index / states.shape[2]] == 0 ? value + 7 : value
    }
    func predict(_ text: Tensor) throws -> Tensor {
      prior(hiddenStates: try golden.float("prior.hidden_states"), timestep: try golden.ints("prior.timestep")[0],
            projEmbedding: try golden.float("prior.proj_embedding"), encoderHiddenStates: text, attentionMask: mask)
    }
    #expect(try predict(Tensor(changed, shape: states.shape)).scalars == predict(states).scalars)
  }

  @Test func textProjMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let model = try loadComponent("text_proj", config: UnCLIPTextProjModel.Config.self) { UnCLIPTextProjModel(config: $0, reader: $1) }
    let (hidden, time) = model(imageEmbeddings: try golden.float("text_proj.image_embeddings"),
                               promptEmbeds: try golden.float("text_proj.prompt_embeds"),
                               textEncoderHiddenStates: try golden.float("text_proj.text_encoder_hidden_states"),
                               classifierFreeGuidance: true)
    expectNear(hidden, try golden.float("text_proj.encoder_hidden_states"), tolerance: 1e-4, "text_proj hidden states")
    expectNear(time, try golden.float("text_proj.additive_clip_time_embeddings"), tolerance: 1e-4, "text_proj time embeddings")
  }

  @Test func decoderUNetMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let decoder = try loadComponent("decoder", config: UNet2DConditionModel.Config.self) { UNet2DConditionModel(config: $0, reader: $1) }
    let output = decoder(sample: try golden.float("decoder.sample"), timestep: try golden.ints("decoder.timestep")[0],
                         encoderHiddenStates: try golden.float("decoder.encoder_hidden_states"),
                         classLabels: try golden.float("decoder.class_labels"),
                         attentionMask: try golden.float("decoder.attention_mask"))
    expectNear(output, try golden.float("decoder.output"), tolerance: 1e-4, "decoder UNet")
  }

  @Test func superResUNetMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let unet = try loadComponent("super_res_first", config: UNet2DModel.Config.self) { UNet2DModel(config: $0, reader: $1) }
    let output = unet(sample: try golden.float("super_res.sample"), timestep: try golden.ints("super_res.timestep")[0])
    expectNear(output, try golden.float("super_res.output"), tolerance: 1e-4, "super-res UNet")
  }

  @Test func antialiasedBicubicMatchesTorch() throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let output = resizeBicubic(try golden.float("bicubic.input"), height: 64, width: 64, antialias: true)
    expectNear(output, try golden.float("bicubic.output"), tolerance: 1e-5, "bicubic antialias ×2")
  }
}
