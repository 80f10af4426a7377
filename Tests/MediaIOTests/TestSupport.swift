// Shared helpers for the MediaIO tests: scratch directories, test pictures, external tools.
import Foundation
import Testing
@testable import MediaIO

/// A fresh directory under the system temporary directory, removed when the value is released.
final class ScratchDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "easel-mediaio-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func file(_ name: String) -> String { path + "/" + name }

  /// Entries whose name marks an AtomicFile temporary.
  func leftoverTemporaries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.contains(".partial-") }
  }
}

/// A deterministic picture with smooth gradients and some structure in every channel.
func testPattern(width: Int, height: Int, channels: Int, phase: Int = 0) -> RasterImage {
  var pixels = [UInt8](repeating: 0, count: width * height * channels)
  for y in 0..<height {
    for x in 0..<width {
      for c in 0..<channels {
        let value = (x * 255 / max(width - 1, 1)) * (c % 2 == 0 ? 1 : 0)
          + (y * 255 / max(height - 1, 1)) * (c % 2 == 1 ? 1 : 0)
        pixels[(y * width + x) * channels + c] = UInt8((value + c * 40 + phase * 7) % 256)
      }
    }
  }
  return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
}

/// A picture of four flat coloured quadrants (red, green, blue, white), easy to check after lossy coding.
func quadrants(width: Int, height: Int) -> RasterImage {
  let colours: [[UInt8]] = [[220, 30, 30], [30, 200, 40], [40, 50, 210], [250, 250, 250]]
  var pixels: [UInt8] = []
  pixels.reserveCapacity(width * height * 3)
  for y in 0..<height {
    for x in 0..<width {
      pixels += colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
    }
  }
  return RasterImage(width: width, height: height, channels: 3, pixels: pixels)
}

/// Runs an external program; returns its exit status and standard output.
@discardableResult
func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Converts a file with the ffmpeg command line tool (installed with the Debian `ffmpeg` package).
func ffmpegConvert(_ input: String, to output: String, extra: [String]) throws {
  let result = try run(["ffmpeg", "-v", "error", "-y", "-i", input] + extra + [output])
  try #require(result.status == 0, "ffmpeg failed converting \(input) to \(output); is the ffmpeg package installed?")
}

func bytes(of path: String) throws -> [UInt8] {
  Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Largest absolute difference between two sample arrays of equal length.
func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
  zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
}
