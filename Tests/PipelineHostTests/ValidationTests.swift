// Pipeline validation: every problem at once, with file:line:col and stage id, before any create.
import EaselPluginSDK
import Foundation
import PipelineHost
import Testing

@Suite struct ValidationTests {
  func problems(_ yaml: String, overrides: [ParameterOverride] = []) throws -> [Diagnostic] {
    let path = Fixtures.writeFile(yaml)
    return try PipelineLoading.check(path: path, registry: Fixtures.registry, overrides: overrides)
  }

  @Test func fiveMistakesAreAllReportedWithLinesAndNothingIsCreated() throws {
    let before = CreateLog.shared.count
    let path = Fixtures.resource("five-mistakes.yaml")
    let found = try PipelineLoading.check(path: path, registry: Fixtures.registry)
    for problem in found { print(problem) }
    #expect(found.count == 5)
    let lines = found.map(\.line)
    #expect(lines == [12, 12, 13, 15, 19])
    #expect(found.contains { $0.message.contains("500 is outside 1...100") && $0.stageID == "record" })
    #expect(found.contains { $0.message.contains("unknown parameter 'colour'") })
    #expect(found.contains { $0.message.contains("input 'image' takes image f32 but 'tokens.tokens' gives tokens i32") })
    #expect(found.contains { $0.message.contains("unknown stage 'image.resise'") && $0.stageID == "resize" })
    #expect(found.contains { $0.message.contains("unknown sink 'gif'") })
    #expect(found.allSatisfy { $0.description.hasPrefix("\(path):\($0.line):\($0.column): ") })
    #expect(throws: HostError.self) { try PipelineLoading.plan(path: path, registry: Fixtures.registry) }
    #expect(CreateLog.shared.count == before)
  }

  @Test func validPipelineHasNoProblems() throws {
    let found = try problems("""
      easel: 1
      inputs:
        image: {kind: image, required: true}
      stages:
        - id: resize
          stage: image.resize
          params: {width: 32, height: 32}
          inputs: {image: $inputs.image}
      outputs:
        - from: resize.image
          sink: png
          path: "{name}-{seed}-{index}.png"
      """)
    #expect(found.isEmpty, "\(found)")
  }

  @Test func yamlSyntaxErrorHasAPosition() throws {
    let found = try problems("easel: 1\nstages:\n  - id: a\n   stage: [unclosed\n")
    #expect(found.count == 1)
    #expect(found.first?.message.contains("YAML syntax error") == true)
    #expect((found.first?.line ?? 0) >= 3)
  }

  @Test func mistypedParameterValue() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
          params: {frequency: loud, waveform: zigzag, channels: 2.5}
      outputs:
        - {from: tone.audio, sink: wav}
      """)
    #expect(found.count == 3)
    #expect(found.contains { $0.message.contains("'loud' is not a number") })
    #expect(found.contains { $0.message.contains("'zigzag' is not one of sine, square, saw, triangle") })
    #expect(found.contains { $0.message.contains("'2.5' is not an integer") })
    #expect(found.allSatisfy { $0.line == 5 && $0.stageID == "tone" })
  }

  @Test func unconnectedRequiredPort() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: mix
          stage: audio.mix
          inputs: {a: tone.audio}
        - id: tone
          stage: audio.tone
      outputs:
        - {from: mix.audio, sink: wav}
      """)
    #expect(found.count == 1)
    #expect(found.first?.message.contains("required input 'b' (audio f32) is not connected") == true)
    #expect(found.first?.line == 3)
  }

  @Test func unknownStageIDAndPortInConnections() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
        - id: mix
          stage: audio.mix
          inputs: {a: tone.sound, b: drums.audio, c: tone.audio}
      outputs:
        - {from: mix.audio, sink: wav}
      """)
    #expect(found.contains { $0.message.contains("stage 'tone' (audio.tone) has no output 'sound'") })
    #expect(found.contains { $0.message.contains("names no stage with id 'drums'") })
    #expect(found.contains { $0.message.contains("'audio.mix' has no input 'c'") })
    #expect(found.count == 3)
  }

  @Test func cycleIsReported() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: a
          stage: audio.mix
          inputs: {a: b.audio, b: b.audio}
        - id: b
          stage: audio.mix
          inputs: {a: a.audio, b: a.audio}
      outputs:
        - {from: a.audio, sink: wav}
      """)
    #expect(found.count == 2)
    #expect(found.allSatisfy { $0.message.contains("part of a cycle") })
    #expect(Set(found.compactMap(\.stageID)) == ["a", "b"])
  }

  @Test func unknownTemplateFieldAndSinkKindMismatch() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
      outputs:
        - from: tone.audio
          sink: png
          path: "{name}-{date}.png"
      """)
    #expect(found.contains { $0.message.contains("unknown template field '{date}'") })
    #expect(found.contains { $0.message.contains("sink 'png' writes image values but 'tone.audio' gives audio") })
    #expect(found.count == 2)
  }

  @Test func duplicateStageID() throws {
    let found = try problems("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
        - id: tone
          stage: audio.noise
      outputs:
        - {from: tone.audio, sink: wav}
      """)
    #expect(found.count == 1)
    #expect(found.first?.message.contains("duplicate stage id (first used on line 3)") == true)
    #expect(found.first?.line == 5)
  }

  @Test func overridesAreValidatedLikeTheFile() throws {
    let yaml = """
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
      outputs:
        - {from: tone.audio, sink: wav}
      """
    let bad = try problems(yaml, overrides: [ParameterOverride("tone.frequency=-5")!, ParameterOverride("drum.x=1")!])
    #expect(bad.count == 2)
    #expect(bad.contains { $0.message.contains("--set: parameter 'frequency': -5 is outside 1...48000") })
    #expect(bad.contains { $0.message.contains("no stage with id 'drum'") })
    #expect(try problems(yaml, overrides: [ParameterOverride("tone.frequency=220")!]).isEmpty)
    #expect(ParameterOverride("nodot=1") == nil)
  }

  @Test func seedInputConnectsToTensorPortsOnly() throws {
    let found = try problems("""
      easel: 1
      inputs:
        seed: {kind: seed, default: 3}
      stages:
        - id: noise
          stage: audio.noise
          inputs: {seed: $inputs.seed}
        - id: resize
          stage: image.resize
          inputs: {image: $inputs.seed}
      outputs:
        - {from: noise.audio, sink: wav}
      """)
    #expect(found.count == 1)
    #expect(found.first?.message.contains("input 'image' takes image f32 but '$inputs.seed' gives tensor i32") == true)
  }
}
