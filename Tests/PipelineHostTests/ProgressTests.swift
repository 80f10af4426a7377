// Progress output: a redrawn bar on a terminal, timestamped lines otherwise.
import Foundation
import Testing

@Suite(.serialized) struct ProgressTests {
  func pipeline() -> String {
    Fixtures.writeFile("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
          params: {duration: 0.01, sample_rate: 8000}
        - id: slow
          stage: test.slow
          params: {steps: 4, step_ms: 30}
          inputs: {audio: tone.audio}
      outputs:
        - {from: slow.audio, sink: wav, path: slow.wav}
      """)
  }

  @Test func terminalGetsARedrawnBarWithETA() throws {
    try #require(Binary.isBuilt && FileManager.default.isExecutableFile(atPath: "/usr/bin/script"))
    let out = Fixtures.temporaryFolder()
    let command = "'\(Binary.easel)' run '\(pipeline())' --out '\(out)'"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]  // runs easel on a pseudo-terminal
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("\r"))
    #expect(text.contains("slow [seed 0] [######"), "\(text)")
    #expect(text.contains("1/4 ETA"))
    #expect(!text.contains("Z] "), "no timestamps on a terminal")
  }

  @Test func pipesGetTimestampedLines() throws {
    try #require(Binary.isBuilt)
    let result = try Binary.run(["run", pipeline(), "--out", Fixtures.temporaryFolder()])
    #expect(result.status == 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(!lines.isEmpty)
    #expect(!result.stderr.contains("\r"))
    #expect(lines.allSatisfy { $0.hasPrefix("[20") && $0.contains("Z] ") }, "\(result.stderr)")
    #expect(lines.contains { $0.contains("slow [seed 0] 4/4") })
  }
}
