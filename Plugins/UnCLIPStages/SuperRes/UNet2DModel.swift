// Ports diffusers 0.42 UNet2DModel (models/unets/unet_2d.py) for the unCLIP super-resolution UNets:
// positional time embedding, ResnetDownsampleBlock2D / ResnetUpsampleBlock2D blocks and a
// UNetMidBlock2D with optional spatial self-attention, no class conditioning.
// N batch, C channels, H, W size, E time-embedding size.
import TensorCore

/// A super-resolution UNet (`super_res_first`, `super_res_last`).
public struct UNet2DModel: Sendable {
  /// `super_res_*/config.json`, keys verbatim; defaults are diffusers' own.
  public struct Config: Codable, Sendable {
    public var sampleSize: Int? = nil
    public var inChannels: Int = 3
    public var outChannels: Int = 3
    public var downBlockTypes: [String]
    public var upBlockTypes: [String]
    public var midBlockType: String? = "UNetMidBlock2D"
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int = 2
    public var attentionHeadDim: Int? = 8
    public var resnetTimeScaleShift: String = "default"
    public var normNumGroups: Int = 32
    public var normEps: Float = 1e-5
    public var flipSinToCos: Bool = true
    public var freqShift: Float = 0
    public var actFn: String = "silu"
    public var midBlockScaleFactor: Float = 1
    public var addAttention: Bool = true
    public var attnNormNumGroups: Int? = nil
    public var timeEmbeddingType: String = "positional"
    public var timeEmbeddingDim: Int? = nil
    public var classEmbedType: String? = nil
    public var numClassEmbeds: Int? = nil
    public var centerInputSample: Bool = false

    enum CodingKeys: String, CodingKey {
      case sampleSize = "sample_size", inChannels = "in_channels", outChannels = "out_channels"
      case downBlockTypes = "down_block_types", upBlockTypes = "up_block_types", midBlockType = "mid_block_type"
      case blockOutChannels = "block_out_channels", layersPerBlock = "layers_per_block"
      case attentionHeadDim = "attention_head_dim", resnetTimeScaleShift = "resnet_time_scale_shift"
      case normNumGroups = "norm_num_groups", normEps = "norm_eps", flipSinToCos = "flip_sin_to_cos"
      case freqShift = "freq_shift", actFn = "act_fn", midBlockScaleFactor = "mid_block_scale_factor"
      case addAttention = "add_attention", attnNormNumGroups = "attn_norm_num_groups"
      case timeEmbeddingType = "time_embedding_type", timeEmbeddingDim = "time_embedding_dim"
      case classEmbedType = "class_embed_type", numClassEmbeds = "num_class_embeds"
      case centerInputSample = "center_input_sample"
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
      if c.contains(.attentionHeadDim) { attentionHeadDim = try c.decodeIfPresent(Int.self, forKey: .attentionHeadDim) }
      resnetTimeScaleShift = try c.decodeIfPresent(String.self, forKey: .resnetTimeScaleShift) ?? resnetTimeScaleShift
      normNumGroups = try c.decodeIfPresent(Int.self, forKey: .normNumGroups) ?? normNumGroups
      normEps = try c.decodeIfPresent(Float.self, forKey: .normEps) ?? normEps
      flipSinToCos = try c.decodeIfPresent(Bool.self, forKey: .flipSinToCos) ?? flipSinToCos
      freqShift = try c.decodeIfPresent(Float.self, forKey: .freqShift) ?? freqShift
      actFn = try c.decodeIfPresent(String.self, forKey: .actFn) ?? actFn
      midBlockScaleFactor = try c.decodeIfPresent(Float.self, forKey: .midBlockScaleFactor) ?? midBlockScaleFactor
      addAttention = try c.decodeIfPresent(Bool.self, forKey: .addAttention) ?? addAttention
      attnNormNumGroups = try c.decodeIfPresent(Int.self, forKey: .attnNormNumGroups)
      timeEmbeddingType = try c.decodeIfPresent(String.self, forKey: .timeEmbeddingType) ?? timeEmbeddingType
      timeEmbeddingDim = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingDim)
      classEmbedType = try c.decodeIfPresent(String.self, forKey: .classEmbedType)
      numClassEmbeds = try c.decodeIfPresent(Int.self, forKey: .numClassEmbeds)
      centerInputSample = try c.decodeIfPresent(Bool.self, forKey: .centerInputSample) ?? false
    }

    /// Time-embedding size E.
    public var timeEmbedDim: Int { timeEmbeddingDim ?? blockOutChannels[0] * 4 }
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
    let timeNorm = TimeEmbeddingNorm(rawValue: config.resnetTimeScaleShift) ?? .default
    convIn = Conv2DLayer(w, "conv_in", inputs: config.inChannels, outputs: channels[0], kernel: 3)
    timeEmbedding = TimestepEmbedding(w.scope("time_embedding"), inputs: channels[0], hidden: timeChannels, outputs: timeChannels)
    let settings = ResnetSettings(timeChannels: timeChannels, groups: config.normNumGroups, epsilon: config.normEps,
                                  timeNorm: timeNorm, outputScaleFactor: 1, skipTimeActivation: false)
    let noAttention: AttentionFactory = { _, _, _ in preconditionFailure("resnet-only block asked for attention") }
    downBlocks = buildDownBlocks(w, types: config.downBlockTypes, channels: channels, layersPerBlock: config.layersPerBlock,
                                 resnets: settings, attention: noAttention)
    if config.midBlockType == "UNetMidBlock2D" {
      let mid = w.scope("mid_block")
      let last = channels[channels.count - 1]
      let factor = config.midBlockScaleFactor
      var attention: BlockAttention?
      if config.addAttention {
        let headSize = config.attentionHeadDim ?? last
        // UNetMidBlock2D: attn_groups defaults to resnet_groups only with the "default" time norm.
        let groups = config.attnNormNumGroups ?? (timeNorm == .default ? config.normNumGroups : nil)
        attention = .spatial(SpatialSelfAttention(mid.scope("attentions.0"), channels: last, heads: last / headSize,
                                                  headSize: headSize, groups: groups, epsilon: config.normEps,
                                                  rescaleOutputFactor: factor))
      }
      midBlock = MidBlock(resnets: [settings.block(mid.scope("resnets.0"), inputs: last, outputs: last, outputScaleFactor: factor),
                                    settings.block(mid.scope("resnets.1"), inputs: last, outputs: last, outputScaleFactor: factor)],
                          attentions: [attention])
    } else {
      midBlock = nil
    }
    upBlocks = buildUpBlocks(w, types: config.upBlockTypes, channels: channels, layersPerBlock: config.layersPerBlock,
                             resnets: settings, attention: noAttention)
    convNormOut = GroupNormLayer(w, "conv_norm_out", channels: channels[0], groups: config.normNumGroups, epsilon: config.normEps)
    convOut = Conv2DLayer(w, "conv_out", inputs: channels[0], outputs: config.outChannels, kernel: 3)
  }

  private static func checkSupported(_ config: Config, reader: WeightReader) {
    func unsupported(_ key: String, _ value: String) { reader.record("config.json \(key) = \(value) is not supported") }
    let resnetOnlyDown = { (type: String) -> Bool? in type == "ResnetDownsampleBlock2D" ? false : nil }
    let resnetOnlyUp = { (type: String) -> Bool? in type == "ResnetUpsampleBlock2D" ? false : nil }
    checkBlockTypes(config.downBlockTypes, key: "down_block_types", known: resnetOnlyDown, reader: reader)
    checkBlockTypes(config.upBlockTypes, key: "up_block_types", known: resnetOnlyUp, reader: reader)
    if let mid = config.midBlockType, mid != "UNetMidBlock2D" { unsupported("mid_block_type", mid) }
    if config.downBlockTypes.count != config.blockOutChannels.count || config.upBlockTypes.count != config.blockOutChannels.count {
      unsupported("block_out_channels", "\(config.blockOutChannels) for \(config.downBlockTypes.count) down blocks")
    }
    if TimeEmbeddingNorm(rawValue: config.resnetTimeScaleShift) == nil { unsupported("resnet_time_scale_shift", config.resnetTimeScaleShift) }
    if config.actFn != "silu" { unsupported("act_fn", config.actFn) }
    if config.timeEmbeddingType != "positional" { unsupported("time_embedding_type", config.timeEmbeddingType) }
    if let type = config.classEmbedType { unsupported("class_embed_type", type) }
    if let count = config.numClassEmbeds { unsupported("num_class_embeds", "\(count)") }
    if config.centerInputSample { unsupported("center_input_sample", "true") }
  }

  /// One forward pass: `sample` [N, C, H, W] at `timestep` → [N, outC, H, W].
  public func callAsFunction(sample: Tensor, timestep: Int) -> Tensor {
    let projected = timestepProjection(timestep, batch: sample.shape[0], dim: config.blockOutChannels[0],
                                       flipSinToCos: config.flipSinToCos, freqShift: config.freqShift)
    let embedding = timeEmbedding(projected)  // [N,C0] -> [N,E]
    let hidden = runUNetBlocks(convIn(sample), down: downBlocks, mid: midBlock, up: upBlocks,  // [N,C,H,W] -> [N,C0,H,W]
                               timeEmbedding: embedding, context: nil, mask: nil)
    return convOut(convNormOut.silu(hidden))  // [N,C0,H,W] -> [N,outC,H,W]
  }
}
