// Ports diffusers 0.42 PriorTransformer (models/transformers/prior_transformer.py) with its default
// options as Karlo uses them: added_emb_type "prd", encoder_hid_proj_type "linear", no norm_in, no
// embedding_proj_norm, BasicTransformerBlock layers (self-attention + GELU feed-forward).
// B batch, T text tokens, S = T + 4 sequence, N rows kept (PriorSequences), K embedding_dim, I inner
// dim (heads × head size).
import TensorCore

/// The unCLIP prior: predicts a CLIP image embedding from the text embedding, text tokens and a
/// noisy image embedding at a timestep.
public struct PriorTransformer: Sendable {
  /// `prior/config.json`, keys verbatim; defaults are diffusers' own.
  public struct Config: Codable, Sendable {
    public var numAttentionHeads: Int = 32
    public var attentionHeadDim: Int = 64
    public var numLayers: Int = 20
    public var embeddingDim: Int = 768
    public var numEmbeddings: Int = 77
    public var additionalEmbeddings: Int = 4
    public var timeEmbedActFn: String = "silu"
    public var normInType: String? = nil
    public var embeddingProjNormType: String? = nil
    public var encoderHidProjType: String? = "linear"
    public var addedEmbType: String? = "prd"
    public var timeEmbedDim: Int? = nil
    public var embeddingProjDim: Int? = nil
    public var clipEmbedDim: Int? = nil

    enum CodingKeys: String, CodingKey {
      case numAttentionHeads = "num_attention_heads", attentionHeadDim = "attention_head_dim", numLayers = "num_layers"
      case embeddingDim = "embedding_dim", numEmbeddings = "num_embeddings", additionalEmbeddings = "additional_embeddings"
      case timeEmbedActFn = "time_embed_act_fn", normInType = "norm_in_type", embeddingProjNormType = "embedding_proj_norm_type"
      case encoderHidProjType = "encoder_hid_proj_type", addedEmbType = "added_emb_type", timeEmbedDim = "time_embed_dim"
      case embeddingProjDim = "embedding_proj_dim", clipEmbedDim = "clip_embed_dim"
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? numAttentionHeads
      attentionHeadDim = try c.decodeIfPresent(Int.self, forKey: .attentionHeadDim) ?? attentionHeadDim
      numLayers = try c.decodeIfPresent(Int.self, forKey: .numLayers) ?? numLayers
      embeddingDim = try c.decodeIfPresent(Int.self, forKey: .embeddingDim) ?? embeddingDim
      numEmbeddings = try c.decodeIfPresent(Int.self, forKey: .numEmbeddings) ?? numEmbeddings
      additionalEmbeddings = try c.decodeIfPresent(Int.self, forKey: .additionalEmbeddings) ?? additionalEmbeddings
      timeEmbedActFn = try c.decodeIfPresent(String.self, forKey: .timeEmbedActFn) ?? timeEmbedActFn
      normInType = try c.decodeIfPresent(String.self, forKey: .normInType)
      embeddingProjNormType = try c.decodeIfPresent(String.self, forKey: .embeddingProjNormType)
      if c.contains(.encoderHidProjType) { encoderHidProjType = try c.decodeIfPresent(String.self, forKey: .encoderHidProjType) }
      if c.contains(.addedEmbType) { addedEmbType = try c.decodeIfPresent(String.self, forKey: .addedEmbType) }
      timeEmbedDim = try c.decodeIfPresent(Int.self, forKey: .timeEmbedDim)
      embeddingProjDim = try c.decodeIfPresent(Int.self, forKey: .embeddingProjDim)
      clipEmbedDim = try c.decodeIfPresent(Int.self, forKey: .clipEmbedDim)
    }

    /// Inner width I = heads × head size.
    public var innerDim: Int { numAttentionHeads * attentionHeadDim }
  }

  /// One BasicTransformerBlock (norm1 → attn1 → residual, norm3 → ff → residual).
  struct Block: Sendable {
    let norm1: LayerNormLayer
    let toQ: LinearLayer
    let toK: LinearLayer
    let toV: LinearLayer
    let toOut: LinearLayer
    let norm3: LayerNormLayer
    let feedForwardIn: LinearLayer
    let feedForwardOut: LinearLayer
    let heads: Int

    init(_ w: WeightScope, inner: Int, heads: Int) {
      norm1 = LayerNormLayer(w, "norm1", dim: inner, epsilon: 1e-5)
      toQ = LinearLayer(w, "attn1.to_q", inputs: inner, outputs: inner)
      toK = LinearLayer(w, "attn1.to_k", inputs: inner, outputs: inner)
      toV = LinearLayer(w, "attn1.to_v", inputs: inner, outputs: inner)
      toOut = LinearLayer(w, "attn1.to_out.0", inputs: inner, outputs: inner)
      norm3 = LayerNormLayer(w, "norm3", dim: inner, epsilon: 1e-5)
      feedForwardIn = LinearLayer(w, "ff.net.0.proj", inputs: inner, outputs: 4 * inner)
      feedForwardOut = LinearLayer(w, "ff.net.2", inputs: 4 * inner, outputs: inner)
      self.heads = heads
    }

    /// `x` [N, I], the stacked rows of every batch element (`sequences`) → [N, I]. Attention runs per
    /// element; the linear layers run on all rows at once.
    func callAsFunction(_ x: Tensor, sequences: PriorSequences) -> Tensor {
      let normed = norm1(x)
      let (query, key, value) = (toQ(normed), toK(normed), toV(normed))  // [N,I] each
      let attended = concat(zip(sequences.rows, sequences.biases).map { rows, bias in
        let split = { (t: Tensor) in  // [N,I] -> [L,I] -> [1,L,A,D] -> [1,A,L,D]
          permute(slice(t, axis: 0, range: rows).reshaped([1, rows.count, self.heads, -1]), [0, 2, 1, 3])
        }
        let output = scaledDotProductAttention(query: split(query), key: split(key), value: split(value), mask: bias)
        return permute(output, [0, 2, 1, 3]).reshaped([rows.count, -1])  // [1,A,L,D] -> [L,I]
      }, axis: 0)  // -> [N,I]
      let hidden = add(toOut(attended), x)
      return add(feedForwardOut(gelu(feedForwardIn(norm3(hidden)))), hidden)  // [N,I] -> [N,4I] -> [N,I]
    }
  }

  public let config: Config
  let timeEmbedding: TimestepEmbedding
  let projIn: LinearLayer
  let embeddingProj: LinearLayer
  let encoderHiddenStatesProj: LinearLayer
  let positionalEmbedding: Tensor
  let prdEmbedding: Tensor
  let blocks: [Block]
  let normOut: LayerNormLayer
  let projToClipEmbeddings: LinearLayer
  let clipMean: Tensor
  let clipStd: Tensor

  /// Builds the model from `config`, reading every weight through `reader` (problems recorded there).
  public init(config: Config, reader: WeightReader) {
    self.config = config
    func unsupported(_ key: String, _ value: String) { reader.record("config.json \(key) = \(value) is not supported") }
    if let value = config.normInType { unsupported("norm_in_type", value) }
    if let value = config.embeddingProjNormType { unsupported("embedding_proj_norm_type", value) }
    if config.encoderHidProjType != "linear" { unsupported("encoder_hid_proj_type", config.encoderHidProjType ?? "null") }
    if config.addedEmbType != "prd" { unsupported("added_emb_type", config.addedEmbType ?? "null") }
    if config.timeEmbedActFn != "silu" { unsupported("time_embed_act_fn", config.timeEmbedActFn) }
    let w = reader.scope("")
    let inner = config.innerDim
    let embedding = config.embeddingDim
    let clip = config.clipEmbedDim ?? embedding
    timeEmbedding = TimestepEmbedding(w.scope("time_embedding"), inputs: inner, hidden: config.timeEmbedDim ?? inner, outputs: inner)
    projIn = LinearLayer(w, "proj_in", inputs: embedding, outputs: inner)
    embeddingProj = LinearLayer(w, "embedding_proj", inputs: config.embeddingProjDim ?? embedding, outputs: inner)
    encoderHiddenStatesProj = LinearLayer(w, "encoder_hidden_states_proj", inputs: embedding, outputs: inner)
    let sequence = config.numEmbeddings + config.additionalEmbeddings
    positionalEmbedding = w("positional_embedding", [1, sequence, inner]).toFloat32()
    prdEmbedding = w("prd_embedding", [1, 1, inner]).toFloat32()
    blocks = (0..<config.numLayers).map { Block(w.scope("transformer_blocks.\($0)"), inner: inner, heads: config.numAttentionHeads) }
    normOut = LayerNormLayer(w, "norm_out", dim: inner, epsilon: 1e-5)
    projToClipEmbeddings = LinearLayer(w, "proj_to_clip_embeddings", inputs: inner, outputs: clip)
    clipMean = w("clip_mean", [1, clip]).toFloat32()
    clipStd = w("clip_std", [1, clip]).toFloat32()
  }

  /// One forward pass: `hiddenStates` [B, K] (noisy image embedding), `timestep`, `projEmbedding` [B, K]
  /// (text embedding), `encoderHiddenStates` [B, T, K], `attentionMask` [B, T] of 1/0 → [B, K].
  public func callAsFunction(hiddenStates: Tensor, timestep: Int, projEmbedding: Tensor, encoderHiddenStates: Tensor,
                             attentionMask: Tensor?) -> Tensor {
    let batch = hiddenStates.shape[0]
    let inner = config.innerDim
    let projected = timestepProjection(timestep, batch: batch, dim: inner, flipSinToCos: true, freqShift: 0)
    let time = timeEmbedding(projected).reshaped([batch, 1, inner])  // [B,I] -> [B,1,I]
    let proj = embeddingProj(projEmbedding).reshaped([batch, 1, inner])  // [B,K] -> [B,1,I]
    let text = encoderHiddenStatesProj(encoderHiddenStates)  // [B,T,K] -> [B,T,I]
    let noisy = projIn(hiddenStates).reshaped([batch, 1, inner])  // [B,K] -> [B,1,I]
    let prd = repeatBatch(prdEmbedding, batch)  // [1,1,I] -> [B,1,I]
    var hidden = concat([text, proj, time, noisy, prd], axis: 1)  // -> [B,S,I]
    let length = hidden.shape[1]
    precondition(length == positionalEmbedding.shape[1], "prior sequence \(length) vs positional \(positionalEmbedding.shape)")
    hidden = add(hidden, positionalEmbedding)
    let sequences = PriorSequences(mask: attentionMask, batch: batch, length: length, additional: config.additionalEmbeddings)
    var rows = sequences.gather(hidden)  // [B,S,I] -> [N,I]
    for block in blocks { rows = block(rows, sequences: sequences) }
    return projToClipEmbeddings(sequences.lastRows(normOut(rows)))  // [N,I] -> [B,I] -> [B,K]
  }

  /// `post_process_latents`: latents · clip_std + clip_mean.
  public func postProcessLatents(_ latents: Tensor) -> Tensor { add(mul(latents, clipStd), clipMean) }
}
