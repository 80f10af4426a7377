// The one error type of the CLIP half of UnCLIPStages (tokenizer, encoders, image processor,
// reranker). Every message is one line ending with what the user can do about it.
import Foundation

/// Everything a user can cause while loading or running the CLIP models of a model folder.
public enum CLIPError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// A tokenizer folder holds neither `vocab.json` + `merges.txt` nor `tokenizer.json`.
  case tokenizerFilesMissing(folder: String)
  /// A tokenizer file (vocabulary, merges, tokenizer.json, tokenizer_config.json) does not parse.
  case malformedTokenizerFile(file: String, reason: String)
  /// A gzip-compressed merges file was given; Easel reads the decompressed text.
  case compressedMergesFile(file: String)
  /// A `config.json` or `preprocessor_config.json` is missing or does not decode.
  case invalidConfig(file: String, reason: String)
  /// A model folder has no weight file.
  case missingWeights(folder: String, candidates: [String])
  /// The weights do not fit the config: every missing, extra, mis-shaped or mis-typed key at once.
  case invalidWeights(file: String, problems: [String])
  /// An input tensor or value that the model cannot take.
  case invalidInput(String)

  public var description: String {
    switch self {
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
    case .invalidInput(let reason):
      return "\(reason); check what is connected to the stage"
    }
  }

  public var errorDescription: String? { description }
}
