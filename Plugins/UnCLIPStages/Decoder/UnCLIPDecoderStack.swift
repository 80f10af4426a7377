// The second half of diffusers 0.42 UnCLIPPipeline / UnCLIPImageVariationPipeline, which both share:
// text_proj, the decoder denoising loop with classifier-free guidance on the predicted noise (the
// learned variance taken from the text half), the clamp, the antialiased bicubic up-scaling and the
// super-resolution loop (super_res_first for every step but the last, super_res_last for it).
// B batch (×2 with guidance), K CLIP embedding size, T tokens, C channels, S, R decoder / super-res sizes.
import Foundation
import TensorCore

/// A named intermediate tensor of a pipeline run (for tests and debugging): e.g. "decoder.latents.0".
public typealias UnCLIPTrace = (String, Tensor) -> Void

/// The text_proj, decoder and super-resolution models with their schedulers.
public struct UnCLIPDecoderStack: Sendable {
  public let textProj: UnCLIPTextProjModel
  public let decoder: UNet2DConditionModel
  public let decoderScheduler: UnCLIPScheduler
  public let superResFirst: UNet2DModel
  public let superResLast: UNet2DModel
  public let superResScheduler: UnCLIPScheduler

  /// Loads the six components of `folder`, recording every problem in `problems`; nil when one of
  /// them could not be built at all (its problem is recorded).
  static func load(folder: ModelFolder, problems: inout [String]) -> UnCLIPDecoderStack? {
    let textProj = folder.loadModel("text_proj", UnCLIPTextProjModel.Config.self, problems: &problems,
                                    build: UnCLIPTextProjModel.init)
    let decoder = folder.loadModel("decoder", UNet2DConditionModel.Config.self, problems: &problems,
                                   build: UNet2DConditionModel.init)
    let superResFirst = folder.loadModel("super_res_first", UNet2DModel.Config.self, problems: &problems, build: UNet2DModel.init)
    let superResLast = folder.loadModel("super_res_last", UNet2DModel.Config.self, problems: &problems, build: UNet2DModel.init)
    let decoderScheduler = folder.loadScheduler("decoder_scheduler", problems: &problems)
    let superResScheduler = folder.loadScheduler("super_res_scheduler", problems: &problems)
    guard let textProj, let decoder, let superResFirst, let superResLast else { return nil }
    return UnCLIPDecoderStack(textProj: textProj, decoder: decoder, decoderScheduler: decoderScheduler,
                              superResFirst: superResFirst, superResLast: superResLast, superResScheduler: superResScheduler)
  }

  /// Decodes CLIP `imageEmbeddings` [b, K] with the text conditioning (`promptEmbeds` [B, K],
  /// `textHiddenStates` [B, T, K], `textMask` [B, T] of 1/0; B = 2b with guidance, unconditional
  /// first) into images [b, R, R, 3] in 0…1, drawing every latent and noise from `generator` in
  /// diffusers' order.
  func decode(imageEmbeddings: Tensor, promptEmbeds: Tensor, textHiddenStates: Tensor, textMask: Tensor,
              guidance: Float?, decoderSteps: Int, superResSteps: Int, generator: inout TorchGenerator,
              trace: UnCLIPTrace?) throws -> Tensor {
    guard decoderSteps >= 2 else { throw UnCLIPError.invalidSteps(stage: "decoder", steps: decoderSteps) }
    guard superResSteps >= 2 else { throw UnCLIPError.invalidSteps(stage: "super-resolution", steps: superResSteps) }
    let guided = guidance != nil
    let batch = imageEmbeddings.shape[0]
    let (hiddenStates, timeEmbeddings) = textProj(imageEmbeddings: imageEmbeddings, promptEmbeds: promptEmbeds,
                                                  textEncoderHiddenStates: textHiddenStates, classifierFreeGuidance: guided)
    trace?("text_proj.hidden_states", hiddenStates)
    trace?("text_proj.time_embeddings", timeEmbeddings)
    let extra = Tensor(repeating: 1, shape: [textMask.shape[0], textProj.config.clipExtraContextTokens])
    let decoderMask = concat([extra, textMask.toFloat32()], axis: 1)  // [B,T] -> [B,Q+T]

    let channels = decoder.config.inChannels
    let size = decoder.config.sampleSize ?? 64
    var latents = generator.randn([batch, channels, size, size])  // init_noise_sigma = 1
    trace?("decoder.initial_latents", latents)
    let decoderTimesteps = decoderScheduler.timesteps(steps: decoderSteps)
    for (index, t) in decoderTimesteps.enumerated() {
      let input = guided ? concat([latents, latents], axis: 0) : latents  // [b,C,S,S] -> [B,C,S,S]
      var prediction = decoder(sample: input, timestep: t, encoderHiddenStates: hiddenStates, classLabels: timeEmbeddings,
                               attentionMask: decoderMask)  // [B,2C,S,S]
      if let guidance {
        let halves = chunk(prediction, 2, axis: 0)
        let unconditional = split(halves[0], sizes: [channels, prediction.shape[1] - channels], axis: 1)[0]
        let text = split(halves[1], sizes: [channels, prediction.shape[1] - channels], axis: 1)
        let epsilon = add(unconditional, mul(sub(text[0], unconditional), guidance))
        prediction = concat([epsilon, text[1]], axis: 1)  // -> [b,2C,S,S]
      }
      trace?("decoder.model_output.\(index)", prediction)
      let previous = index + 1 < decoderTimesteps.count ? decoderTimesteps[index + 1] : nil
      // diffusers draws the variance noise with the shape of the split-off ε, i.e. of the latents.
      let noise = decoderScheduler.needsNoise(timestep: t) ? generator.randn(latents.shape) : nil
      if let noise { trace?("decoder.noise.\(index)", noise) }
      latents = decoderScheduler.step(modelOutput: prediction, timestep: t, sample: latents, previous: previous, noise: noise)
      trace?("decoder.latents.\(index)", latents)
    }
    let small = clamp(latents, min: -1, max: 1)

    let superChannels = superResFirst.config.inChannels / 2
    let superSize = superResFirst.config.sampleSize ?? 256
    var superLatents = generator.randn([batch, superChannels, superSize, superSize])
    trace?("super_res.initial_latents", superLatents)
    let upscaled = resizeBicubic(small, height: superSize, width: superSize, antialias: true)  // [b,C,S,S] -> [b,C,R,R]
    trace?("super_res.upscaled", upscaled)
    let superTimesteps = superResScheduler.timesteps(steps: superResSteps)
    for (index, t) in superTimesteps.enumerated() {
      let unet = index == superTimesteps.count - 1 ? superResLast : superResFirst
      let prediction = unet(sample: concat([superLatents, upscaled], axis: 1), timestep: t)  // [b,2C,R,R] -> [b,C,R,R]
      trace?("super_res.model_output.\(index)", prediction)
      let previous = index + 1 < superTimesteps.count ? superTimesteps[index + 1] : nil
      let noise = superResScheduler.needsNoise(timestep: t) ? generator.randn(superLatents.shape) : nil
      if let noise { trace?("super_res.noise.\(index)", noise) }
      superLatents = superResScheduler.step(modelOutput: prediction, timestep: t, sample: superLatents, previous: previous,
                                            noise: noise)
      trace?("super_res.latents.\(index)", superLatents)
    }
    let image = clamp(add(mul(superLatents, 0.5), 0.5), min: 0, max: 1)
    return permute(image, [0, 2, 3, 1])  // [b,C,R,R] -> [b,R,R,C]
  }
}
