// The diffusion half of the unCLIP plugin as pipeline stages: unclip.text_to_image (prompt → images),
// unclip.variations (images → variations) and unclip.decode_embeddings (CLIP image embeddings, or a
// slerp between two, → images). Each runs the whole prior/decoder/super-res chain in one stage so
// that one seeded generator feeds every draw in diffusers' order (same seed, same image as diffusers);
// the models load once, in init. N images, R output size, K CLIP embedding size.
import EaselPluginSDK
import Foundation
import TensorCore

/// Parameters every unCLIP stage shares.
enum UnCLIPStageParameters {
  static let defaultModel = "assets/models/emoji-unclip"

  static let model = ParamSpec.path("model", default: defaultModel,
                                    description: "diffusers unCLIP folder (Karlo layout, f32 or f16 safetensors)")
  static let variant = ParamSpec.choice("variant", ["auto", "fp16"], default: "auto",
                                        description: "weight files to prefer: auto = *.safetensors, fp16 = *.fp16.safetensors")
  static let seed = ParamSpec.int("seed", default: 0, range: 0...2_147_483_647,
                                  description: "torch.Generator seed: the same seed gives diffusers' image")
  static let decoderSteps = ParamSpec.int("decoder_steps", default: 25, range: 2...1000, description: "decoder denoising steps")
  static let superResSteps = ParamSpec.int("super_res_steps", default: 7, range: 2...1000,
                                           description: "super-resolution denoising steps")
  static let decoderGuidance = ParamSpec.float("decoder_guidance", default: 8, range: 0...100,
                                               description: "decoder classifier-free guidance (off at ≤ 1)")
  static let images = ParamSpec.int("images", default: 1, range: 1...64, description: "images per prompt or input")
  static let seedPort = PortSpec("seed", .tensor, dtype: .i32, shape: "[1]",
                                 description: "seed; the 'seed' parameter when unconnected", optional: true)

  /// The seed input when connected, else the parameter.
  static func seed(_ inputs: StageInputs, parameter: Int) -> UInt64 {
    guard let tensor = inputs["seed"]?.tensor, tensor.dtype == .i32, tensor.count >= 1 else { return UInt64(parameter) }
    return UInt64(UInt32(bitPattern: tensor.int32s[0]))
  }

  /// Opens the folder `model` with the `variant` preference, recording its files for provenance.
  static func folder(_ parameters: StageParameters, context: StageContext) throws -> ModelFolder {
    let variant = try parameters.string("variant")
    let folder = try ModelFolder(path: try parameters.string("model"), variant: variant == "fp16" ? "fp16" : nil)
    if let files = FileManager.default.enumerator(atPath: folder.url.path) {
      for case let relative as String in files where relative.hasSuffix(".json") || relative.hasSuffix(".safetensors")
        || relative.hasSuffix(".txt") {
        context.recordFile(folder.url.appendingPathComponent(relative).path)
      }
    }
    return folder
  }

  /// The decoder and super-resolution options of the stages that start from images or embeddings.
  static func imageOptions(_ parameters: StageParameters) throws -> UnCLIPOptions {
    UnCLIPOptions(decoderSteps: try parameters.int("decoder_steps"), superResSteps: try parameters.int("super_res_steps"),
                  decoderGuidance: Float(try parameters.float("decoder_guidance")),
                  imagesPerPrompt: try parameters.int("images"))
  }

  /// A trace that reports each finished denoising step as progress.
  static func progress(_ context: StageContext, total: Int) -> UnCLIPTrace {
    let counter = StepCounter()
    return { name, _ in
      guard name.contains(".latents.") else { return }
      counter.steps += 1
      context.progress(step: counter.steps, total: total, message: String(name.prefix { $0 != "." }))
    }
  }
}

/// A step count shared by a progress closure.
final class StepCounter: @unchecked Sendable { var steps = 0 }

/// `unclip.text_to_image`: a prompt → images (diffusers UnCLIPPipeline).
public struct UnCLIPTextToImageStage: Stage {
  public static let name = "unclip.text_to_image"
  public static let summary = "unCLIP (Karlo) text-to-image: CLIP text → prior → decoder → super-resolution"
  public static let inputs = [PortSpec("prompt", .text, description: "what to draw"), UnCLIPStageParameters.seedPort]
  public static let outputs = [PortSpec("image", .image, shape: "[N,R,R,3]", description: "generated images in 0…1")]
  public static let parameters: [ParamSpec] = [
    UnCLIPStageParameters.model, UnCLIPStageParameters.variant, UnCLIPStageParameters.seed,
    .int("prior_steps", default: 25, range: 2...1000, description: "prior denoising steps"),
    UnCLIPStageParameters.decoderSteps, UnCLIPStageParameters.superResSteps,
    .float("prior_guidance", default: 4, range: 0...100, description: "prior classifier-free guidance"),
    UnCLIPStageParameters.decoderGuidance, UnCLIPStageParameters.images,
  ]

  let pipeline: UnCLIPPipeline
  let options: UnCLIPOptions
  let seed: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    pipeline = try UnCLIPPipeline(folder: try UnCLIPStageParameters.folder(parameters, context: context))
    options = UnCLIPOptions(priorSteps: try parameters.int("prior_steps"), decoderSteps: try parameters.int("decoder_steps"),
                            superResSteps: try parameters.int("super_res_steps"),
                            priorGuidance: Float(try parameters.float("prior_guidance")),
                            decoderGuidance: Float(try parameters.float("decoder_guidance")),
                            imagesPerPrompt: try parameters.int("images"))
    seed = try parameters.int("seed")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let prompt = try inputs.text("prompt")
    let seed = UnCLIPStageParameters.seed(inputs, parameter: self.seed)
    var generator = TorchGenerator(seed: seed)
    let total = options.priorSteps + options.decoderSteps + options.superResSteps
    let image = try pipeline(prompt: prompt, options: options, generator: &generator,
                             trace: UnCLIPStageParameters.progress(context, total: total))
    try context.checkCancellation()
    return StageOutputs(["image": .image(image, metadata: ["prompt": .string(prompt), "seed": .number(Double(seed))])])
  }
}

/// `unclip.variations`: images → variations of them (diffusers UnCLIPImageVariationPipeline).
public struct UnCLIPVariationsStage: Stage {
  public static let name = "unclip.variations"
  public static let summary = "unCLIP (Karlo) image variations: CLIP image embedding → decoder → super-resolution"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images to vary, in 0…1"),
                              UnCLIPStageParameters.seedPort]
  public static let outputs = [PortSpec("image", .image, shape: "[N,R,R,3]", description: "variations in 0…1")]
  public static let parameters: [ParamSpec] = [
    UnCLIPStageParameters.model, UnCLIPStageParameters.variant, UnCLIPStageParameters.seed,
    UnCLIPStageParameters.decoderSteps, UnCLIPStageParameters.superResSteps, UnCLIPStageParameters.decoderGuidance,
    UnCLIPStageParameters.images,
  ]

  let pipeline: UnCLIPImageVariationPipeline
  let options: UnCLIPOptions
  let seed: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    pipeline = try UnCLIPImageVariationPipeline(folder: try UnCLIPStageParameters.folder(parameters, context: context))
    options = try UnCLIPStageParameters.imageOptions(parameters)
    seed = try parameters.int("seed")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let seed = UnCLIPStageParameters.seed(inputs, parameter: self.seed)
    var generator = TorchGenerator(seed: seed)
    let image = try pipeline(images: try inputs.tensor("image"), options: options, generator: &generator,
                             trace: UnCLIPStageParameters.progress(context, total: options.decoderSteps + options.superResSteps))
    try context.checkCancellation()
    return StageOutputs(["image": .image(image, metadata: ["seed": .number(Double(seed))])])
  }
}

/// `unclip.decode_embeddings`: CLIP image embeddings (from clip.image_encoder) → images; with a second
/// input, the slerp between the two at `interpolation`.
public struct UnCLIPDecodeEmbeddingsStage: Stage {
  public static let name = "unclip.decode_embeddings"
  public static let summary = "unCLIP decoder on CLIP image embeddings given directly (slerp between two when both are given)"
  public static let inputs = [
    PortSpec("image_embeds", .tensor, shape: "[N,K]", description: "CLIP image embeddings (clip.image_encoder)"),
    PortSpec("image_embeds_b", .tensor, shape: "[N,K]", description: "embeddings to interpolate towards", optional: true),
    UnCLIPStageParameters.seedPort,
  ]
  public static let outputs = [PortSpec("image", .image, shape: "[N,R,R,3]", description: "decoded images in 0…1")]
  public static let parameters: [ParamSpec] = [
    UnCLIPStageParameters.model, UnCLIPStageParameters.variant, UnCLIPStageParameters.seed,
    UnCLIPStageParameters.decoderSteps, UnCLIPStageParameters.superResSteps, UnCLIPStageParameters.decoderGuidance,
    UnCLIPStageParameters.images,
    .float("interpolation", default: 0.5, range: 0...1, description: "slerp position towards image_embeds_b (when connected)"),
  ]

  let pipeline: UnCLIPImageVariationPipeline
  let options: UnCLIPOptions
  let seed: Int
  let interpolation: Float

  public init(parameters: StageParameters, context: StageContext) throws {
    pipeline = try UnCLIPImageVariationPipeline(folder: try UnCLIPStageParameters.folder(parameters, context: context))
    options = try UnCLIPStageParameters.imageOptions(parameters)
    seed = try parameters.int("seed")
    interpolation = Float(try parameters.float("interpolation"))
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    var embeddings = try inputs.tensor("image_embeds").toFloat32()
    if let other = inputs["image_embeds_b"]?.tensor {
      guard other.shape == embeddings.shape else {
        throw StageError.invalidInput(port: "image_embeds_b", reason: "shape \(other.shape) differs from image_embeds \(embeddings.shape)")
      }
      embeddings = slerp(embeddings, other.toFloat32(), t: interpolation)
    }
    let seed = UnCLIPStageParameters.seed(inputs, parameter: self.seed)
    var generator = TorchGenerator(seed: seed)
    let image = try pipeline.generate(imageEmbeddings: embeddings, options: options, generator: &generator,
                                      trace: UnCLIPStageParameters.progress(context, total: options.decoderSteps + options.superResSteps))
    try context.checkCancellation()
    return StageOutputs(["image": .image(image, metadata: ["seed": .number(Double(seed))])])
  }
}
