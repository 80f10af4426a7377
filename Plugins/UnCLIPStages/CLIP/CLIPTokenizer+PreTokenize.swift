// Text → words, exactly as transformers 5.23's CLIPTokenizer (tokenizers 0.23) prepares it:
// 1. the special tokens `<|startoftext|>` / `<|endoftext|>` are cut out of the raw text (case-sensitive);
// 2. each remaining piece is normalised: NFC, `\s+` → " ", per-character full lower-casing (no
//    final-sigma rule: tokenizers lower-cases char by char);
// 3. the CLIP pattern `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
//    keeps its matches and drops the rest (only whitespace is left out). The ByteLevel pre-tokenizer
//    that follows re-splits with GPT-2's pattern, which leaves every CLIP piece whole except the
//    lower-cased special-token spellings (`<|ENDOFTEXT|>` in the raw text): `<|`, `endoftext`, `|>`.
// No ftfy and no HTML unescaping: transformers does neither.
import Foundation

/// One unit of pre-tokenized text: a special token's id, or a word for BPE.
enum CLIPPreToken {
  case special(Int32)
  case word([UInt8])
}

/// What a scalar is to the CLIP pattern.
enum CLIPScalarClass: UInt8 {
  case space, letter, number, other
}

extension CLIPScalarClass {
  /// ASCII classes, looked up without touching Unicode properties.
  static let ascii: [CLIPScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

  @inline(__always)
  static func of(_ scalar: Unicode.Scalar) -> CLIPScalarClass {
    scalar.value < 128 ? ascii[Int(scalar.value)] : classify(scalar)
  }

  /// The newest Unicode version the reference's pattern matcher knows: tokenizers 0.23's Oniguruma
  /// has Unicode 16.0 tables, Swift 6.3 has 17.0, so characters assigned in 17.0 are unassigned
  /// (`other`) to the pattern. (Its lower-casing is Rust's, which knows 17.0 as Swift does.)
  static let referenceUnicodeMajor = 16

  /// Whether the reference's Unicode tables know `scalar` (see ``referenceUnicodeMajor``).
  @inline(__always)
  static func isKnownToReference(_ properties: Unicode.Scalar.Properties) -> Bool {
    guard let age = properties.age else { return false }
    return age.major <= referenceUnicodeMajor
  }

  /// `\s` is Unicode White_Space in Oniguruma as in Swift; `\p{L}` and `\p{N}` are general categories.
  static func classify(_ scalar: Unicode.Scalar) -> CLIPScalarClass {
    let properties = scalar.properties
    if properties.isWhitespace { return .space }
    if !isKnownToReference(properties) { return .other }
    switch properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
    case .decimalNumber, .letterNumber, .otherNumber: return .number
    default: return .other
    }
  }
}

extension CLIPTokenizer {
  /// The pre-tokens of `text`, in order.
  func preTokenize(_ text: String) -> [CLIPPreToken] {
    var result: [CLIPPreToken] = []
    let scalars = Array(text.unicodeScalars)
    var segmentStart = 0
    var index = 0
    while index < scalars.count {
      if scalars[index] == "<", let (length, id) = matchSpecial(scalars, at: index) {
        if segmentStart < index { appendWords(of: scalars[segmentStart..<index], to: &result) }
        result.append(.special(id))
        index += length
        segmentStart = index
      } else {
        index += 1
      }
    }
    if segmentStart < scalars.count { appendWords(of: scalars[segmentStart...], to: &result) }
    return result
  }

  /// The special token starting at `index` (leftmost-longest, as tokenizers' added vocabulary).
  private func matchSpecial(_ scalars: [Unicode.Scalar], at index: Int) -> (length: Int, id: Int32)? {
    var best: (length: Int, id: Int32)?
    for special in specialTokens where special.scalars.count > (best?.length ?? 0) {
      let pattern = special.scalars
      guard index + pattern.count <= scalars.count else { continue }
      var matches = true
      for offset in 0..<pattern.count where scalars[index + offset] != pattern[offset] {
        matches = false
        break
      }
      if matches { best = (pattern.count, special.id) }
    }
    return best
  }

  /// Normalises one piece of raw text and appends its CLIP-pattern matches as words.
  private func appendWords(of raw: ArraySlice<Unicode.Scalar>, to result: inout [CLIPPreToken]) {
    let normalized = Self.normalize(raw)
    var index = 0
    let count = normalized.count
    while index < count {
      let scalar = normalized[index]
      let kind = CLIPScalarClass.of(scalar)
      var end = index + 1
      switch kind {
      case .space:
        index = end
        continue
      case .letter:
        while end < count && CLIPScalarClass.of(normalized[end]) == .letter { end += 1 }
      case .number:
        break
      case .other:
        if let length = Self.literalLength(normalized, at: index) {
          end = index + length
          if normalized[index] == "<" {
            // ByteLevel's GPT-2 pattern splits the literal `<|endoftext|>` into `<|`, `endoftext`, `|>`.
            appendWord(normalized[index..<(index + 2)], to: &result)
            appendWord(normalized[(index + 2)..<(end - 2)], to: &result)
            appendWord(normalized[(end - 2)..<end], to: &result)
            index = end
            continue
          }
        } else {
          while end < count && CLIPScalarClass.of(normalized[end]) == .other { end += 1 }
        }
      }
      appendWord(normalized[index..<end], to: &result)
      index = end
    }
  }

  private func appendWord(_ scalars: ArraySlice<Unicode.Scalar>, to result: inout [CLIPPreToken]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(scalars.count * 2)
    for scalar in scalars { UTF8.encode(scalar) { bytes.append($0) } }
    result.append(.word(bytes))
  }

  /// Alternatives of the pattern tried before the `[^\s\p{L}\p{N}]+` run: the two special-token
  /// spellings and the contractions (only ever starting with `<` or an ASCII apostrophe).
  private static func literalLength(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
    let first = scalars[index]
    guard first == "<" || first == "'" else { return nil }
    for literal in patternLiterals where literal.first == first && index + literal.count <= scalars.count {
      var matches = true
      for offset in 1..<literal.count where scalars[index + offset] != literal[offset] {
        matches = false
        break
      }
      if matches { return literal.count }
    }
    return nil
  }

  private static let patternLiterals: [[Unicode.Scalar]] =
    ["<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map { Array($0.unicodeScalars) }

  /// NFC, then lower-casing scalar by scalar (`\s+` → " " needs no work: whitespace only separates).
  static func normalize(_ raw: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
    var scalars: [Unicode.Scalar]
    if raw.contains(where: { $0.value >= 0x300 }) {
      // Below U+0300 nothing composes with what precedes it, so ASCII-and-Latin-1 text is already NFC.
      var text = String.UnicodeScalarView()
      text.append(contentsOf: raw)
      scalars = Array(String(text).precomposedStringWithCanonicalMapping.unicodeScalars)
    } else {
      scalars = Array(raw)
    }
    var lowered: [Unicode.Scalar] = []
    lowered.reserveCapacity(scalars.count)
    for scalar in scalars {
      if scalar.value < 128 {
        lowered.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar)
      } else if scalar.properties.changesWhenLowercased {
        lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
      } else {
        lowered.append(scalar)
      }
    }
    return lowered
  }
}
