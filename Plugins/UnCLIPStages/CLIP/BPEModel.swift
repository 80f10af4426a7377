// Byte-level BPE as `tokenizers`' BPE model runs it for CLIP (end-of-word suffix `</w>`, no
// continuing-subword prefix, no dropout): a word's UTF-8 bytes become byte symbols, the last one
// carrying `</w>`, and the lowest-ranked adjacent pair is merged, leftmost first, until none is left.

/// GPT-2's reversible map from bytes to printable characters, which CLIP's vocabulary is written in.
public enum ByteLevelAlphabet {
  /// The character each byte 0…255 stands for.
  public static let characters: [Character] = {
    var bytes = Array(33...126) + Array(161...172) + Array(174...255)
    var codes = bytes
    var next = 0
    for byte in 0...255 where !bytes.contains(byte) {
      bytes.append(byte)
      codes.append(256 + next)
      next += 1
    }
    var table = [Character](repeating: " ", count: 256)
    for (byte, code) in zip(bytes, codes) {
      table[byte] = Character(Unicode.Scalar(UInt32(code))!)  // codes stay below 0x144: always scalars
    }
    return table
  }()

  /// The 256 characters in open_clip's vocabulary order (printable bytes first, then the others).
  public static let vocabularyOrder: [Character] = {
    let bytes = Array(33...126) + Array(161...172) + Array(174...255)
    let rest = (0...255).filter { !bytes.contains($0) }
    return (bytes + rest).map { characters[$0] }
  }()
}

/// A BPE vocabulary and merge table with ids resolved, so encoding never touches strings.
struct BPEModel: Sendable {
  /// Token id of byte b as a word-inner symbol, or -1 when the vocabulary lacks it.
  let byteIDs: [Int32]
  /// Token id of byte b followed by `</w>`, or -1.
  let byteEndIDs: [Int32]
  /// (left id << 32 | right id) → (rank, merged id).
  let merges: [UInt64: (rank: Int32, merged: Int32)]
  /// Id for symbols outside the vocabulary, or nil to drop them (as `tokenizers` does without one).
  let unknownID: Int32?

  init(vocabulary: [String: Int32], mergePairs: [(String, String)], unknownID: Int32?, file: String) throws(UnCLIPError) {
    var byteIDs = [Int32](repeating: -1, count: 256)
    var byteEndIDs = [Int32](repeating: -1, count: 256)
    for byte in 0..<256 {
      let symbol = String(ByteLevelAlphabet.characters[byte])
      byteIDs[byte] = vocabulary[symbol] ?? -1
      byteEndIDs[byte] = vocabulary[symbol + "</w>"] ?? -1
    }
    var merges: [UInt64: (rank: Int32, merged: Int32)] = [:]
    merges.reserveCapacity(mergePairs.count)
    for (rank, pair) in mergePairs.enumerated() {
      guard let left = vocabulary[pair.0], let right = vocabulary[pair.1] else {
        throw .malformedTokenizerFile(file: file, reason: "merge #\(rank + 1) '\(pair.0) \(pair.1)' uses a symbol missing from the vocabulary")
      }
      guard let merged = vocabulary[pair.0 + pair.1] else {
        throw .malformedTokenizerFile(file: file, reason: "merge #\(rank + 1) makes '\(pair.0 + pair.1)', which the vocabulary lacks")
      }
      let key = Self.key(left, right)
      if merges[key] == nil { merges[key] = (Int32(rank), merged) }
    }
    self.byteIDs = byteIDs
    self.byteEndIDs = byteEndIDs
    self.merges = merges
    self.unknownID = unknownID
  }

  @inline(__always)
  static func key(_ left: Int32, _ right: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
  }

  /// The ids of one pre-tokenized word, given as UTF-8 bytes.
  func encode(word bytes: [UInt8], into ids: inout [Int32]) {
    var symbols: [Int32] = []
    symbols.reserveCapacity(bytes.count)
    for (index, byte) in bytes.enumerated() {
      let id = index == bytes.count - 1 ? byteEndIDs[Int(byte)] : byteIDs[Int(byte)]
      if id >= 0 {
        symbols.append(id)
      } else if let unknownID {
        symbols.append(unknownID)
      }
    }
    // tokenizers pops the lowest (rank, position) merge from a heap; rescanning for the same minimum
    // after each merge gives the same sequence of merges. Pair ranks are kept in an array and only
    // the two pairs next to a merge are looked up again.
    guard symbols.count > 1 else {
      ids.append(contentsOf: symbols)
      return
    }
    var ranks = [Int32](repeating: .max, count: symbols.count - 1)
    var products = [Int32](repeating: 0, count: symbols.count - 1)
    for position in 0..<ranks.count { lookUp(position, symbols, &ranks, &products) }
    while !ranks.isEmpty {
      var best = 0
      for position in 1..<ranks.count where ranks[position] < ranks[best] { best = position }
      if ranks[best] == .max { break }
      symbols[best] = products[best]
      symbols.remove(at: best + 1)
      ranks.remove(at: best)
      products.remove(at: best)
      if best < ranks.count { lookUp(best, symbols, &ranks, &products) }
      if best > 0 { lookUp(best - 1, symbols, &ranks, &products) }
    }
    ids.append(contentsOf: symbols)
  }

  /// Rank and product of the pair starting at `position` (rank `.max` when it does not merge).
  @inline(__always)
  private func lookUp(_ position: Int, _ symbols: [Int32], _ ranks: inout [Int32], _ products: inout [Int32]) {
    if let merge = merges[Self.key(symbols[position], symbols[position + 1])] {
      ranks[position] = merge.rank
      products[position] = merge.merged
    } else {
      ranks[position] = .max
    }
  }
}
