// Ranks candidate images by CLIP similarity to a prompt: cosine of the l2-normalised image and
// text embeddings (CLIP's logits without the logit scale), keeping the best K.
// N images, H, W, C image size, D projection size.
import Foundation
import TensorCore

/// The outcome of ranking: indices into the candidates, best first, and their scores.
public struct CLIPRanking: Sendable, Equatable {
  /// Indices of the kept images, best first; equal scores keep their input order.
  public var indices: [Int]
  /// Cosine similarity of each kept image to the prompt, in the order of `indices`.
  public var scores: [Float]
  /// The cosine similarity of every candidate, in input order.
  public var allScores: [Float]
}

/// Scores images against a prompt with a CLIP text and image tower of the same model.
public struct CLIPReranker: Sendable {
  public let tokenizer: CLIPTokenizer
  public let textEncoder: CLIPTextEncoder
  public let imageEncoder: CLIPVisionEncoder
  public let processor: CLIPImageProcessor

  /// Combines the parts; the two towers must project to the same size.
  public init(tokenizer: CLIPTokenizer, textEncoder: CLIPTextEncoder, imageEncoder: CLIPVisionEncoder,
              processor: CLIPImageProcessor) throws(UnCLIPError) {
    guard textEncoder.config.projectionDim == imageEncoder.config.projectionDim else {
      throw .invalidInput("the text encoder projects to \(textEncoder.config.projectionDim) and the image encoder to "
        + "\(imageEncoder.config.projectionDim); use both towers of one CLIP model")
    }
    self.tokenizer = tokenizer
    self.textEncoder = textEncoder
    self.imageEncoder = imageEncoder
    self.processor = processor
  }

  /// Loads a diffusers unCLIP image-variation folder's (or any folder's) `tokenizer/`,
  /// `text_encoder/`, `image_encoder/` and `feature_extractor/`.
  public init(modelFolder: URL) throws {
    try self.init(tokenizer: CLIPTokenizer(folder: modelFolder.appendingPathComponent("tokenizer")),
                  textEncoder: CLIPTextEncoder(folder: modelFolder.appendingPathComponent("text_encoder")),
                  imageEncoder: CLIPVisionEncoder(folder: modelFolder.appendingPathComponent("image_encoder")),
                  processor: CLIPImageProcessor(folder: modelFolder.appendingPathComponent("feature_extractor")))
  }

  /// Cosine similarity of each image f32 [N,H,W,C] (0…1) to `prompt`: [N].
  public func scores(images: Tensor, prompt: String) throws -> [Float] {
    let pixelValues = try processor.preprocess(images: images)  // [N,H,W,C] -> [N,3,S,S]
    let imageEmbeds = try imageEncoder(pixelValues).imageEmbeds  // -> [N,D]
    let textEmbeds = try textEncoder(tokenizer.tokenize([prompt])).textEmbeds  // -> [1,D]
    return Self.cosines(imageEmbeds: imageEmbeds, textEmbeds: textEmbeds)
  }

  /// Ranks `images` f32 [N,H,W,C] against `prompt`, keeping the best `keep` (all when larger than N).
  public func rank(images: Tensor, prompt: String, keep: Int) throws -> CLIPRanking {
    guard keep > 0 else { throw UnCLIPError.invalidInput("keep must be at least 1, got \(keep)") }
    return Self.topK(try scores(images: images, prompt: prompt), keep: keep)
  }

  /// Cosine of each row of `imageEmbeds` [N,D] with `textEmbeds` [1,D]: [N].
  public static func cosines(imageEmbeds: Tensor, textEmbeds: Tensor) -> [Float] {
    precondition(imageEmbeds.rank == 2 && textEmbeds.shape == [1, imageEmbeds.shape[1]], "embeddings [N,D] and [1,D]")
    let images = l2Normalize(imageEmbeds)
    let text = l2Normalize(textEmbeds)
    let similarity = matmul(images, text, transposeB: true)  // [N,D] x [1,D]ᵀ -> [N,1]
    return similarity.scalars
  }

  /// The `keep` best scores, highest first, ties in input order.
  public static func topK(_ scores: [Float], keep: Int) -> CLIPRanking {
    let order = scores.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a < b }
    let kept = Array(order.prefix(keep))
    return CLIPRanking(indices: kept, scores: kept.map { scores[$0] }, allScores: scores)
  }
}
