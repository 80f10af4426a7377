// Ports transformers 5.23 CLIPTextModelWithProjection: token + position embeddings, causal
// encoder, final layer norm, the eos token's state projected to text_embeds.
// N batch, T tokens (≤ max_position_embeddings), W hidden size, D projection size, V vocabulary.
import Foundation
import TensorCore
import WeightIO

/// What the text tower returns.
public struct CLIPTextOutput: @unchecked Sendable {
  /// [N,T,W]: final-layer-normed states of every token.
  public var lastHiddenState: Tensor
  /// [N,W]: the state at each row's eos position (`pooler_output`).
  public var pooledOutput: Tensor
  /// [N,D]: `text_projection(pooled)`.
  public var textEmbeds: Tensor
}

/// CLIP's text encoder with projection, loaded from a transformers folder (Karlo's `text_encoder/`).
public struct CLIPTextEncoder: @unchecked Sendable {
  /// The folder's config.
  public let config: CLIPTextConfig
  let tokenEmbedding: Tensor
  let positionEmbedding: Tensor
  let encoder: CLIPEncoder
  let finalNormWeight: Tensor, finalNormBias: Tensor
  let projection: Tensor

  /// Checkpoint keys and shapes, verbatim from transformers.
  public static func expectedKeys(_ config: CLIPTextConfig) -> [(key: String, shape: [Int])] {
    let (w, p) = (config.hiddenSize, config.maxPositionEmbeddings)
    return [
      ("text_model.embeddings.token_embedding.weight", [config.vocabSize, w]),
      ("text_model.embeddings.position_embedding.weight", [p, w]),
    ] + CLIPEncoder.keys("text_model.encoder.", config: config) + [
      ("text_model.final_layer_norm.weight", [w]),
      ("text_model.final_layer_norm.bias", [w]),
      ("text_projection.weight", [config.projectionDim, w]),
    ]
  }

  /// Loads `folder` (config.json + model.safetensors), checking every key first.
  /// - Throws: ``UnCLIPError`` listing every missing, extra, mis-shaped or mis-typed key at once.
  public init(folder: URL) throws {
    let config = try decodeCLIPConfig(CLIPTextConfig.self, nested: \.textConfig,
                                      file: folder.appendingPathComponent("config.json").path)
    let sizeProblems = config.sizeProblems()
    if !sizeProblems.isEmpty { throw UnCLIPError.invalidConfig(file: folder.appendingPathComponent("config.json").path,
                                                             reason: sizeProblems.joined(separator: "; ")) }
    let weights = try CLIPWeights.open(folder: folder, expected: Self.expectedKeys(config),
                                       ownPrefixes: ["text_model.", "text_projection."])
    try self.init(config: config, weights: weights)
  }

  /// Builds the model from an already validated weight set.
  public init(config: CLIPTextConfig, weights: WeightSet) throws {
    self.config = config
    tokenEmbedding = try weights.tensor("text_model.embeddings.token_embedding.weight")
    positionEmbedding = try weights.floatTensor("text_model.embeddings.position_embedding.weight")
    encoder = try CLIPEncoder(weights, prefix: "text_model.encoder.", config: config)
    finalNormWeight = try weights.tensor("text_model.final_layer_norm.weight")
    finalNormBias = try weights.tensor("text_model.final_layer_norm.bias")
    projection = try weights.tensor("text_projection.weight")
  }

  /// Encodes token ids i32 [N,T] (T ≤ max_position_embeddings) as transformers does without an
  /// attention mask (as diffusers' unCLIP pipelines call it).
  /// - Throws: ``UnCLIPError/invalidInput(_:)`` for ids outside the vocabulary or too many tokens.
  public func callAsFunction(_ ids: Tensor) throws -> CLIPTextOutput {
    guard ids.dtype == .i32, ids.rank == 2, ids.shape[0] > 0, ids.shape[1] > 0 else {
      throw UnCLIPError.invalidInput("token ids must be i32 [N,T], got \(ids)")
    }
    let (n, t, w) = (ids.shape[0], ids.shape[1], config.hiddenSize)
    guard t <= config.maxPositionEmbeddings else {
      throw UnCLIPError.invalidInput("\(t) tokens per sequence, the text encoder takes at most \(config.maxPositionEmbeddings)")
    }
    let flat = (0..<(n * t)).map { Int(ids.int32s[$0]) }
    if let bad = flat.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
      throw UnCLIPError.invalidInput("token id \(bad) is outside the vocabulary of \(config.vocabSize)")
    }
    let tokens = CLIPWeights.gatherRows(tokenEmbedding, ids: flat).reshaped([n, t, w])  // [N,T] -> [N,T,W]
    let positions = positionEmbedding.slice(outer: 0..<t).reshaped([1, t, w])  // [P,W] -> [1,T,W]
    let hidden = encoder(add(tokens, positions), causal: true)
    let last = layerNorm(hidden, weight: finalNormWeight, bias: finalNormBias, epsilon: Float(config.layerNormEps))
    let rows = (0..<n).map { row in row * t + Self.poolingPosition(Array(flat[(row * t)..<((row + 1) * t)]),
                                                                   eosTokenID: config.eosTokenID) }
    let pooled = CLIPWeights.gatherRows(last.reshaped([n * t, w]), ids: rows)  // [N,T,W] -> [N,W]
    let embeds = linear(pooled, weight: projection, bias: nil)  // [N,W] -> [N,D]
    return CLIPTextOutput(lastHiddenState: last, pooledOutput: pooled, textEmbeds: embeds)
  }

  /// transformers' pooling index: with the legacy `eos_token_id == 2` the position of the largest id
  /// (first on ties), otherwise the first position holding `eos_token_id` (0 when there is none).
  static func poolingPosition(_ ids: [Int], eosTokenID: Int) -> Int {
    if eosTokenID == 2 {
      var best = 0
      for (position, id) in ids.enumerated() where id > ids[best] { best = position }
      return best
    }
    return ids.firstIndex(of: eosTokenID) ?? 0
  }
}
