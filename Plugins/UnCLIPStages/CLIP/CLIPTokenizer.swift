// Ports transformers 5.23's CLIPTokenizer (tokenizers 0.23 BPE backend): byte-level BPE with the
// CLIP pre-tokenizer, <|startoftext|> … <|endoftext|> around at most 75 tokens, padded to 77.
import Foundation
import TensorCore

/// The ids of one text, padded to the context length, with its attention mask.
public struct CLIPTokenization: Sendable, Equatable {
  /// Token ids, `contextLength` of them: bos, the text, eos, then padding.
  public var ids: [Int32]
  /// 1 for bos … eos, 0 for padding.
  public var attentionMask: [Int32]
}

/// CLIP's tokenizer: same ids as transformers' `CLIPTokenizer(...)(text, padding="max_length",
/// truncation=True, max_length=77)`.
public final class CLIPTokenizer: Sendable {
  /// Id of `<|startoftext|>` (49406 in CLIP's vocabulary).
  public let bosID: Int32
  /// Id of `<|endoftext|>` (49407).
  public let eosID: Int32
  /// Id used for padding: the folder's `pad_token` (CLIP/Karlo pad with `<|endoftext|>`).
  public let padID: Int32
  /// Tokens per sequence, bos and eos included (`model_max_length`, 77).
  public let contextLength: Int
  /// Number of entries in the vocabulary.
  public let vocabularySize: Int

  let model: BPEModel
  let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
  /// Word bytes → ids; tokenizers keeps the same kind of cache (10,000 words).
  private let cache = BPEWordCache(capacity: 10_000)

  /// A tokenizer from a vocabulary (token → id) and ranked merges.
  /// - Parameters:
  ///   - padToken: the padding token (default `<|endoftext|>`, as CLIP and Karlo pad).
  ///   - contextLength: `model_max_length`; sequences are truncated and padded to it.
  public init(vocabulary: [String: Int32], merges: [(String, String)], bosToken: String = "<|startoftext|>",
              eosToken: String = "<|endoftext|>", padToken: String = "<|endoftext|>",
              unknownToken: String? = "<|endoftext|>", contextLength: Int = 77, file: String = "vocabulary")
    throws(UnCLIPError)
  {
    func id(_ token: String, _ role: String) throws(UnCLIPError) -> Int32 {
      guard let id = vocabulary[token] else {
        throw .malformedTokenizerFile(file: file, reason: "the \(role) token '\(token)' is not in the vocabulary")
      }
      return id
    }
    bosID = try id(bosToken, "bos")
    eosID = try id(eosToken, "eos")
    padID = try id(padToken, "pad")
    guard contextLength >= 2 else {
      throw .malformedTokenizerFile(file: file, reason: "model_max_length \(contextLength) leaves no room for bos and eos")
    }
    self.contextLength = contextLength
    vocabularySize = vocabulary.count
    var unknownID: Int32?
    if let unknownToken { unknownID = try id(unknownToken, "unknown") }
    model = try BPEModel(vocabulary: vocabulary, mergePairs: merges, unknownID: unknownID, file: file)
    specialTokens = Set([bosToken, eosToken, padToken] + (unknownToken.map { [$0] } ?? [])).compactMap { token in
      vocabulary[token].map { (Array(token.unicodeScalars), $0) }
    }
  }

  /// The ids of `text` without bos, eos, truncation or padding.
  public func encodeWithoutSpecialTokens(_ text: String) -> [Int32] {
    var ids: [Int32] = []
    for token in preTokenize(text) {
      switch token {
      case .special(let id): ids.append(id)
      case .word(let bytes): ids.append(contentsOf: encodeWord(bytes))
      }
    }
    return ids
  }

  /// `text` as the unCLIP pipeline tokenizes it: bos, at most `contextLength` − 2 ids, eos, padding.
  public func encode(_ text: String) -> CLIPTokenization {
    let body = encodeWithoutSpecialTokens(text).prefix(contextLength - 2)
    var ids = [bosID]
    ids.reserveCapacity(contextLength)
    ids.append(contentsOf: body)
    ids.append(eosID)
    let used = ids.count
    ids.append(contentsOf: repeatElement(padID, count: contextLength - used))
    let mask = [Int32](repeating: 1, count: used) + [Int32](repeating: 0, count: contextLength - used)
    return CLIPTokenization(ids: ids, attentionMask: mask)
  }

  /// Token ids and attention masks of `texts` as i32 tensors: [N] texts -> [N,77] each.
  public func tokenizeWithMask(_ texts: [String]) -> (tokens: Tensor, attentionMask: Tensor) {
    let tokens = Tensor(zeros: [texts.count, contextLength], dtype: .i32)  // [N] -> [N,T]
    let mask = Tensor(zeros: [texts.count, contextLength], dtype: .i32)  // [N] -> [N,T]
    let tokenOutput = tokens.rawPointer.assumingMemoryBound(to: Int32.self)
    let maskOutput = mask.rawPointer.assumingMemoryBound(to: Int32.self)
    for (row, text) in texts.enumerated() {
      let encoded = encode(text)
      for column in 0..<contextLength {
        tokenOutput[row * contextLength + column] = encoded.ids[column]
        maskOutput[row * contextLength + column] = encoded.attentionMask[column]
      }
    }
    return (tokens, mask)
  }

  /// Token ids of `texts` as an i32 tensor: [N] texts -> [N,77].
  public func tokenize(_ texts: [String]) -> Tensor { tokenizeWithMask(texts).tokens }

  /// Attention masks of `texts` as an i32 tensor: [N] texts -> [N,77].
  public func attentionMask(_ texts: [String]) -> Tensor { tokenizeWithMask(texts).attentionMask }

  private func encodeWord(_ bytes: [UInt8]) -> [Int32] {
    if let cached = cache[bytes] { return cached }
    var ids: [Int32] = []
    model.encode(word: bytes, into: &ids)
    cache.insert(ids, for: bytes)
    return ids
  }
}

/// A lock-protected word → ids cache that stops growing at `capacity` (NSLock rather than
/// `Mutex`, which needs macOS 15 while the package supports macOS 14).
final class BPEWordCache: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [[UInt8]: [Int32]] = [:]
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  subscript(word: [UInt8]) -> [Int32]? {
    lock.lock()
    defer { lock.unlock() }
    return entries[word]
  }

  func insert(_ ids: [Int32], for word: [UInt8]) {
    lock.lock()
    defer { lock.unlock() }
    if entries.count < capacity { entries[word] = ids }
  }
}
