// Provenance: SHA-256 known answers, model files recorded by stages, stage notes, missing weights.
import EaselPluginSDK
import Foundation
import MediaIO
import PipelineHost
import Testing

@Suite struct ProvenanceTests {
  @Test func sha256KnownAnswers() {
    #expect(SHA256.hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
      == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    // Lengths around the 55/56/64-byte padding boundaries, streamed in uneven pieces.
    for length in [55, 56, 63, 64, 65, 119, 120] {
      let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) })
      var hasher = SHA256()
      data.prefix(17).withUnsafeBytes { hasher.update($0) }
      data.dropFirst(17).withUnsafeBytes { hasher.update($0) }
      #expect(hasher.finalizeHex() == SHA256.hex(of: data), "length \(length)")
    }
  }

  @Test func recordedModelFilesAndNotesGoIntoProvenance() throws {
    let pipeline = Fixtures.writeFile("""
      easel: 1
      stages:
        - id: model
          stage: test.weights
          params: {file: weights.bin}
      outputs:
        - {from: model.audio, sink: wav, path: out.wav}
      """)
    let folder = (pipeline as NSString).deletingLastPathComponent
    let weights = folder + "/weights.bin"
    _ = FileManager.default.createFile(atPath: weights, contents: Data("abc".utf8))
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    let plan = try PipelineLoading.plan(path: pipeline, registry: Fixtures.registry)
    #expect(plan.stages.first?.parameters["file"] == weights, "relative paths resolve against the pipeline's folder")
    let summary = try PipelineExecutor(plan: plan, options: options).run()
    let text = try WAVFile.readText(try #require(summary.written.first))
    let record = try #require(text[provenanceKey])
    #expect(record.contains("\"models\":{\"\(weights)\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}"))
    #expect(record.contains("\"metadata\":{\"model.audio\":{\"score\":0.75}}"))
    #expect(!record.contains("sample_rate"))
  }

  @Test func missingWeightsAreExitCodeThree() throws {
    let pipeline = Fixtures.writeFile("""
      easel: 1
      stages:
        - id: model
          stage: test.weights
          params: {file: nowhere.bin}
      outputs:
        - {from: model.audio, sink: wav}
      """)
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    let plan = try PipelineLoading.plan(path: pipeline, registry: Fixtures.registry)
    do {
      _ = try PipelineExecutor(plan: plan, options: options).run()
      Issue.record("a missing weights file must fail")
    } catch {
      #expect(error.exitCode == 3)
      #expect(error.description.contains("nowhere.bin"))
    }
  }
}
