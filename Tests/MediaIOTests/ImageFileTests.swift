import Foundation
import Testing
@testable import MediaIO

@Suite struct ImageFileTests {
  /// A JPEG made by FFmpeg's mjpeg encoder (through the ffmpeg tool), stored under a misleading name.
  @Test func readsJPEGBySniffingNotExtension() throws {
    let scratch = try ScratchDirectory()
    let source = scratch.file("quadrants.png")
    let original = quadrants(width: 64, height: 48)
    try PNGFile.write(original, to: source, text: [:])
    let jpeg = scratch.file("photo.jpg")
    try ffmpegConvert(source, to: jpeg, extra: ["-c:v", "mjpeg", "-q:v", "2"])
    let misnamed = scratch.file("photo.png")
    try FileManager.default.copyItem(atPath: jpeg, toPath: misnamed)
    #expect(Array(try bytes(of: misnamed).prefix(3)) == [0xFF, 0xD8, 0xFF])

    let image = try ImageFile.read(misnamed)
    #expect(image.width == 64 && image.height == 48 && image.channels == 3)
    // Sample away from the quadrant edges, where JPEG blocks are flat.
    for (x, y) in [(8, 8), (56, 8), (8, 40), (56, 40)] {
      let offset = (y * 64 + x) * 3
      let got = Array(image.pixels[offset..<offset + 3])
      let want = Array(original.pixels[offset..<offset + 3])
      #expect(maxDifference(got, want) <= 12, "pixel (\(x),\(y)): got \(got), want \(want)")
    }
    #expect(throws: MediaError.self) { try PNGFile.read(misnamed) }
  }

  @Test func readsBMPExactly() throws {
    let scratch = try ScratchDirectory()
    let source = scratch.file("pattern.png")
    let original = testPattern(width: 21, height: 13, channels: 3)
    try PNGFile.write(original, to: source, text: [:])
    let bmp = scratch.file("pattern.bmp")
    try ffmpegConvert(source, to: bmp, extra: ["-c:v", "bmp", "-pix_fmt", "bgr24"])
    #expect(try ImageFile.read(bmp) == original)
  }

  /// FFmpeg-decoded grey and RGBA pictures keep their channel count.
  @Test(arguments: [(1, "gray", "tiff"), (4, "bgra", "bmp")])
  func ffmpegDecodedChannelsFollowThePixelFormat(channels: Int, pixelFormat: String, codec: String) throws {
    let scratch = try ScratchDirectory()
    let source = scratch.file("source.png")
    let original = testPattern(width: 18, height: 7, channels: channels)
    try PNGFile.write(original, to: source, text: [:])
    let converted = scratch.file("picture.\(codec == "tiff" ? "tif" : codec)")
    try ffmpegConvert(source, to: converted, extra: ["-c:v", codec, "-pix_fmt", pixelFormat])
    #expect(try ImageFile.read(converted) == original)
  }

  @Test func readsLosslessWebP() throws {
    let scratch = try ScratchDirectory()
    let source = scratch.file("source.png")
    let original = testPattern(width: 30, height: 20, channels: 3)
    try PNGFile.write(original, to: source, text: [:])
    let webp = scratch.file("picture.webp")
    try ffmpegConvert(source, to: webp, extra: ["-c:v", "libwebp", "-lossless", "1"])
    let image = try ImageFile.read(webp)
    #expect(image.width == 30 && image.height == 20)
    #expect(image.rgb() == original)
  }

  @Test func truncatedJPEGIsCorrupt() throws {
    let scratch = try ScratchDirectory()
    let source = scratch.file("source.png")
    try PNGFile.write(testPattern(width: 64, height: 48, channels: 3, phase: 5), to: source, text: [:])
    let jpeg = scratch.file("whole.jpg")
    try ffmpegConvert(source, to: jpeg, extra: ["-c:v", "mjpeg", "-q:v", "2"])
    let data = try bytes(of: jpeg)
    for keep in [data.count * 3 / 4, 40] {
      let cut = scratch.file("cut-\(keep).jpg")
      try Data(data[0..<keep]).write(to: URL(fileURLWithPath: cut))
      let error = #expect(throws: MediaError.self) { try ImageFile.read(cut) }
      guard case .corrupt(let named, _) = error else {
        Issue.record("keeping \(keep) of \(data.count) bytes: expected .corrupt, got \(String(describing: error))")
        continue
      }
      #expect(named == cut)
    }
  }
}
