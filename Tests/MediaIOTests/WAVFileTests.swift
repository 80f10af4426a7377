import Foundation
import Testing
@testable import MediaIO

@Suite struct WAVFileTests {
  let text = ["easel:provenance": #"{"seed":7,"prompt":"rain on a tin roof, naïve ✓"}"#, "title": "rain"]

  func stereoTone(frames: Int) -> [Float] {
    (0..<frames).flatMap { i -> [Float] in
      let t = Float(i) / 16000
      return [0.8 * sin(2 * .pi * 440 * t), 0.5 * sin(2 * .pi * 660 * t)]
    }
  }

  @Test(arguments: [WAVFile.SampleFormat.pcm16, .float32])
  func roundTripKeepsSamplesAndMetadata(format: WAVFile.SampleFormat) throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("tone-\(format.rawValue).wav")
    let samples = stereoTone(frames: 1601)
    try WAVFile.write(samples: samples, channels: 2, sampleRate: 16000, format: format, to: path, text: text)
    let decoded = try WAVFile.read(path)
    #expect(decoded.channels == 2 && decoded.sampleRate == 16000)
    #expect(decoded.samples.count == samples.count)
    let tolerance: Float = format == .pcm16 ? 1.0 / 16384 : 0
    let worst = zip(decoded.samples, samples).map { abs($0 - $1) }.max() ?? .infinity
    #expect(worst <= tolerance, "max error \(worst)")
    #expect(try WAVFile.readText(path) == text)
    #expect(try MediaMetadata.readText(path) == text)
    #expect(try scratch.leftoverTemporaries().isEmpty)
  }

  @Test(arguments: [WAVFile.SampleFormat.pcm16, .float32])
  func identicalInputGivesIdenticalBytes(format: WAVFile.SampleFormat) throws {
    let scratch = try ScratchDirectory()
    let samples = stereoTone(frames: 500)
    var many = text
    for i in 0..<12 { many["k\(i)"] = "v\(i)" }
    try WAVFile.write(samples: samples, channels: 2, sampleRate: 16000, format: format, to: scratch.file("a.wav"), text: many)
    // A second apart, so a timestamp anywhere in the file would show.
    Thread.sleep(forTimeInterval: 1.1)
    try WAVFile.write(samples: samples, channels: 2, sampleRate: 16000, format: format, to: scratch.file("b.wav"),
                      text: Dictionary(uniqueKeysWithValues: many.shuffled()))
    #expect(try bytes(of: scratch.file("a.wav")) == (try bytes(of: scratch.file("b.wav"))))
  }

  @Test func outOfRangeSamplesClipInsteadOfWrapping() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("loud.wav")
    try WAVFile.write(samples: [1.5, -1.5, 0.25], channels: 1, sampleRate: 8000, format: .pcm16, to: path, text: [:])
    let decoded = try WAVFile.read(path).samples
    #expect(decoded[0] > 0.99 && decoded[1] < -0.99 && abs(decoded[2] - 0.25) < 0.001)
    #expect(try WAVFile.readText(path) == [:])
  }

  @Test func badArgumentsAreRejected() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("bad.wav")
    #expect(throws: MediaError.self) {
      try WAVFile.write(samples: [0, 0, 0], channels: 2, sampleRate: 8000, format: .pcm16, to: path, text: [:])
    }
    #expect(throws: MediaError.self) {
      try WAVFile.write(samples: [0, 0], channels: 0, sampleRate: 8000, format: .pcm16, to: path, text: [:])
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func truncatedWAVIsReadUpToWhereItStops() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("full.wav")
    try WAVFile.write(samples: stereoTone(frames: 1000), channels: 2, sampleRate: 16000, format: .pcm16, to: path, text: [:])
    let data = try bytes(of: path)
    let cut = scratch.file("cut.wav")
    try Data(data[0..<data.count / 2]).write(to: URL(fileURLWithPath: cut))
    let decoded = try WAVFile.read(cut)
    #expect(decoded.samples.count < 2000 && decoded.samples.count > 0)
    try Data(data[0..<20]).write(to: URL(fileURLWithPath: cut))
    #expect(throws: MediaError.self) { try WAVFile.read(cut) }
  }
}
