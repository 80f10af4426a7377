import Foundation
import Testing
@testable import MediaIO

@Suite struct PNGFileTests {
  let provenance = #"{"seed":42,"prompt":"a café at dusk ✓","model":"karlo"}"#

  @Test(arguments: [1, 2, 3, 4])
  func roundTripKeepsPixelsAndText(channels: Int) throws {
    let scratch = try ScratchDirectory()
    let image = testPattern(width: 37, height: 23, channels: channels)
    let path = scratch.file("image-\(channels).png")
    let text = ["easel:provenance": provenance, "Software": "Easel"]
    try PNGFile.write(image, to: path, text: text)
    #expect(try PNGFile.read(path) == image)
    #expect(try PNGFile.readText(path) == text)
    #expect(try ImageFile.read(path) == image)
    #expect(try MediaMetadata.readText(path) == text)
    #expect(try scratch.leftoverTemporaries().isEmpty)
  }

  @Test func identicalInputGivesIdenticalBytes() throws {
    let scratch = try ScratchDirectory()
    let image = testPattern(width: 64, height: 40, channels: 3)
    // Many keys: a dictionary's iteration order differs between instances, the file must not.
    var text: [String: String] = ["easel:provenance": provenance]
    for i in 0..<20 { text["key\(i)"] = "value \(i)" }
    try PNGFile.write(image, to: scratch.file("a.png"), text: text)
    try PNGFile.write(image, to: scratch.file("b.png"), text: Dictionary(uniqueKeysWithValues: text.shuffled()))
    let a = try bytes(of: scratch.file("a.png"))
    #expect(a == (try bytes(of: scratch.file("b.png"))))
    #expect(!String(decoding: a, as: UTF8.self).contains("tIME"))
  }

  @Test func rewriteReplacesTheOldFile() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("out.png")
    try PNGFile.write(testPattern(width: 8, height: 8, channels: 3), to: path, text: [:])
    let second = testPattern(width: 5, height: 3, channels: 1)
    try PNGFile.write(second, to: path, text: ["k": "v"])
    #expect(try PNGFile.read(path) == second)
    #expect(try PNGFile.readText(path) == ["k": "v"])
  }

  @Test func paletteWithTransparencyExpandsToRGBA() throws {
    let scratch = try ScratchDirectory()
    let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
    let data = RawPNG.make(width: 7, height: 5, bitDepth: 4, colorType: 3, palette: palette,
                           transparency: [255, 128], text: ["Comment": "tEXt chunk"]) { x, y, _ in (x + y) % 4 }
    let path = scratch.file("palette.png")
    try Data(data).write(to: URL(fileURLWithPath: path))
    let image = try PNGFile.read(path)
    #expect(image.width == 7 && image.height == 5 && image.channels == 4)
    for (x, y) in [(0, 0), (1, 0), (3, 2), (6, 4)] {
      let index = (x + y) % 4
      let expected = Array(palette[index * 3..<index * 3 + 3]) + [index == 0 ? 255 : index == 1 ? 128 : 255]
      let offset = (y * 7 + x) * 4
      #expect(Array(image.pixels[offset..<offset + 4]) == expected)
    }
    #expect(try PNGFile.readText(path) == ["Comment": "tEXt chunk"])
  }

  @Test func lowBitDepthGreyScalesTo8Bits() throws {
    let scratch = try ScratchDirectory()
    let data = RawPNG.make(width: 9, height: 3, bitDepth: 2, colorType: 0) { x, _, _ in x % 4 }
    let path = scratch.file("grey2.png")
    try Data(data).write(to: URL(fileURLWithPath: path))
    let image = try PNGFile.read(path)
    #expect(image.channels == 1)
    #expect(Array(image.pixels[0..<5]) == [0, 85, 170, 255, 0])
  }

  @Test func sixteenBitIsReducedTo8Bits() throws {
    let scratch = try ScratchDirectory()
    let data = RawPNG.make(width: 6, height: 4, bitDepth: 16, colorType: 6) { x, y, c in ((x * 40 + y * 9 + c * 50) % 256) * 257 }
    let path = scratch.file("rgba16.png")
    try Data(data).write(to: URL(fileURLWithPath: path))
    let image = try PNGFile.read(path)
    #expect(image.channels == 4)
    for y in 0..<4 { for x in 0..<6 { for c in 0..<4 {
      #expect(Int(image.pixels[(y * 6 + x) * 4 + c]) == (x * 40 + y * 9 + c * 50) % 256)
    } } }
  }

  @Test func interlacedMatchesNonInterlaced() throws {
    let scratch = try ScratchDirectory()
    let value: (Int, Int, Int) -> Int = { x, y, c in (x * 17 + y * 31 + c * 71) % 256 }
    let plain = scratch.file("plain.png"), adam7 = scratch.file("adam7.png")
    try Data(RawPNG.make(width: 13, height: 11, bitDepth: 8, colorType: 2, sample: value))
      .write(to: URL(fileURLWithPath: plain))
    try Data(RawPNG.make(width: 13, height: 11, bitDepth: 8, colorType: 2, interlaced: true, sample: value))
      .write(to: URL(fileURLWithPath: adam7))
    let expected = try PNGFile.read(plain)
    #expect(expected.pixels[(4 * 13 + 5) * 3 + 1] == UInt8(value(5, 4, 1)))
    #expect(try PNGFile.read(adam7) == expected)
  }

  @Test func invalidKeysAreRejectedBeforeWriting() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("bad.png")
    #expect(throws: MediaError.self) {
      try PNGFile.write(testPattern(width: 4, height: 4, channels: 3), to: path, text: ["": "empty key"])
    }
    #expect(throws: MediaError.self) {
      try PNGFile.write(testPattern(width: 4, height: 4, channels: 3), to: path,
                        text: [String(repeating: "k", count: 80): "too long"])
    }
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(try scratch.leftoverTemporaries().isEmpty)
  }
}
