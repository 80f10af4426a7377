// transformers 5.23's CLIPTextConfig and CLIPVisionConfig as Codable structs reading config.json
// keys verbatim, with transformers' defaults for absent keys. A CLIPModel config (model_type "clip")
// carries them nested under `text_config` / `vision_config`; both are accepted.
import Foundation

/// The activation of the encoder MLP (`hidden_act`).
public enum CLIPActivation: String, Codable, Sendable {
  /// x · σ(1.702 x), the original CLIP's.
  case quickGELU = "quick_gelu"
  /// Exact erf GELU.
  case gelu
  /// tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
  case geluNew = "gelu_new"
  case geluPyTorchTanh = "gelu_pytorch_tanh"
}

/// Sizes shared by both towers' transformer encoders.
public protocol CLIPEncoderConfig: Sendable {
  var hiddenSize: Int { get }
  var intermediateSize: Int { get }
  var numHiddenLayers: Int { get }
  var numAttentionHeads: Int { get }
  var hiddenAct: CLIPActivation { get }
  var layerNormEps: Double { get }
}

/// `CLIPTextConfig` (transformers 5.23).
public struct CLIPTextConfig: CLIPEncoderConfig, Codable, Equatable {
  public var vocabSize = 49408
  public var hiddenSize = 512
  public var intermediateSize = 2048
  public var projectionDim = 512
  public var numHiddenLayers = 12
  public var numAttentionHeads = 8
  public var maxPositionEmbeddings = 77
  public var hiddenAct = CLIPActivation.quickGELU
  public var layerNormEps = 1e-5
  public var bosTokenID = 49406
  public var eosTokenID = 49407

  enum CodingKeys: String, CodingKey {
    case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
    case projectionDim = "projection_dim", numHiddenLayers = "num_hidden_layers"
    case numAttentionHeads = "num_attention_heads", maxPositionEmbeddings = "max_position_embeddings"
    case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps", bosTokenID = "bos_token_id"
    case eosTokenID = "eos_token_id"
  }

  /// transformers' defaults.
  public init() {}

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = CLIPTextConfig()
    vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? d.vocabSize
    hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
    intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
    projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
    numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
    numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
    maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? d.maxPositionEmbeddings
    hiddenAct = try c.decodeIfPresent(CLIPActivation.self, forKey: .hiddenAct) ?? d.hiddenAct
    layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps
    bosTokenID = try c.decodeIfPresent(Int.self, forKey: .bosTokenID) ?? d.bosTokenID
    eosTokenID = try c.decodeIfPresent(Int.self, forKey: .eosTokenID) ?? d.eosTokenID
  }
}

/// `CLIPVisionConfig` (transformers 5.23).
public struct CLIPVisionConfig: CLIPEncoderConfig, Codable, Equatable {
  public var hiddenSize = 768
  public var intermediateSize = 3072
  public var projectionDim = 512
  public var numHiddenLayers = 12
  public var numAttentionHeads = 12
  public var numChannels = 3
  public var imageSize = 224
  public var patchSize = 32
  public var hiddenAct = CLIPActivation.quickGELU
  public var layerNormEps = 1e-5

  enum CodingKeys: String, CodingKey {
    case hiddenSize = "hidden_size", intermediateSize = "intermediate_size", projectionDim = "projection_dim"
    case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
    case numChannels = "num_channels", imageSize = "image_size", patchSize = "patch_size"
    case hiddenAct = "hidden_act", layerNormEps = "layer_norm_eps"
  }

  /// transformers' defaults.
  public init() {}

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = CLIPVisionConfig()
    hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? d.hiddenSize
    intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? d.intermediateSize
    projectionDim = try c.decodeIfPresent(Int.self, forKey: .projectionDim) ?? d.projectionDim
    numHiddenLayers = try c.decodeIfPresent(Int.self, forKey: .numHiddenLayers) ?? d.numHiddenLayers
    numAttentionHeads = try c.decodeIfPresent(Int.self, forKey: .numAttentionHeads) ?? d.numAttentionHeads
    numChannels = try c.decodeIfPresent(Int.self, forKey: .numChannels) ?? d.numChannels
    imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
    patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? d.patchSize
    hiddenAct = try c.decodeIfPresent(CLIPActivation.self, forKey: .hiddenAct) ?? d.hiddenAct
    layerNormEps = try c.decodeIfPresent(Double.self, forKey: .layerNormEps) ?? d.layerNormEps
  }
}

/// A CLIPModel config.json: the two towers nested.
struct CLIPNestedConfig: Decodable {
  var textConfig: CLIPTextConfig?
  var visionConfig: CLIPVisionConfig?
  enum CodingKeys: String, CodingKey { case textConfig = "text_config", visionConfig = "vision_config" }
}

extension CLIPEncoderConfig {
  /// Problems with the sizes themselves (before any weight is looked at).
  func sizeProblems() -> [String] {
    var problems: [String] = []
    if hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers < 0 { problems.append("sizes must be positive") }
    if numAttentionHeads <= 0 || hiddenSize % max(numAttentionHeads, 1) != 0 {
      problems.append("hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
    }
    return problems
  }
}

/// Decodes a text or vision config from a config.json, flat or nested in a CLIPModel config.
func decodeCLIPConfig<Config: Decodable>(_ type: Config.Type, nested: KeyPath<CLIPNestedConfig, Config?>, file: String)
  throws(UnCLIPError) -> Config
{
  let data: Data
  do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
    throw .invalidConfig(file: file, reason: "cannot read it")
  }
  do {
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    if object?["text_config"] != nil || object?["vision_config"] != nil {
      if let config = try JSONDecoder().decode(CLIPNestedConfig.self, from: data)[keyPath: nested] { return config }
      throw UnCLIPError.invalidConfig(file: file, reason: "the CLIPModel config lacks this tower's config")
    }
    return try JSONDecoder().decode(type, from: data)
  } catch let error as UnCLIPError {
    throw error
  } catch {
    throw .invalidConfig(file: file, reason: "\(error)")
  }
}
