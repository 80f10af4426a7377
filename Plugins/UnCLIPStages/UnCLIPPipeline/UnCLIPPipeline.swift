// Ports diffusers 0.42 UnCLIPPipeline (pipelines/deprecated/unclip/pipeline_unclip.py): CLIP text
// encoding with classifier-free guidance (the empty prompt as the unconditional half), the prior
// loop, text_proj, decoder and super-resolution (UnCLIPDecoderStack), every random draw from one
// torch-compatible generator in diffusers' order.
// B batch (×2 with guidance), K CLIP embedding size, T tokens (77), R output size.
import Foundation
import TensorCore

/// Step counts and guidance of a text-to-image run (diffusers' defaults, Karlo's settings).
public struct UnCLIPOptions: Sendable, Equatable {
  public var priorSteps = 25
  public var decoderSteps = 25
  public var superResSteps = 7
  public var priorGuidance: Float = 4
  public var decoderGuidance: Float = 8
  /// Images per prompt (diffusers' `num_images_per_prompt`).
  public var imagesPerPrompt = 1

  public init(priorSteps: Int = 25, decoderSteps: Int = 25, superResSteps: Int = 7, priorGuidance: Float = 4,
              decoderGuidance: Float = 8, imagesPerPrompt: Int = 1) {
    self.priorSteps = priorSteps
    self.decoderSteps = decoderSteps
    self.superResSteps = superResSteps
    self.priorGuidance = priorGuidance
    self.decoderGuidance = decoderGuidance
    self.imagesPerPrompt = imagesPerPrompt
  }
}

/// Text-to-image with a diffusers unCLIP (Karlo) model folder.
public struct UnCLIPPipeline: Sendable {
  public let tokenizer: CLIPTokenizer
  public let textEncoder: CLIPTextEncoder
  public let prior: PriorTransformer
  public let priorScheduler: UnCLIPScheduler
  public let stack: UnCLIPDecoderStack

  /// Loads and checks every component of `folder` (tokenizer, text_encoder, prior, text_proj, decoder,
  /// super_res_first, super_res_last and the three schedulers).
  /// - Throws: ``UnCLIPError/invalidModel(folder:problems:)`` listing every problem of every component.
  public init(folder: ModelFolder) throws {
    var problems: [String] = []
    let (tokenizer, textEncoder) = Self.loadText(folder: folder, problems: &problems)
    let prior = folder.loadModel("prior", PriorTransformer.Config.self, problems: &problems, build: PriorTransformer.init)
    let priorScheduler = folder.loadScheduler("prior_scheduler", problems: &problems)
    let stack = UnCLIPDecoderStack.load(folder: folder, problems: &problems)
    guard problems.isEmpty, let tokenizer, let textEncoder, let prior, let stack else {
      throw UnCLIPError.invalidModel(folder: folder.url.path, problems: problems)
    }
    self.tokenizer = tokenizer
    self.textEncoder = textEncoder
    self.prior = prior
    self.priorScheduler = priorScheduler
    self.stack = stack
  }

  /// The CLIP tokenizer and text encoder of `folder`, their errors recorded as problems.
  static func loadText(folder: ModelFolder, problems: inout [String]) -> (CLIPTokenizer?, CLIPTextEncoder?) {
    var tokenizer: CLIPTokenizer?
    var encoder: CLIPTextEncoder?
    for component in ["tokenizer", "text_encoder"] where !folder.has(component) {
      problems.append("\(component): component folder is missing")
    }
    if folder.has("tokenizer") {
      do { tokenizer = try CLIPTokenizer(folder: folder.componentURL("tokenizer")) } catch { problems.append("tokenizer: \(error)") }
    }
    if folder.has("text_encoder") {
      do { encoder = try CLIPTextEncoder(folder: folder.componentURL("text_encoder")) } catch { problems.append("text_encoder: \(error)") }
    }
    return (tokenizer, encoder)
  }

  /// Text embeddings [N, K], hidden states [N, T, K] and attention mask [N, T] of `texts`.
  static func encode(_ texts: [String], tokenizer: CLIPTokenizer, encoder: CLIPTextEncoder) throws -> (Tensor, Tensor, Tensor) {
    let output = try encoder(tokenizer.tokenize(texts))  // [N] -> [N,T]
    return (output.textEmbeds, output.lastHiddenState, tokenizer.attentionMask(texts).toFloat32())
  }

  /// Generates images [imagesPerPrompt, R, R, 3] in 0…1 for `prompt`.
  public func callAsFunction(prompt: String, options: UnCLIPOptions = UnCLIPOptions(), generator: inout TorchGenerator,
                             trace: UnCLIPTrace? = nil) throws -> Tensor {
    let (embeds, hidden, mask) = try Self.encode([prompt], tokenizer: tokenizer, encoder: textEncoder)
    return try generate(textEmbeds: embeds, textHiddenStates: hidden, textMask: mask, options: options,
                        generator: &generator, trace: trace)
  }

  /// Generates from text-encoder outputs given directly (diffusers' `text_model_output` and
  /// `text_attention_mask`, e.g. interpolated between two prompts): `textEmbeds` [n, K],
  /// `textHiddenStates` [n, T, K], `textMask` [n, T] → [n · imagesPerPrompt, R, R, 3].
  public func generate(textEmbeds: Tensor, textHiddenStates: Tensor, textMask: Tensor, options: UnCLIPOptions,
                       generator: inout TorchGenerator, trace: UnCLIPTrace? = nil) throws -> Tensor {
    guard options.priorSteps >= 2 else { throw UnCLIPError.invalidSteps(stage: "prior", steps: options.priorSteps) }
    guard options.imagesPerPrompt >= 1 else { throw UnCLIPError.invalidInput("images per prompt must be at least 1") }
    guard textEmbeds.rank == 2, textHiddenStates.rank == 3, textMask.rank == 2,
          textEmbeds.shape[0] == textHiddenStates.shape[0], textMask.shape[0] == textEmbeds.shape[0],
          textMask.shape[1] == textHiddenStates.shape[1], textEmbeds.shape[1] == prior.config.embeddingDim else {
      throw UnCLIPError.invalidInput("text embeddings \(textEmbeds.shape), hidden states \(textHiddenStates.shape) and mask "
        + "\(textMask.shape) do not fit a prior of embedding size \(prior.config.embeddingDim)")
    }
    let copies = options.imagesPerPrompt
    let guided = options.priorGuidance > 1 || options.decoderGuidance > 1
    var promptEmbeds = repeatInterleaveBatch(textEmbeds, copies)  // [n,K] -> [b,K]
    var hidden = repeatInterleaveBatch(textHiddenStates, copies)
    var mask = repeatInterleaveBatch(textMask.toFloat32(), copies)
    let batch = promptEmbeds.shape[0]
    if guided {
      let (emptyEmbeds, emptyHidden, emptyMask) = try Self.encode([""], tokenizer: tokenizer, encoder: textEncoder)
      promptEmbeds = concat([repeatBatch(emptyEmbeds, batch), promptEmbeds], axis: 0)  // -> [B,K]
      hidden = concat([repeatBatch(emptyHidden, batch), hidden], axis: 0)
      mask = concat([repeatBatch(emptyMask, batch), mask], axis: 0)
    }
    trace?("text.prompt_embeds", promptEmbeds)
    trace?("text.hidden_states", hidden)

    var latents = generator.randn([batch, prior.config.embeddingDim])  // init_noise_sigma = 1
    trace?("prior.initial_latents", latents)
    let timesteps = priorScheduler.timesteps(steps: options.priorSteps)
    for (index, t) in timesteps.enumerated() {
      let input = guided ? concat([latents, latents], axis: 0) : latents  // [b,K] -> [B,K]
      var predicted = prior(hiddenStates: input, timestep: t, projEmbedding: promptEmbeds, encoderHiddenStates: hidden,
                            attentionMask: mask)
      if guided {
        let halves = chunk(predicted, 2, axis: 0)
        predicted = add(halves[0], mul(sub(halves[1], halves[0]), options.priorGuidance))  // -> [b,K]
      }
      trace?("prior.model_output.\(index)", predicted)
      let previous = index + 1 < timesteps.count ? timesteps[index + 1] : nil
      let noise = priorScheduler.needsNoise(timestep: t) ? generator.randn(predicted.shape) : nil
      if let noise { trace?("prior.noise.\(index)", noise) }
      latents = priorScheduler.step(modelOutput: predicted, timestep: t, sample: latents, previous: previous, noise: noise)
      trace?("prior.latents.\(index)", latents)
    }
    let imageEmbeddings = prior.postProcessLatents(latents)
    trace?("prior.image_embeddings", imageEmbeddings)
    return try stack.decode(imageEmbeddings: imageEmbeddings, promptEmbeds: promptEmbeds, textHiddenStates: hidden,
                            textMask: mask, guidance: guided ? options.decoderGuidance : nil,
                            decoderSteps: options.decoderSteps, superResSteps: options.superResSteps,
                            generator: &generator, trace: trace)
  }
}
