// CLIPTokenizer against transformers 5.23's CLIPTokenizer on the whole golden corpus
// (scripts/golden/clip_tokenizer_corpus.py) and on the tiny-unclip folder's tokenizer.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite struct CLIPTokenizerTests {
  static let shared: Result<CLIPTokenizer, any Error> = Result { try CLIPTokenizer(folder: CLIPFixtures.tinyUnCLIP) }

  func tokenizer() throws -> CLIPTokenizer { try Self.shared.get() }

  @Test func specialIDsComeFromTheFolder() throws {
    let tokenizer = try tokenizer()
    #expect(tokenizer.bosID == 49406)
    #expect(tokenizer.eosID == 49407)
    #expect(tokenizer.padID == 49407)
    #expect(tokenizer.contextLength == 77)
    #expect(tokenizer.vocabularySize == 49408)
  }

  @Test func wholeCorpusMatchesTransformers() throws {
    let tokenizer = try tokenizer()
    let corpus = try SafeTensorsFile(path: CLIPFixtures.url("clip-tokenizer-corpus.safetensors").path)
    let bytes = try corpus.tensor("text_utf8")
    let textOffsets = try corpus.tensor("text_offsets").scalars.map { Int($0) }
    let ids = try corpus.tensor("ids")
    let idOffsets = try corpus.tensor("id_offsets").scalars.map { Int($0) }
    let count = textOffsets.count - 1
    #expect(count >= 10_000)
    #expect(corpus.metadata["pad_id"] == String(tokenizer.padID))
    let blob = UnsafeRawBufferPointer(start: bytes.rawPointer, count: bytes.count)
    let expectedIDs = UnsafeBufferPointer(start: ids.int32s, count: ids.count)
    var mismatches: [String] = []
    var mismatchCount = 0
    for row in 0..<count {
      let text = String(decoding: blob[textOffsets[row]..<textOffsets[row + 1]], as: UTF8.self)
      let expected = Array(expectedIDs[idOffsets[row]..<idOffsets[row + 1]])
      let encoded = tokenizer.encode(text)
      let used = encoded.attentionMask.reduce(0, +)
      let padding = encoded.ids[Int(used)...]
      if Array(encoded.ids[..<Int(used)]) != expected || padding.contains(where: { $0 != tokenizer.padID })
        || encoded.ids.count != 77
      {
        mismatchCount += 1
        if mismatches.count < 10 {
          let scalars = text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
          mismatches.append("#\(row) \(text.debugDescription) [\(scalars)]\n  expected \(expected)\n  got      \(encoded.ids[..<Int(used)])")
        }
      }
    }
    #expect(mismatchCount == 0, "\(mismatchCount) of \(count) strings differ:\n\(mismatches.joined(separator: "\n"))")
  }

  @Test func paddedRowsMatchExactly() throws {
    let tokenizer = try tokenizer()
    let corpus = try SafeTensorsFile(path: CLIPFixtures.url("clip-tokenizer-corpus.safetensors").path)
    let bytes = try corpus.tensor("text_utf8")
    let textOffsets = try corpus.tensor("text_offsets").scalars.map { Int($0) }
    let padded = try corpus.tensor("padded")
    let blob = UnsafeRawBufferPointer(start: bytes.rawPointer, count: bytes.count)
    let texts = (0..<padded.shape[0]).map { String(decoding: blob[textOffsets[$0]..<textOffsets[$0 + 1]], as: UTF8.self) }
    let tokens = tokenizer.tokenize(texts)
    #expect(tokens.shape == padded.shape)
    #expect(tokens.scalars == padded.scalars)
  }

  @Test func goldenPromptsAndMasks() throws {
    let tokenizer = try tokenizer()
    let golden = try CLIPFixtures.golden()
    for (name, prompt) in [("horse", "horse"), ("empty", ""),
                           ("sentence", "A Photo of an astronaut riding a horse, on Mars!  3 dogs' toys")] {
      let encoded = tokenizer.encode(prompt)
      #expect(encoded.ids.map(Float.init) == (try golden.tensor("tokenizer.\(name).input_ids")).scalars, "\(name)")
      #expect(encoded.attentionMask.map(Float.init) == (try golden.tensor("tokenizer.\(name).attention_mask")).scalars, "\(name)")
    }
  }

  @Test func derivedVocabularyEqualsTheFoldersVocabJSON() throws {
    let folder = try CLIPFixtures.url("tiny-unclip/tokenizer")
    let fromFolder = try CLIPTokenizer.readVocabulary(folder.appendingPathComponent("vocab.json"))
    let merges = try CLIPTokenizer.readMerges(folder.appendingPathComponent("merges.txt"), limit: nil)
    #expect(merges.count == CLIPTokenizer.openCLIPMergeCount)
    #expect(CLIPTokenizer.derivedVocabulary(merges: merges) == fromFolder)
    let derived = try CLIPTokenizer(mergesFile: folder.appendingPathComponent("merges.txt"))
    let fromVocab = try tokenizer()
    for text in ["a photo of a cat", "Café naïve 🐱 <|endoftext|> it's 12,345"] {
      #expect(derived.encode(text) == fromVocab.encode(text))
    }
  }

  @Test func tokenizerJSONGivesTheSameIDs() throws {
    // transformers 5 saves only tokenizer.json: build one (merges half as "a b", half as [a, b]).
    let folder = try CLIPFixtures.url("tiny-unclip/tokenizer")
    let vocabulary = try CLIPTokenizer.readVocabulary(folder.appendingPathComponent("vocab.json"))
    let merges = try CLIPTokenizer.readMerges(folder.appendingPathComponent("merges.txt"), limit: nil)
    let mergeList: [Any] = merges.enumerated().map { $0.offset % 2 == 0 ? "\($0.element.0) \($0.element.1)" as Any
                                                                      : [$0.element.0, $0.element.1] as Any }
    let root: [String: Any] = [
      "added_tokens": [["id": 49406, "content": "<|startoftext|>"], ["id": 49407, "content": "<|endoftext|>"]],
      "model": ["type": "BPE", "vocab": vocabulary.mapValues { Int($0) }, "merges": mergeList],
    ]
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clip-tokjson-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try JSONSerialization.data(withJSONObject: root).write(to: directory.appendingPathComponent("tokenizer.json"))
    try FileManager.default.copyItem(at: folder.appendingPathComponent("tokenizer_config.json"),
                                     to: directory.appendingPathComponent("tokenizer_config.json"))
    let fromJSON = try CLIPTokenizer(folder: directory)
    let reference = try tokenizer()
    for text in ["horse", "A Photo of an astronaut riding a horse, on Mars!  3 dogs' toys", "Zürich 🇯🇵 <|endoftext|>", ""] {
      #expect(fromJSON.encode(text) == reference.encode(text), "\(text)")
    }
  }

  @Test func truncatesToSeventySevenWithEOSLast() throws {
    let tokenizer = try tokenizer()
    let encoded = tokenizer.encode(String(repeating: "horse ", count: 200))
    #expect(encoded.ids.count == 77)
    #expect(encoded.ids.first == 49406)
    #expect(encoded.ids.last == 49407)
    #expect(encoded.attentionMask.allSatisfy { $0 == 1 })
  }

  @Test func missingFilesAndGzipAreReported() throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("clip-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    #expect(throws: UnCLIPError.tokenizerFilesMissing(folder: empty.path)) { try CLIPTokenizer(folder: empty) }
    let gz = empty.appendingPathComponent("bpe.txt.gz")
    try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: gz)
    #expect(throws: UnCLIPError.compressedMergesFile(file: gz.path)) { try CLIPTokenizer(mergesFile: gz) }
    let bad = empty.appendingPathComponent("merges.txt")
    try Data("#version: 0.2\na b c\n".utf8).write(to: bad)
    #expect(throws: UnCLIPError.self) { try CLIPTokenizer(mergesFile: bad) }
  }
}
