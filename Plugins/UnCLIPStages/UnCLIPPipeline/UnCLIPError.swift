// The one error type of UnCLIPStages: the CLIP half (tokenizer, encoders, image processor, reranker)
// and the diffusion half (prior, text_proj, decoder, super-res, schedulers, pipelines). Every message
// is one line ending with what the user can do about it.
import Foundation

/// Everything a user can cause while loading or running the unCLIP and CLIP models of a model folder.
public enum UnCLIPError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// The model folder does not exist or is not a directory.
  case folderNotFound(path: String)
  /// The model folder was checked and has the listed problems (every missing component, unreadable
  /// config, missing, extra or mis-shaped key at once).
  case invalidModel(folder: String, problems: [String])
  /// A config value that this port does not implement (`key` = `value` in `file`).
  case unsupportedConfig(file: String, key: String, value: String)
  /// A number of inference steps below what the scheduler can take.
  case invalidSteps(stage: String, steps: Int)
  /// A tokenizer folder holds neither `vocab.json` + `merges.txt` nor `tokenizer.json`.
  case tokenizerFilesMissing(folder: String)
  /// A tokenizer file (vocabulary, merges, tokenizer.json, tokenizer_config.json) does not parse.
  case malformedTokenizerFile(file: String, reason: String)
  /// A gzip-compressed merges file was given; Easel reads the decompressed text.
  case compressedMergesFile(file: String)
  /// A CLIP `config.json` or `preprocessor_config.json` is missing or does not decode.
  case invalidConfig(file: String, reason: String)
  /// A CLIP model folder has no weight file.
  case missingWeights(folder: String, candidates: [String])
  /// CLIP weights do not fit the config: every missing, extra, mis-shaped or mis-typed key at once.
  case invalidWeights(file: String, problems: [String])
  /// An input (tensor shape, image size, batch, value) that a model or pipeline cannot take.
  case invalidInput(String)

  public var description: String {
    switch self {
    case .folderNotFound(let path):
      return "\(path): no such model folder; pass a diffusers unCLIP folder (model_index.json, prior/, decoder/, …), e.g. --set <stage>.model=PATH"
    case .invalidModel(let folder, let problems):
      let list = problems.enumerated().map { "(\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")
      return "\(folder): \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(list);"
        + " use a complete diffusers unCLIP folder whose config.json files match its weights"
    case .unsupportedConfig(let file, let key, let value):
      return "\(file): \(key) = \(value) is not supported by Easel's unCLIP port; use a Karlo-style config"
        + " (see docs) or convert the model"
    case .invalidSteps(let stage, let steps):
      return "\(stage): \(steps) inference steps; the unCLIP scheduler needs at least 2, pass a larger number"
    case .tokenizerFilesMissing(let folder):
      return "\(folder): has no vocab.json + merges.txt and no tokenizer.json; point at the model folder's tokenizer/"
        + " (or at open_clip's decompressed bpe_simple_vocab_16e6.txt)"
    case .malformedTokenizerFile(let file, let reason):
      return "\(file): cannot be read as a CLIP tokenizer file (\(reason)); re-download or re-export the tokenizer"
    case .compressedMergesFile(let file):
      return "\(file): is gzip-compressed; decompress it first (gunzip -k \(file)) and pass the .txt file"
    case .invalidConfig(let file, let reason):
      return "\(file): is not a usable CLIP config (\(reason)); use the config.json saved with the weights"
    case .missingWeights(let folder, let candidates):
      return "\(folder): contains none of \(candidates.joined(separator: ", ")); copy the weights in safetensors format"
        + " into the folder"
    case .invalidWeights(let file, let problems):
      return "\(file): does not match its config.json (\(problems.count) problem\(problems.count == 1 ? "" : "s"): "
        + problems.joined(separator: "; ") + "); check that config.json and the weights belong together"
    case .invalidInput(let message):
      return "\(message); check what is connected to the stage or given to the unCLIP pipeline"
    }
  }

  public var errorDescription: String? { description }
}
