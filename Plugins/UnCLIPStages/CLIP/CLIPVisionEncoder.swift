// Ports transformers 5.23 CLIPVisionModelWithProjection: patch convolution (no bias), class
// embedding, positions, pre-layernorm, encoder, post-layernorm on the class token, projection.
// N batch, C channels, S image size, p patch size, G = S/p patches per side, L = G² + 1 tokens,
// W hidden size, D projection size.
import Foundation
import TensorCore
import WeightIO

/// What the vision tower returns.
public struct CLIPVisionOutput: @unchecked Sendable {
  /// [N,L,W]: encoder output (not post-layernormed, as transformers returns it).
  public var lastHiddenState: Tensor
  /// [N,W]: post-layernormed class token (`pooler_output`).
  public var pooledOutput: Tensor
  /// [N,D]: `visual_projection(pooled)`.
  public var imageEmbeds: Tensor
}

/// CLIP's image encoder with projection, loaded from a transformers folder (Karlo's `image_encoder/`).
public struct CLIPVisionEncoder: @unchecked Sendable {
  /// The folder's config.
  public let config: CLIPVisionConfig
  let classEmbedding: Tensor
  let patchWeight: Tensor
  let positionEmbedding: Tensor
  let preNormWeight: Tensor, preNormBias: Tensor
  let encoder: CLIPEncoder
  let postNormWeight: Tensor, postNormBias: Tensor
  let projection: Tensor

  /// Checkpoint keys and shapes, verbatim from transformers (`pre_layrnorm` is spelt so there).
  public static func expectedKeys(_ config: CLIPVisionConfig) -> [(key: String, shape: [Int])] {
    let w = config.hiddenSize
    let grid = config.imageSize / max(config.patchSize, 1)
    return [
      ("vision_model.embeddings.class_embedding", [w]),
      ("vision_model.embeddings.patch_embedding.weight", [w, config.numChannels, config.patchSize, config.patchSize]),
      ("vision_model.embeddings.position_embedding.weight", [grid * grid + 1, w]),
      ("vision_model.pre_layrnorm.weight", [w]), ("vision_model.pre_layrnorm.bias", [w]),
    ] + CLIPEncoder.keys("vision_model.encoder.", config: config) + [
      ("vision_model.post_layernorm.weight", [w]), ("vision_model.post_layernorm.bias", [w]),
      ("visual_projection.weight", [config.projectionDim, w]),
    ]
  }

  /// Loads `folder` (config.json + model.safetensors), checking every key first.
  /// - Throws: ``UnCLIPError`` listing every missing, extra, mis-shaped or mis-typed key at once.
  public init(folder: URL) throws {
    let configPath = folder.appendingPathComponent("config.json").path
    let config = try decodeCLIPConfig(CLIPVisionConfig.self, nested: \.visionConfig, file: configPath)
    var sizeProblems = config.sizeProblems()
    if config.patchSize <= 0 || config.imageSize % max(config.patchSize, 1) != 0 {
      sizeProblems.append("image_size \(config.imageSize) is not a multiple of patch_size \(config.patchSize)")
    }
    if !sizeProblems.isEmpty { throw UnCLIPError.invalidConfig(file: configPath, reason: sizeProblems.joined(separator: "; ")) }
    let weights = try CLIPWeights.open(folder: folder, expected: Self.expectedKeys(config),
                                       ownPrefixes: ["vision_model.", "visual_projection."])
    try self.init(config: config, weights: weights)
  }

  /// Builds the model from an already validated weight set.
  public init(config: CLIPVisionConfig, weights: WeightSet) throws {
    self.config = config
    classEmbedding = try weights.floatTensor("vision_model.embeddings.class_embedding")
    patchWeight = try weights.tensor("vision_model.embeddings.patch_embedding.weight")
    positionEmbedding = try weights.floatTensor("vision_model.embeddings.position_embedding.weight")
    preNormWeight = try weights.tensor("vision_model.pre_layrnorm.weight")
    preNormBias = try weights.tensor("vision_model.pre_layrnorm.bias")
    encoder = try CLIPEncoder(weights, prefix: "vision_model.encoder.", config: config)
    postNormWeight = try weights.tensor("vision_model.post_layernorm.weight")
    postNormBias = try weights.tensor("vision_model.post_layernorm.bias")
    projection = try weights.tensor("visual_projection.weight")
  }

  /// Encodes preprocessed pixel values f32 [N,C,S,S] (``CLIPImageProcessor`` output).
  /// - Throws: ``UnCLIPError/invalidInput(_:)`` when the size or channels differ from the config.
  public func callAsFunction(_ pixelValues: Tensor) throws -> CLIPVisionOutput {
    let (c, s, w) = (config.numChannels, config.imageSize, config.hiddenSize)
    guard pixelValues.dtype == .f32, pixelValues.rank == 4, pixelValues.shape[0] > 0,
          Array(pixelValues.shape.dropFirst()) == [c, s, s]
    else {
      throw UnCLIPError.invalidInput("pixel values must be f32 [N,\(c),\(s),\(s)] for this image encoder, got \(pixelValues)")
    }
    let n = pixelValues.shape[0]
    let grid = s / config.patchSize
    let patches = conv2d(pixelValues, weight: patchWeight, bias: nil, stride: config.patchSize)  // [N,C,S,S] -> [N,W,G,G]
    let tokens = transpose(patches.reshaped([n, w, grid * grid]), 1, 2)  // [N,W,G,G] -> [N,G²,W]
    let classTokens = repeatBatch(classEmbedding.reshaped([1, 1, w]), n)  // [W] -> [N,1,W]
    let embedded = add(concat([classTokens, tokens], axis: 1),  // -> [N,L,W]
                       positionEmbedding.reshaped([1, grid * grid + 1, w]))
    let normed = layerNorm(embedded, weight: preNormWeight, bias: preNormBias, epsilon: Float(config.layerNormEps))
    let last = encoder(normed, causal: false)
    let classStates = slice(last, axis: 1, range: 0..<1).reshaped([n, w])  // [N,L,W] -> [N,W]
    let pooled = layerNorm(classStates, weight: postNormWeight, bias: postNormBias, epsilon: Float(config.layerNormEps))
    let embeds = linear(pooled, weight: projection, bias: nil)  // [N,W] -> [N,D]
    return CLIPVisionOutput(lastHiddenState: last, pooledOutput: pooled, imageEmbeds: embeds)
  }
}
