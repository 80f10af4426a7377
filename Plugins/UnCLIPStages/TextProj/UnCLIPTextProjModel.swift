// Ports diffusers 0.42 UnCLIPTextProjModel (pipelines/deprecated/unclip/text_proj.py): combines the
// CLIP image embedding and the text encoder outputs into the decoder's extra time embedding and its
// cross-attention tokens (four extra context tokens, then the projected, normalised text tokens).
// B batch, K CLIP embedding size, T text tokens, X cross-attention size, E time-embedding size,
// Q extra context tokens.
import TensorCore

/// The unCLIP text projection.
public struct UnCLIPTextProjModel: Sendable {
  /// `text_proj/config.json`, keys verbatim.
  public struct Config: Codable, Sendable {
    public var clipExtraContextTokens: Int = 4
    public var clipEmbeddingsDim: Int = 768
    public var timeEmbedDim: Int
    public var crossAttentionDim: Int

    enum CodingKeys: String, CodingKey {
      case clipExtraContextTokens = "clip_extra_context_tokens", clipEmbeddingsDim = "clip_embeddings_dim"
      case timeEmbedDim = "time_embed_dim", crossAttentionDim = "cross_attention_dim"
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      clipExtraContextTokens = try c.decodeIfPresent(Int.self, forKey: .clipExtraContextTokens) ?? clipExtraContextTokens
      clipEmbeddingsDim = try c.decodeIfPresent(Int.self, forKey: .clipEmbeddingsDim) ?? clipEmbeddingsDim
      timeEmbedDim = try c.decode(Int.self, forKey: .timeEmbedDim)
      crossAttentionDim = try c.decode(Int.self, forKey: .crossAttentionDim)
    }
  }

  public let config: Config
  let learnedClassifierFreeGuidanceEmbeddings: Tensor
  let embeddingProj: LinearLayer
  let clipImageEmbeddingsProjectToTimeEmbeddings: LinearLayer
  let clipExtraContextTokensProj: LinearLayer
  let encoderHiddenStatesProj: LinearLayer
  let textEncoderHiddenStatesNorm: LayerNormLayer

  /// Builds the model from `config`, reading every weight through `reader` (problems recorded there).
  public init(config: Config, reader: WeightReader) {
    self.config = config
    let w = reader.scope("")
    let clip = config.clipEmbeddingsDim
    learnedClassifierFreeGuidanceEmbeddings = w("learned_classifier_free_guidance_embeddings", [clip]).toFloat32()
    embeddingProj = LinearLayer(w, "embedding_proj", inputs: clip, outputs: config.timeEmbedDim)
    clipImageEmbeddingsProjectToTimeEmbeddings = LinearLayer(w, "clip_image_embeddings_project_to_time_embeddings",
                                                             inputs: clip, outputs: config.timeEmbedDim)
    clipExtraContextTokensProj = LinearLayer(w, "clip_extra_context_tokens_proj", inputs: clip,
                                             outputs: config.clipExtraContextTokens * config.crossAttentionDim)
    encoderHiddenStatesProj = LinearLayer(w, "encoder_hidden_states_proj", inputs: clip, outputs: config.crossAttentionDim)
    textEncoderHiddenStatesNorm = LayerNormLayer(w, "text_encoder_hidden_states_norm", dim: config.crossAttentionDim, epsilon: 1e-5)
  }

  /// `imageEmbeddings` [b, K] (b = B/2 with guidance, the learned unconditional embedding is put in
  /// front), `promptEmbeds` [B, K], `textEncoderHiddenStates` [B, T, K] →
  /// (encoder hidden states [B, Q + T, X], additive time embeddings [B, E]).
  public func callAsFunction(imageEmbeddings: Tensor, promptEmbeds: Tensor, textEncoderHiddenStates: Tensor,
                             classifierFreeGuidance: Bool) -> (hiddenStates: Tensor, timeEmbeddings: Tensor) {
    var image = imageEmbeddings
    if classifierFreeGuidance {
      let unconditional = repeatBatch(learnedClassifierFreeGuidanceEmbeddings.reshaped([1, -1]), image.shape[0])  // [K] -> [b,K]
      image = concat([unconditional, image], axis: 0)  // -> [B,K]
    }
    precondition(image.shape[0] == promptEmbeds.shape[0], "text_proj: \(image.shape) image vs \(promptEmbeds.shape) prompt embeddings")
    let batch = promptEmbeds.shape[0]
    let time = add(clipImageEmbeddingsProjectToTimeEmbeddings(image), embeddingProj(promptEmbeds))  // [B,K] -> [B,E]
    let extra = clipExtraContextTokensProj(image).reshaped([batch, -1, config.clipExtraContextTokens])  // [B,X·Q] -> [B,X,Q]
    let extraTokens = permute(extra, [0, 2, 1])  // [B,X,Q] -> [B,Q,X]
    let text = textEncoderHiddenStatesNorm(encoderHiddenStatesProj(textEncoderHiddenStates))  // [B,T,K] -> [B,T,X]
    return (concat([extraTokens, text], axis: 1), time)  // -> [B,Q+T,X]
  }
}
