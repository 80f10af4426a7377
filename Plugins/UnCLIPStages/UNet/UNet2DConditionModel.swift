// Ports diffusers 0.42 UNet2DConditionModel (models/unets/unet_2d_condition.py) for the unCLIP decoder
// configuration: positional time embedding, class_embed_type "identity" (the text_proj time
// embeddings are added), ResnetDownsampleBlock2D / SimpleCrossAttnDownBlock2D /
// UNetMidBlock2DSimpleCrossAttn / SimpleCrossAttnUpBlock2D / ResnetUpsampleBlock2D with
// AttnAddedKVProcessor attention, and a learned-variance output (out_channels = 2 × in_channels).
// N batch, C channels, H, W size, T text tokens, X cross-attention size, E time-embedding size.
import TensorCore

/// The unCLIP decoder UNet.
public struct UNet2DConditionModel: Sendable {
  /// `decoder/config.json`, keys verbatim; defaults are diffusers' own.
  public struct Config: Codable, Sendable {
    public var sampleSize: Int? = nil
    public var inChannels: Int = 4
    public var outChannels: Int = 4
    public var downBlockTypes: [String]
    public var upBlockTypes: [String]
    public var midBlockType: String? = "UNetMidBlock2DCrossAttn"
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int = 2
    var crossAttentionDim: IntOrList = IntOrList([1280])
    var attentionHeadDim: IntOrList = IntOrList([8])
    public var resnetTimeScaleShift: String = "default"
    public var classEmbedType: String? = nil
    public var normNumGroups: Int = 32
    public var normEps: Float = 1e-5
    public var flipSinToCos: Bool = true
    public var freqShift: Float = 0
    public var actFn: String = "silu"
    public var midBlockScaleFactor: Float = 1
    public var resnetOutScaleFactor: Float = 1
    public var resnetSkipTimeAct: Bool = false
    public var onlyCrossAttention: Bool = false
    public var crossAttentionNorm: String? = nil
    public var timeEmbeddingType: String = "positional"
    public var timeEmbeddingDim: Int? = nil
    public var additionEmbedType: String? = nil
    public var encoderHidDimType: String? = nil
    public var centerInputSample: Bool = false
    public var timestepPostAct: String? = nil
    public var timeCondProjDim: Int? = nil
    public var classEmbeddingsConcat: Bool = false

    enum CodingKeys: String, CodingKey {
      case sampleSize = "sample_size", inChannels = "in_channels", outChannels = "out_channels"
      case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types", midBlockType = "mid_block_type"
      case blockOutChannels = "block_out_channels", layersPerBlock = "layers_per_block"
      case crossAttentionDim = "cross_attention_dim", attentionHeadDim = "attention_head_dim"
      case resnetTimeScaleShift = "resnet_time_scale_shift", classEmbedType = "class_embed_type"
      case normNumGroups = "norm_num_groups", normEps = "norm_eps", flipSinToCos = "flip_sin_to_cos"
      case freqShift = "freq_shift", actFn = "act_fn", midBlockScaleFactor = "mid_block_scale_factor"
      case resnetOutScaleFactor = "resnet_out_scale_factor", resnetSkipTimeAct = "resnet_skip_time_act"
      case onlyCrossAttention = "only_cross_attention", crossAttentionNorm = "cross_attention_norm"
      case timeEmbeddingType = "time_embedding_type", timeEmbeddingDim = "time_embedding_dim"
      case additionEmbedType = "addition_embed_type", encoderHidDimType = "encoder_hid_dim_type"
      case centerInputSample = "center_input_sample", timestepPostAct = "timestep_post_act"
      case timeCondProjDim = "time_cond_proj_dim", classEmbeddingsConcat = "class_embeddings_concat"
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      sampleSize = try c.decodeIfPresent(Int.self, forKey: .sampleSize)
      inChannels = try c.decodeIfPresent(Int.self, forKey: .inChannels) ?? inChannels
      outChannels = try c.decodeIfPresent(Int.self, forKey: .outChannels) ?? outChannels
      downBlockTypes = try c.decode([String].self, forKey: .downBlockTypes)
      upBlockTypes = try c.decode([String].self, forKey: .upBlockTypes)
      if c.contains(.midBlockType) { midBlockType = try c.decodeIfPresent(String.self, forKey: .midBlockType) }
      blockOutChannels = try c.decode([Int].self, forKey: .blockOutChannels)
      layersPerBlock = try c.decodeIfPresent(Int.self, forKey: .layersPerBlock) ?? layersPerBlock
      crossAttentionDim = try c.decodeIfPresent(IntOrList.self, forKey: .crossAttentionDim) ?? crossAttentionDim
      attentionHeadDim = try c.decodeIfPresent(IntOrList.self, forKey: .attentionHeadDim) ?? attentionHeadDim
      resnetTimeScaleShift = try c.decodeIfPresent(String.self, forKey: .resnetTimeScaleShift) ?? resnetTimeScaleShift
      classEmbedType = try c.decodeIfPresent(String.self, forKey: .classEmbedType)
      normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? normNumGroups
      normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? normEps
      flipSinToCos = try c.decodeIfPresent(Bool.self, forKey: .flipSinToCos) ?? flipSinToCos
      freqShift = try c.decodeIfPresent(Float.self, forKey: .freqShift) ?? freqShift
      actFn = try c.decodeIfPresent(String.self, forKey: .actFn) ?? actFn
      midBlockScaleFactor = try c.decodeIfPresent(Float.self, forKey: .midBlockScaleFactor) ?? midBlockScaleFactor
      resnetOutScaleFactor = try c.decodeIfPresent(Float.self, forKey: .resnetOutScaleFactor) ?? resnetOutScaleFactor
      resnetSkipTimeAct = try c.decodeIfPresent(Bool.self, forKey: .resnetSkipTimeAct) ?? resnetSkipTimeAct
      onlyCrossAttention = (try? c.decodeIfPresent(Bool.self, forKey: .onlyCrossAttention)) ?? false
      crossAttentionNorm = try c.decodeIfPresent(String.self, forKey: .crossAttentionNorm)
      timeEmbeddingType = try c.decodeIfPresent(String.self, forKey: .timeEmbeddingType) ?? timeEmbeddingType
      timeEmbeddingDim = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingDim)
      additionEmbedType = try c.decodeIfPresent(String.self, forKey: .additionEmbedType)
      encoderHidDimType = try c.decodeIfPresent(String.self, forKey: .encoderHidDimType)
      centerInputSample = try c.decodeIfPresent(Bool.self, forKey: .centerInputSample) ?? false
      timestepPostAct = try c.decodeIfPresent(String.self, forKey: .timestepPostAct)
      timeCondProjDim = try c.decodeIfPresent(Int.self, forKey: .timeCondProjDim)
      classEmbeddingsConcat = try c.decodeIfPresent(Bool.self, forKey: .classEmbeddingsConcat) ?? false
    }

    /// Time-embedding size E (`time_embedding_dim` or 4 × the first block's channels).
    public var timeEmbedDim: Int { timeEmbeddingDim ?? blockOutChannels[0] * 4 }
    /// Cross-attention size X of the text tokens.
    public var crossChannels: Int { crossAttentionDim.values.last ?? 0 }
  }

  public let config: Config
  let convIn: Conv2DLayer
  let timeEmbedding: TimestepEmbedding
  let downBlocks: [DownBlock]
  let midBlock: MidBlock?
  let upBlocks: [UpBlock]
  let convNormOut: GroupNormLayer
  let convOut: Conv2DLayer

  /// Builds the model from `config`, reading every weight through `reader` (problems recorded there).
  public init(config: Config, reader: WeightReader) {
    self.config = config
    Self.checkSupported(config, reader: reader)
    let w = reader.scope("")
    let channels = config.blockOutChannels
    let timeChannels = config.timeEmbedDim
    convIn = Conv2DLayer(w, "conv_in", inputs: config.inChannels, outputs: channels[0], kernel: 3)
    timeEmbedding = TimestepEmbedding(w.scope("time_embedding"), inputs: channels[0], hidden: timeChannels, outputs: timeChannels)
    let timeNorm = TimeEmbeddingNorm(rawValue: config.resnetTimeScaleShift) ?? .default
    let settings = ResnetSettings(timeChannels: timeChannels, groups: config.normNumGroups, epsilon: config.normEps,
                                  timeNorm: timeNorm, outputScaleFactor: config.resnetOutScaleFactor,
                                  skipTimeActivation: config.resnetSkipTimeAct)
    let blocks = channels.count
    let attention = { (heads: IntOrList, cross: IntOrList) -> AttentionFactory in
      { scope, blockChannels, index in
        let headSize = heads.value(index, of: blocks)
        return .addedKV(AddedKVAttention(scope, channels: blockChannels, heads: blockChannels / headSize, headSize: headSize,
                                         crossChannels: cross.value(index, of: blocks), groups: config.normNumGroups,
                                         epsilon: config.normEps, onlyCrossAttention: config.onlyCrossAttention))
      }
    }
    downBlocks = buildDownBlocks(w, types: config.downBlockTypes, channels: channels, layersPerBlock: config.layersPerBlock,
                                 resnets: settings, attention: attention(config.attentionHeadDim, config.crossAttentionDim))
    let reversedHeads = IntOrList(config.attentionHeadDim.values.reversed())
    let reversedCross = IntOrList(config.crossAttentionDim.values.reversed())
    if config.midBlockType == "UNetMidBlock2DSimpleCrossAttn" {
      let mid = w.scope("mid_block")
      let last = channels[blocks - 1]
      let headSize = config.attentionHeadDim.values.last ?? 1
      let midSettings = ResnetSettings(timeChannels: timeChannels, groups: config.normNumGroups, epsilon: config.normEps,
                                       timeNorm: timeNorm, outputScaleFactor: config.midBlockScaleFactor,
                                       skipTimeActivation: config.resnetSkipTimeAct)
      let attentionLayer = AddedKVAttention(mid.scope("attentions.0"), channels: last, heads: last / headSize, headSize: headSize,
                                            crossChannels: config.crossChannels, groups: config.normNumGroups,
                                            epsilon: config.normEps, onlyCrossAttention: config.onlyCrossAttention)
      midBlock = MidBlock(resnets: [midSettings.block(mid.scope("resnets.0"), inputs: last, outputs: last),
                                    midSettings.block(mid.scope("resnets.1"), inputs: last, outputs: last)],
                          attentions: [.addedKV(attentionLayer)])
    } else {
      midBlock = nil
    }
    upBlocks = buildUpBlocks(w, types: config.upBlockTypes, channels: channels, layersPerBlock: config.layersPerBlock,
                             resnets: settings, attention: attention(reversedHeads, reversedCross))
    convNormOut = GroupNormLayer(w, "conv_norm_out", channels: channels[0], groups: config.normNumGroups, epsilon: config.normEps)
    convOut = Conv2DLayer(w, "conv_out", inputs: channels[0], outputs: config.outChannels, kernel: 3)
  }

  private static func checkSupported(_ config: Config, reader: WeightReader) {
    func unsupported(_ key: String, _ value: String) { reader.record("config.json \(key) = \(value) is not supported") }
    checkBlockTypes(config.downBlockTypes, key: "down_block_types", known: UNetBlockKind.downHasAttention, reader: reader)
    checkBlockTypes(config.upBlockTypes, key: "up_block_types", known: UNetBlockKind.upHasAttention, reader: reader)
    if let mid = config.midBlockType, mid != "UNetMidBlock2DSimpleCrossAttn" { unsupported("mid_block_type", mid) }
    if config.downBlockTypes.count != config.blockOutChannels.count || config.upBlockTypes.count != config.blockOutChannels.count {
      unsupported("block_out_channels", "\(config.blockOutChannels) for \(config.downBlockTypes.count) down blocks")
    }
    if TimeEmbeddingNorm(rawValue: config.resnetTimeScaleShift) == nil { unsupported("resnet_time_scale_shift", config.resnetTimeScaleShift) }
    if let type = config.classEmbedType, type != "identity" { unsupported("class_embed_type", type) }
    if config.actFn != "silu" { unsupported("act_fn", config.actFn) }
    if config.timeEmbeddingType != "positional" { unsupported("time_embedding_type", config.timeEmbeddingType) }
    if let type = config.additionEmbedType { unsupported("addition_embed_type", type) }
    if let type = config.encoderHidDimType { unsupported("encoder_hid_dim_type", type) }
    if let norm = config.crossAttentionNorm { unsupported("cross_attention_norm", norm) }
    if let act = config.timestepPostAct { unsupported("timestep_post_act", act) }
    if let dim = config.timeCondProjDim { unsupported("time_cond_proj_dim", "\(dim)") }
    if config.centerInputSample { unsupported("center_input_sample", "true") }
    if config.classEmbeddingsConcat { unsupported("class_embeddings_concat", "true") }
  }

  /// One forward pass: `sample` [N, C, H, W], `timestep`, `encoderHiddenStates` [N, T, X],
  /// `classLabels` [N, E] (added to the time embedding), `attentionMask` [N, T] of 1/0 → [N, outC, H, W].
  public func callAsFunction(sample: Tensor, timestep: Int, encoderHiddenStates: Tensor, classLabels: Tensor?,
                             attentionMask: Tensor?) -> Tensor {
    let batch = sample.shape[0]
    // diffusers: (1 - mask) · -10000, unsqueezed to [N, 1, T].
    let bias = attentionMask.map { mul(sub(Tensor(repeating: 1, shape: [1]), $0.toFloat32()), -10000) }
    let projected = timestepProjection(timestep, batch: batch, dim: config.blockOutChannels[0],
                                       flipSinToCos: config.flipSinToCos, freqShift: config.freqShift)
    var embedding = timeEmbedding(projected)  // [N,C0] -> [N,E]
    if config.classEmbedType == "identity", let classLabels { embedding = add(embedding, classLabels) }
    let hidden = runUNetBlocks(convIn(sample), down: downBlocks, mid: midBlock, up: upBlocks,  // [N,C,H,W] -> [N,C0,H,W]
                               timeEmbedding: embedding, context: encoderHiddenStates, mask: bias)
    return convOut(convNormOut.silu(hidden))  // [N,C0,H,W] -> [N,outC,H,W]
  }
}
