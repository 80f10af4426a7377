// Ports diffusers 0.42 UnCLIPImageVariationPipeline
// (pipelines/deprecated/unclip/pipeline_unclip_image_variation.py): the CLIP image embedding of the
// input (CLIPImageProcessor + vision encoder) — or embeddings passed in directly, e.g. a slerp
// between two images' — decoded with the empty prompt as text conditioning.
// b batch, B = 2b with guidance, K CLIP embedding size, R output size.
import Foundation
import TensorCore

/// Image variations with a diffusers unCLIP image-variation (Karlo) model folder.
public struct UnCLIPImageVariationPipeline: Sendable {
  public let tokenizer: CLIPTokenizer
  public let textEncoder: CLIPTextEncoder
  public let imageEncoder: CLIPVisionEncoder
  public let imageProcessor: CLIPImageProcessor
  public let stack: UnCLIPDecoderStack

  /// Loads and checks tokenizer, text_encoder, image_encoder, feature_extractor, text_proj, decoder,
  /// super_res_first, super_res_last and the decoder and super-res schedulers of `folder`.
  /// - Throws: ``UnCLIPError/invalidModel(folder:problems:)`` listing every problem.
  public init(folder: ModelFolder) throws {
    var problems: [String] = []
    let (tokenizer, textEncoder) = UnCLIPPipeline.loadText(folder: folder, problems: &problems)
    var imageEncoder: CLIPVisionEncoder?
    var imageProcessor: CLIPImageProcessor?
    for component in ["image_encoder", "feature_extractor"] where !folder.has(component) {
      problems.append("\(component): component folder is missing")
    }
    if folder.has("image_encoder") {
      do { imageEncoder = try CLIPVisionEncoder(folder: folder.componentURL("image_encoder")) } catch { problems.append("image_encoder: \(error)") }
    }
    if folder.has("feature_extractor") {
      do { imageProcessor = try CLIPImageProcessor(folder: folder.componentURL("feature_extractor")) } catch {
        problems.append("feature_extractor: \(error)")
      }
    }
    let stack = UnCLIPDecoderStack.load(folder: folder, problems: &problems)
    guard problems.isEmpty, let tokenizer, let textEncoder, let imageEncoder, let imageProcessor, let stack else {
      throw UnCLIPError.invalidModel(folder: folder.url.path, problems: problems)
    }
    self.tokenizer = tokenizer
    self.textEncoder = textEncoder
    self.imageEncoder = imageEncoder
    self.imageProcessor = imageProcessor
    self.stack = stack
  }

  /// The CLIP image embeddings [n, K] of preprocessed `pixelValues` [n, 3, S, S].
  public func imageEmbeddings(pixelValues: Tensor) throws -> Tensor { try imageEncoder(pixelValues).imageEmbeds }

  /// Variations of images [n, H, W, C] in 0…1: [n · imagesPerPrompt, R, R, 3].
  public func callAsFunction(images: Tensor, options: UnCLIPOptions = UnCLIPOptions(), generator: inout TorchGenerator,
                             trace: UnCLIPTrace? = nil) throws -> Tensor {
    let embeddings = try imageEmbeddings(pixelValues: imageProcessor.preprocess(images: images))  // [n,H,W,C] -> [n,K]
    return try generate(imageEmbeddings: embeddings, options: options, generator: &generator, trace: trace)
  }

  /// Decodes CLIP image embeddings [n, K] given directly (diffusers' `image_embeddings`).
  /// Only `decoderSteps`, `superResSteps`, `decoderGuidance` and `imagesPerPrompt` of `options` apply.
  public func generate(imageEmbeddings: Tensor, options: UnCLIPOptions, generator: inout TorchGenerator,
                       trace: UnCLIPTrace? = nil) throws -> Tensor {
    let size = stack.textProj.config.clipEmbeddingsDim
    guard imageEmbeddings.rank == 2, imageEmbeddings.shape[0] >= 1, imageEmbeddings.shape[1] == size else {
      throw UnCLIPError.invalidInput("image embeddings must be [N,\(size)], got \(imageEmbeddings.shape)")
    }
    guard options.imagesPerPrompt >= 1 else { throw UnCLIPError.invalidInput("images per prompt must be at least 1") }
    let embeddings = repeatInterleaveBatch(imageEmbeddings.toFloat32(), options.imagesPerPrompt)  // [n,K] -> [b,K]
    trace?("image.embeddings", embeddings)
    let batch = embeddings.shape[0]
    let guided = options.decoderGuidance > 1
    let (emptyEmbeds, emptyHidden, emptyMask) = try UnCLIPPipeline.encode([""], tokenizer: tokenizer, encoder: textEncoder)
    let copies = guided ? 2 * batch : batch  // both halves are the empty prompt
    return try stack.decode(imageEmbeddings: embeddings, promptEmbeds: repeatBatch(emptyEmbeds, copies),
                            textHiddenStates: repeatBatch(emptyHidden, copies), textMask: repeatBatch(emptyMask, copies),
                            guidance: guided ? options.decoderGuidance : nil, decoderSteps: options.decoderSteps,
                            superResSteps: options.superResSteps, generator: &generator, trace: trace)
  }
}
