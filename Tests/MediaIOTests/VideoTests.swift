import Foundation
import Testing
@testable import MediaIO

@Suite struct VideoTests {
  let text = ["easel:provenance": #"{"seed":42,"prompt":"a lighthouse, slow zoom"}"#, "easel:version": "0.1"]

  func writeClip(to path: String, frames: Int, codecs: [String], channels: Int = 3) throws -> String {
    let writer = try VideoWriter(path: path, width: 64, height: 48, framesPerSecond: 8, quality: 23, text: text,
                                 codecPreference: codecs)
    for i in 0..<frames { try writer.append(testPattern(width: 64, height: 48, channels: channels, phase: i)) }
    try writer.finish()
    return writer.codecName
  }

  struct ProbeReport: Decodable {
    struct Stream: Decodable { let codec_name: String; let width: Int; let height: Int; let nb_frames: String? }
    struct Format: Decodable { let tags: [String: String]? }
    let streams: [Stream]
    let format: Format
  }

  func ffprobe(_ path: String) throws -> ProbeReport {
    let result = try run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path])
    try #require(result.status == 0, "ffprobe failed on \(path); is the ffmpeg package installed?")
    return try JSONDecoder().decode(ProbeReport.self, from: Data(result.output.utf8))
  }

  @Test func h264MP4IsReadableByFFprobeWithProvenance() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("clip.mp4")
    #expect(try writeClip(to: path, frames: 12, codecs: ["libx264", "mpeg4"]) == "libx264")
    let report = try ffprobe(path)
    let stream = try #require(report.streams.first)
    #expect(stream.codec_name == "h264")
    #expect(stream.width == 64 && stream.height == 48)
    #expect(stream.nb_frames == "12")
    let tags = report.format.tags ?? [:]
    #expect(tags["comment"]?.contains("lighthouse") == true, "format tags: \(tags)")
    #expect(tags["easel:provenance"] == text["easel:provenance"])

    let probe = try VideoFile.probe(path)
    #expect(probe.width == 64 && probe.height == 48 && probe.frameCount == 12 && probe.codec == "h264")
    #expect(try VideoFile.readText(path) == text)
    #expect(try MediaMetadata.readText(path) == text)
    #expect(try scratch.leftoverTemporaries().isEmpty)
  }

  /// The RGB -> yuv420p conversion and its colour tags: decoded colours match the frames given.
  @Test(arguments: ["libx264", "mpeg4"])
  func coloursSurviveEncoding(codec: String) throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("colours.mp4")
    let picture = quadrants(width: 64, height: 48)
    let writer = try VideoWriter(path: path, width: 64, height: 48, framesPerSecond: 8, quality: 18, text: [:],
                                 codecPreference: [codec])
    for _ in 0..<3 { try writer.append(picture) }
    try writer.finish()
    let decoded = try ImageFile.decodeFirstFrame(path)
    #expect(decoded.width == 64 && decoded.height == 48 && decoded.channels == 3)
    for (x, y) in [(12, 10), (52, 10), (12, 38), (52, 38)] {
      let offset = (y * 64 + x) * 3
      let got = Array(decoded.pixels[offset..<offset + 3]), want = Array(picture.pixels[offset..<offset + 3])
      #expect(maxDifference(got, want) <= 16, "\(codec) pixel (\(x),\(y)): got \(got), want \(want)")
    }
  }

  @Test func fallsBackToTheNextEncoder() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("fallback.mp4")
    #expect(try writeClip(to: path, frames: 5, codecs: ["nonexistent", "mpeg4"], channels: 4) == "mpeg4")
    let probe = try VideoFile.probe(path)
    #expect(probe.codec == "mpeg4" && probe.frameCount == 5)
    #expect(try ffprobe(path).streams.first?.codec_name == "mpeg4")
    #expect(try VideoFile.readText(path) == text)
  }

  @Test func noUsableEncoderIsAClearError() throws {
    let scratch = try ScratchDirectory()
    let error = #expect(throws: MediaError.self) {
      _ = try VideoWriter(path: scratch.file("none.mp4"), width: 16, height: 16, framesPerSecond: 8, quality: 23,
                          text: [:], codecPreference: ["nonexistent", "alsonot"])
    }
    guard case .encoderUnavailable(_, let tried, _) = error else {
      Issue.record("expected .encoderUnavailable, got \(String(describing: error))")
      return
    }
    #expect(tried == ["nonexistent", "alsonot"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
  }

  @Test func oddSizeAndWrongFramesAreRejected() throws {
    let scratch = try ScratchDirectory()
    #expect(throws: MediaError.self) {
      _ = try VideoWriter(path: scratch.file("odd.mp4"), width: 15, height: 16, framesPerSecond: 8, quality: 23, text: [:])
    }
    let writer = try VideoWriter(path: scratch.file("v.mp4"), width: 16, height: 16, framesPerSecond: 8, quality: 23,
                                 text: [:])
    #expect(throws: MediaError.self) { try writer.append(testPattern(width: 18, height: 16, channels: 3)) }
    writer.abandon()
    #expect(throws: MediaError.self) { try writer.finish() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
  }

  @Test func abandonAndDroppingLeaveNothing() throws {
    let scratch = try ScratchDirectory()
    do {
      let writer = try VideoWriter(path: scratch.file("dropped.mp4"), width: 16, height: 16, framesPerSecond: 8,
                                   quality: 23, text: [:])
      try writer.append(testPattern(width: 16, height: 16, channels: 3))
      #expect(try scratch.leftoverTemporaries().count == 1)
    }
    let empty = try VideoWriter(path: scratch.file("empty.mp4"), width: 16, height: 16, framesPerSecond: 8,
                                quality: 23, text: [:])
    #expect(throws: MediaError.self) { try empty.finish() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
  }
}
