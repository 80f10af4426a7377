// CLIP stages: CLIPTokenizerStage, CLIPTextEncoderStage, CLIPImageEncoderStage, CLIPRerankStage
// The CLIP half of the unCLIP plugin as pipeline stages: clip.tokenizer, clip.text_encoder,
// clip.image_encoder and clip.rerank. Each takes `model`: a diffusers unCLIP folder (Karlo's layout:
// tokenizer/, text_encoder/, image_encoder/, feature_extractor/) or the component folder itself.
// N items, T tokens (77), W hidden size, D projection size, H, W, C image size, K kept images.
import EaselPluginSDK
import Foundation
import TensorCore

/// Resolves `model` to the component folder `component` inside it, or to itself.
func clipComponentFolder(_ model: String, _ component: String) -> URL {
  let root = URL(fileURLWithPath: model)
  let inside = root.appendingPathComponent(component)
  var isFolder: ObjCBool = false
  return FileManager.default.fileExists(atPath: inside.path, isDirectory: &isFolder) && isFolder.boolValue ? inside : root
}

/// Records for provenance the files among `names` that exist in `folder`.
func clipRecordFiles(in folder: URL, _ names: [String], context: StageContext) {
  for name in names {
    let path = folder.appendingPathComponent(name).path
    if FileManager.default.fileExists(atPath: path) { context.recordFile(path) }
  }
}

let clipWeightFileNames = ["config.json", "model.safetensors", "model.safetensors.index.json", "model.fp16.safetensors"]

/// `clip.tokenizer`: text → CLIP token ids, as transformers' CLIPTokenizer pads them for unCLIP.
public struct CLIPTokenizerStage: Stage {
  public static let name = "clip.tokenizer"
  public static let summary = "Tokenize a prompt with CLIP's BPE (bos, ≤75 tokens, eos, padded to 77)"
  public static let inputs = [PortSpec("text", .text, description: "the prompt")]
  public static let outputs = [
    PortSpec("tokens", .tokens, shape: "[1,77]", description: "token ids"),
    PortSpec("attention_mask", .tensor, dtype: .i32, shape: "[1,77]", description: "1 for bos…eos, 0 for padding"),
  ]
  public static let parameters: [ParamSpec] = [
    .path("model", default: nil, description: "model folder with tokenizer/, a tokenizer folder, or a merges file "
      + "(open_clip's decompressed bpe_simple_vocab_16e6.txt)"),
  ]

  let tokenizer: CLIPTokenizer

  public init(parameters: StageParameters, context: StageContext) throws {
    let model = try parameters.string("model")
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: model, isDirectory: &isFolder), !isFolder.boolValue {
      tokenizer = try CLIPTokenizer(mergesFile: URL(fileURLWithPath: model))
      context.recordFile(model)
    } else {
      let folder = clipComponentFolder(model, "tokenizer")
      tokenizer = try CLIPTokenizer(folder: folder)
      clipRecordFiles(in: folder, ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
                                   "special_tokens_map.json"], context: context)
    }
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let (tokens, mask) = tokenizer.tokenizeWithMask([try inputs.text("text")])
    return StageOutputs(["tokens": .tokens(tokens), "attention_mask": .tensor(mask)])
  }
}

/// `clip.text_encoder`: token ids → CLIP text embeddings and hidden states.
public struct CLIPTextEncoderStage: Stage {
  public static let name = "clip.text_encoder"
  public static let summary = "CLIP text encoder with projection (transformers CLIPTextModelWithProjection)"
  public static let inputs = [PortSpec("tokens", .tokens, shape: "[N,T]", description: "token ids (clip.tokenizer)")]
  public static let outputs = [
    PortSpec("text_embeds", .tensor, shape: "[N,D]", description: "projected eos-token state"),
    PortSpec("last_hidden_state", .tensor, shape: "[N,T,W]", description: "final-layer-normed token states"),
  ]
  public static let parameters: [ParamSpec] = [
    .path("model", default: nil, description: "model folder with text_encoder/, or the text encoder folder"),
  ]

  let encoder: CLIPTextEncoder

  public init(parameters: StageParameters, context: StageContext) throws {
    let folder = clipComponentFolder(try parameters.string("model"), "text_encoder")
    encoder = try CLIPTextEncoder(folder: folder)
    clipRecordFiles(in: folder, clipWeightFileNames, context: context)
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let output = try encoder(try inputs.tensor("tokens"))
    return StageOutputs(["text_embeds": .tensor(output.textEmbeds), "last_hidden_state": .tensor(output.lastHiddenState)])
  }
}

/// `clip.image_encoder`: images → CLIP image embeddings (CLIPImageProcessor + vision tower).
public struct CLIPImageEncoderStage: Stage {
  public static let name = "clip.image_encoder"
  public static let summary = "CLIP image encoder with projection, after CLIPImageProcessor preprocessing"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images in 0…1")]
  public static let outputs = [PortSpec("image_embeds", .tensor, shape: "[N,D]", description: "projected class-token state")]
  public static let parameters: [ParamSpec] = [
    .path("model", default: nil, description: "model folder with image_encoder/ and feature_extractor/"),
  ]

  let encoder: CLIPVisionEncoder
  let processor: CLIPImageProcessor

  public init(parameters: StageParameters, context: StageContext) throws {
    let model = try parameters.string("model")
    let folder = clipComponentFolder(model, "image_encoder")
    let processorFolder = clipComponentFolder(model, "feature_extractor")
    encoder = try CLIPVisionEncoder(folder: folder)
    processor = try CLIPImageProcessor(folder: processorFolder)
    clipRecordFiles(in: folder, clipWeightFileNames, context: context)
    clipRecordFiles(in: processorFolder, ["preprocessor_config.json"], context: context)
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let pixelValues = try processor.preprocess(images: try inputs.tensor("image"))  // [N,H,W,C] -> [N,3,S,S]
    return StageOutputs(["image_embeds": .tensor(try encoder(pixelValues).imageEmbeds)])
  }
}

/// `clip.rerank`: keeps the K images that CLIP finds closest to the prompt.
public struct CLIPRerankStage: Stage {
  public static let name = "clip.rerank"
  public static let summary = "Keep the K images most similar to the prompt (CLIP cosine), best first"
  public static let inputs = [
    PortSpec("images", .image, shape: "[N,H,W,C]", description: "candidate images in 0…1"),
    PortSpec("prompt", .text, description: "what the images should show"),
  ]
  public static let outputs = [
    PortSpec("images", .image, shape: "[K,H,W,C]", description: "the kept images, best first"),
    PortSpec("scores", .scores, shape: "[K]", description: "their cosine similarity to the prompt"),
  ]
  public static let parameters: [ParamSpec] = [
    .int("keep", default: 1, range: 1...4096, description: "how many images to keep (K; all when N is smaller)"),
    .path("model", default: nil, description: "model folder with tokenizer/, text_encoder/, image_encoder/, feature_extractor/"),
  ]

  let keep: Int
  let reranker: CLIPReranker

  public init(parameters: StageParameters, context: StageContext) throws {
    keep = try parameters.int("keep")
    let model = try parameters.string("model")
    reranker = try CLIPReranker(modelFolder: URL(fileURLWithPath: model))
    let root = URL(fileURLWithPath: model)
    clipRecordFiles(in: root.appendingPathComponent("tokenizer"), ["vocab.json", "merges.txt", "tokenizer.json",
                                                                   "tokenizer_config.json"], context: context)
    clipRecordFiles(in: root.appendingPathComponent("text_encoder"), clipWeightFileNames, context: context)
    clipRecordFiles(in: root.appendingPathComponent("image_encoder"), clipWeightFileNames, context: context)
    clipRecordFiles(in: root.appendingPathComponent("feature_extractor"), ["preprocessor_config.json"], context: context)
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let images = try inputs.tensor("images")
    let prompt = try inputs.text("prompt")
    let ranking = try reranker.rank(images: images, prompt: prompt, keep: keep)
    let kept = concat(ranking.indices.map { images.slice(outer: $0..<($0 + 1)) }, axis: 0)  // [N,H,W,C] -> [K,H,W,C]
    let metadata: [String: JSONValue] = [
      "clip_prompt": .string(prompt),
      "clip_scores": .array(ranking.scores.map { .number(Double($0)) }),
      "clip_indices": .array(ranking.indices.map { .number(Double($0)) }),
      "clip_all_scores": .array(ranking.allScores.map { .number(Double($0)) }),
    ]
    return StageOutputs(["images": .image(kept, metadata: metadata),
                         "scores": .scores(Tensor(ranking.scores, shape: [ranking.scores.count]), metadata: metadata)])
  }
}
