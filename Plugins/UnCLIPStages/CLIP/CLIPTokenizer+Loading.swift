// Where a CLIPTokenizer comes from: a model folder's tokenizer/ (vocab.json + merges.txt, or
// tokenizer.json, plus tokenizer_config.json / special_tokens_map.json for the special tokens and
// model_max_length), or open_clip's merges file alone, from which the vocabulary is derived.
import Foundation

extension CLIPTokenizer {
  /// Merges open_clip uses from `bpe_simple_vocab_16e6.txt`: 49152 − 256 − 2.
  public static let openCLIPMergeCount = 48_894

  /// Loads the tokenizer of a model folder's `tokenizer/` directory (or the directory itself).
  ///
  /// Reads `vocab.json` + `merges.txt` when present, otherwise `tokenizer.json`; special tokens and
  /// `model_max_length` come from `tokenizer_config.json` and `special_tokens_map.json` when present
  /// (defaults: CLIP's `<|startoftext|>`, `<|endoftext|>` for eos, pad and unknown, 77 tokens).
  public convenience init(folder: URL) throws(UnCLIPError) {
    let fileManager = FileManager.default
    var directory = folder
    if fileManager.fileExists(atPath: folder.appendingPathComponent("tokenizer").path) {
      directory = folder.appendingPathComponent("tokenizer")
    }
    let settings = try SpecialTokenSettings(directory: directory)
    let vocabURL = directory.appendingPathComponent("vocab.json")
    let mergesURL = directory.appendingPathComponent("merges.txt")
    let tokenizerJSON = directory.appendingPathComponent("tokenizer.json")
    let vocabulary: [String: Int32]
    let merges: [(String, String)]
    let source: String
    if fileManager.fileExists(atPath: vocabURL.path) && fileManager.fileExists(atPath: mergesURL.path) {
      vocabulary = try Self.readVocabulary(vocabURL)
      merges = try Self.readMerges(mergesURL, limit: nil)
      source = vocabURL.path
    } else if fileManager.fileExists(atPath: tokenizerJSON.path) {
      (vocabulary, merges) = try Self.readTokenizerJSON(tokenizerJSON)
      source = tokenizerJSON.path
    } else {
      throw .tokenizerFilesMissing(folder: directory.path)
    }
    try self.init(vocabulary: vocabulary, merges: merges, bosToken: settings.bos, eosToken: settings.eos,
                  padToken: settings.pad, unknownToken: settings.unknown, contextLength: settings.contextLength,
                  file: source)
  }

  /// A tokenizer from a merges file alone: open_clip's decompressed `bpe_simple_vocab_16e6.txt`
  /// (its first 48,894 merges) or a `merges.txt`. The vocabulary is derived as open_clip and
  /// transformers do: 256 byte symbols, the same with `</w>`, one token per merge, then
  /// `<|startoftext|>` and `<|endoftext|>` (49406 and 49407 for CLIP).
  public convenience init(mergesFile: URL, mergeLimit: Int? = CLIPTokenizer.openCLIPMergeCount,
                          contextLength: Int = 77) throws(UnCLIPError) {
    let merges = try Self.readMerges(mergesFile, limit: mergeLimit)
    let vocabulary = Self.derivedVocabulary(merges: merges)
    try self.init(vocabulary: vocabulary, merges: merges, contextLength: contextLength, file: mergesFile.path)
  }

  /// The vocabulary open_clip builds from `merges`.
  public static func derivedVocabulary(merges: [(String, String)]) -> [String: Int32] {
    var tokens = ByteLevelAlphabet.vocabularyOrder.map { String($0) }
    tokens += tokens.map { $0 + "</w>" }
    tokens += merges.map { $0.0 + $0.1 }
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    var vocabulary: [String: Int32] = [:]
    vocabulary.reserveCapacity(tokens.count)
    for (index, token) in tokens.enumerated() where vocabulary[token] == nil { vocabulary[token] = Int32(index) }
    return vocabulary
  }

  static func readVocabulary(_ url: URL) throws(UnCLIPError) -> [String: Int32] {
    let object = try readJSON(url)
    guard let dictionary = object as? [String: Any] else {
      throw .malformedTokenizerFile(file: url.path, reason: "not a JSON object of token → id")
    }
    return try vocabulary(from: dictionary, file: url.path)
  }

  private static func vocabulary(from dictionary: [String: Any], file: String) throws(UnCLIPError) -> [String: Int32] {
    var vocabulary: [String: Int32] = [:]
    vocabulary.reserveCapacity(dictionary.count)
    for (token, value) in dictionary {
      guard let number = value as? NSNumber, let id = Int32(exactly: number.doubleValue), id >= 0 else {
        throw .malformedTokenizerFile(file: file, reason: "token '\(token)' has no integer id")
      }
      vocabulary[token] = id
    }
    return vocabulary
  }

  /// Merge pairs of a merges.txt-style file; a first line holding `#version` is a header.
  static func readMerges(_ url: URL, limit: Int?) throws(UnCLIPError) -> [(String, String)] {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw .malformedTokenizerFile(file: url.path, reason: "cannot read it: \(error.localizedDescription)")
    }
    if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
      throw .compressedMergesFile(file: url.path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .malformedTokenizerFile(file: url.path, reason: "not UTF-8 text")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if let first = lines.first, first.contains("#version") { lines.removeFirst() }
    var merges: [(String, String)] = []
    merges.reserveCapacity(min(lines.count, limit ?? lines.count))
    for (number, line) in lines.enumerated() {
      if let limit, merges.count == limit { break }
      let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
      if trimmed.isEmpty { continue }
      let parts = trimmed.split(separator: " ", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw .malformedTokenizerFile(file: url.path, reason: "line \(number + 2) is not two symbols separated by a space")
      }
      merges.append((String(parts[0]), String(parts[1])))
    }
    return merges
  }

  /// Vocabulary and merges of a `tokenizers` tokenizer.json (merges as "a b" strings or [a, b] pairs).
  static func readTokenizerJSON(_ url: URL) throws(UnCLIPError) -> ([String: Int32], [(String, String)]) {
    guard let root = try readJSON(url) as? [String: Any], let model = root["model"] as? [String: Any],
          let vocabularyObject = model["vocab"] as? [String: Any], let mergeList = model["merges"] as? [Any]
    else { throw .malformedTokenizerFile(file: url.path, reason: "no model.vocab and model.merges") }
    if let type = model["type"] as? String, type != "BPE" {
      throw .malformedTokenizerFile(file: url.path, reason: "model type \(type), not BPE")
    }
    var vocabulary = try vocabulary(from: vocabularyObject, file: url.path)
    for case let added as [String: Any] in root["added_tokens"] as? [Any] ?? [] {
      if let content = added["content"] as? String, let id = (added["id"] as? NSNumber).flatMap({ Int32(exactly: $0.doubleValue) }) {
        vocabulary[content] = id
      }
    }
    var merges: [(String, String)] = []
    merges.reserveCapacity(mergeList.count)
    for (index, entry) in mergeList.enumerated() {
      if let pair = entry as? [String], pair.count == 2 {
        merges.append((pair[0], pair[1]))
      } else if let line = entry as? String {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
          throw .malformedTokenizerFile(file: url.path, reason: "merge #\(index + 1) '\(line)' is not two symbols")
        }
        merges.append((String(parts[0]), String(parts[1])))
      } else {
        throw .malformedTokenizerFile(file: url.path, reason: "merge #\(index + 1) is neither \"a b\" nor [a, b]")
      }
    }
    return (vocabulary, merges)
  }

  static func readJSON(_ url: URL) throws(UnCLIPError) -> Any {
    do {
      return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    } catch {
      throw .malformedTokenizerFile(file: url.path, reason: "not readable JSON: \(error.localizedDescription)")
    }
  }
}

/// Special tokens and length from tokenizer_config.json / special_tokens_map.json (either optional).
struct SpecialTokenSettings {
  var bos = "<|startoftext|>"
  var eos = "<|endoftext|>"
  var pad = "<|endoftext|>"
  var unknown: String? = "<|endoftext|>"
  var contextLength = 77

  init(directory: URL) throws(UnCLIPError) {
    for name in ["special_tokens_map.json", "tokenizer_config.json"] {
      let url = directory.appendingPathComponent(name)
      guard FileManager.default.fileExists(atPath: url.path) else { continue }
      guard let object = try CLIPTokenizer.readJSON(url) as? [String: Any] else {
        throw .malformedTokenizerFile(file: url.path, reason: "not a JSON object")
      }
      if let token = Self.token(object["bos_token"]) { bos = token }
      if let token = Self.token(object["eos_token"]) { eos = token }
      if let token = Self.token(object["pad_token"]) { pad = token }
      if let token = Self.token(object["unk_token"]) { unknown = token }
      // transformers writes 1e30 ("no limit") when none was given; CLIP's text model takes 77.
      if let length = (object["model_max_length"] as? NSNumber)?.doubleValue, length >= 2, length <= 1_000_000 {
        contextLength = Int(length)
      }
    }
  }

  /// A token given as a string or as an AddedToken object `{"content": …}`.
  private static func token(_ value: Any?) -> String? {
    if let text = value as? String { return text }
    if let object = value as? [String: Any], let content = object["content"] as? String { return content }
    return nil
  }
}
