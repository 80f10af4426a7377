// Provenance: the pipeline file's SHA-256, model files recorded by stages, stage notes, missing weights.
import EaselPluginSDK
import Foundation
import MediaIO
import PipelineHost
import Testing

@Suite struct ProvenanceTests {
  /// A pipeline of one `test.weights` stage reading `file`, its WAV output with `output` appended
  /// to the sink's entry (e.g. ", path: out.wav").
  static func weightsPipeline(file: String, output: String = "") -> String {
    Fixtures.writeFile("""
      easel: 1
      stages:
        - id: model
          stage: test.weights
          params: {file: \(file)}
      outputs:
        - {from: model.audio, sink: wav\(output)}
      """)
  }

  @Test func pipelineHashIsSHA256OfTheFileBytes() throws {
    // SHA-256 itself is WeightIO's, with its known answers in WeightIOTests; this checks the host
    // hashes the pipeline file's bytes (hashlib.sha256 of the text `weightsPipeline` writes for weights.bin).
    let pipeline = Self.weightsPipeline(file: "weights.bin")
    let plan = try PipelineLoading.plan(path: pipeline, registry: Fixtures.registry)
    #expect(plan.file.sha256 == "7343694dd11c381fde93bf397ebbd813f756cd28b8501f71ab7e57a4dc826d94")
  }

  @Test func recordedModelFilesAndNotesGoIntoProvenance() throws {
    let pipeline = Self.weightsPipeline(file: "weights.bin", output: ", path: out.wav")
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
    // Paths are recorded as written in the pipeline, so a clone elsewhere writes the same bytes.
    #expect(record.contains("\"models\":{\"weights.bin\":\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"}"))
    #expect(record.contains("\"model\":{\"file\":\"weights.bin\"}"))
    #expect(!record.contains(weights))
    #expect(record.contains("\"metadata\":{\"model.audio\":{\"score\":0.75}}"))
    #expect(!record.contains("sample_rate"))
  }

  @Test func modelFilesAreNamedThroughThePathParameterAsWritten() throws {
    let pipeline = Self.weightsPipeline(file: "models/")
    let folder = (pipeline as NSString).deletingLastPathComponent
    let stage = try #require(try PipelineLoading.plan(path: pipeline, registry: Fixtures.registry).stages.first)
    #expect(stage.writtenParameters["file"] == "models/")
    #expect(stage.writtenPath(of: folder + "/models/decoder/config.json") == "models/decoder/config.json")
    #expect(stage.writtenPath(of: folder + "/models") == "models/")
    #expect(stage.writtenPath(of: folder + "/models-old/x.bin") == folder + "/models-old/x.bin", "only inside the folder")
    #expect(stage.writtenPath(of: "/elsewhere/x.bin") == "/elsewhere/x.bin")
  }

  @Test func missingWeightsAreExitCodeThree() throws {
    let pipeline = Self.weightsPipeline(file: "nowhere.bin")
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
