// The executor in-process: outputs with provenance, reruns that skip finished work, --force.
import EaselPluginSDK
import Foundation
import MediaIO
import PipelineHost
import Testing

@Suite struct ExecutorTests {
  static let tone = """
    easel: 1
    inputs:
      seed: {kind: seed, default: 0}
    stages:
      - id: noise
        stage: audio.noise
        params: {duration: 0.05, sample_rate: 8000}
        inputs: {seed: $inputs.seed}
    outputs:
      - from: noise.audio
        sink: wav
        path: "noise-{seed}-{index}.wav"
    """

  func plan(_ yaml: String) throws -> PipelinePlan {
    try PipelineLoading.plan(path: Fixtures.writeFile(yaml), registry: Fixtures.registry)
  }

  @Test func itemsGetConsecutiveSeeds() throws {
    var options = RunOptions()
    options.seed = 10
    options.count = 3
    let items = try PipelineExecutor(plan: try plan(Self.tone), options: options).items()
    #expect(items.map(\.seed) == [10, 11, 12])
    #expect(items.map(\.index) == [0, 1, 2])
  }

  @Test func promptsFileSkipsCommentsAndBlankLines() throws {
    let path = Fixtures.writeFile("# header\na red fox\n\n  # indented comment\nthe sea at night\n", name: "prompts.txt")
    #expect(try RunOptions.prompts(fromFile: path) == ["a red fox", "the sea at night"])
    #expect(throws: HostError.self) { try RunOptions.prompts(fromFile: path + ".missing") }
  }

  @Test func writesWAVWithProvenanceAndSkipsOnRerun() throws {
    let plan = try plan(Self.tone)
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    options.count = 2
    options.seed = 4
    let first = try PipelineExecutor(plan: plan, options: options).run()
    #expect(first.written.map { ($0 as NSString).lastPathComponent } == ["noise-4-0.wav", "noise-5-1.wav"])
    let (samples, channels, rate) = try WAVFile.read(first.written[0])
    #expect(samples.count == 400 && channels == 1 && rate == 8000)
    let text = try WAVFile.readText(first.written[0])
    let record = try #require(text[provenanceKey].flatMap { JSONValue(jsonText: $0) })
    guard case .object(let fields) = record, case .object(let job)? = fields["job"] else {
      Issue.record("provenance is not an object: \(record)")
      return
    }
    #expect(job["seed"] == .number(4))
    #expect(job["easel"] == .string(easelVersion))
    let before = try Data(contentsOf: URL(fileURLWithPath: first.written[1]))

    let second = try PipelineExecutor(plan: plan, options: options).run()
    #expect(second.written.isEmpty)
    #expect(second.skipped.count == 2)

    options.count = 3
    let third = try PipelineExecutor(plan: plan, options: options).run()
    #expect(third.written.map { ($0 as NSString).lastPathComponent } == ["noise-6-2.wav"])

    options.force = true
    let forced = try PipelineExecutor(plan: plan, options: options).run()
    #expect(forced.written.count == 3)
    #expect(try Data(contentsOf: URL(fileURLWithPath: first.written[1])) == before)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: options.outDirectory).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty)
  }

  @Test func changedParameterRedoesTheItem() throws {
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    _ = try PipelineExecutor(plan: try plan(Self.tone), options: options).run()
    let changed = try PipelineLoading.plan(path: Fixtures.writeFile(Self.tone), registry: Fixtures.registry,
                                           overrides: [ParameterOverride("noise.amplitude=0.5")!])
    let rerun = try PipelineExecutor(plan: changed, options: options).run()
    #expect(rerun.written.count == 1)
  }

  @Test func promptsBecomeTextInputsAndSlugs() throws {
    let yaml = """
      easel: 1
      inputs:
        prompt: {kind: text, required: true}
      stages:
        - id: tone
          stage: audio.tone
          params: {duration: 0.01, sample_rate: 8000}
      outputs:
        - {from: tone.audio, sink: wav}
      """
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    #expect(throws: HostError.self) { try PipelineExecutor(plan: try plan(yaml), options: options).run() }
    options.prompts = ["A Red Fox!", "the sea"]
    let summary = try PipelineExecutor(plan: try plan(yaml), options: options).run()
    #expect(summary.written.map { ($0 as NSString).lastPathComponent } == ["a-red-fox-0-0.wav", "the-sea-0-0.wav"])
  }

  @Test func cancelledRunWritesNothing() throws {
    var options = RunOptions()
    options.outDirectory = Fixtures.temporaryFolder()
    let flag = CancellationFlag()
    flag.cancel()
    #expect(throws: HostError.self) { try PipelineExecutor(plan: try plan(Self.tone), options: options, cancellation: flag).run() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: options.outDirectory).isEmpty)
  }
}
