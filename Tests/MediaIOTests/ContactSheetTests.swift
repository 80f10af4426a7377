import Testing
@testable import MediaIO

@Suite struct ContactSheetTests {
  @Test func gridSizeAndCaptionInk() throws {
    let images = (0..<5).map { testPattern(width: 40, height: 30, channels: 3, phase: $0) }
    let captions = (0..<5).map { "seed \($0)" }
    let sheet = ContactSheet.render(images, captions: captions, columns: 3, cellPadding: 8)
    #expect(sheet.channels == 3)
    let captionHeight = 7 + 2 * 4
    #expect(sheet.width == 3 * (40 + 8) + 8)
    #expect(sheet.height == 2 * (30 + captionHeight + 8) + 8)

    // The caption band under the first image holds dark pixels and nothing else but white.
    var dark = 0
    for y in (8 + 30)..<(8 + 30 + captionHeight) {
      for x in 8..<48 {
        let offset = (y * sheet.width + x) * 3
        let pixel = sheet.pixels[offset..<offset + 3]
        if pixel.allSatisfy({ $0 < 64 }) { dark += 1 } else { #expect(pixel.allSatisfy { $0 == 255 }) }
      }
    }
    #expect(dark > 20)
    // Images are copied in unchanged.
    let first = images[0]
    for (x, y) in [(0, 0), (39, 29), (17, 11)] {
      let source = (y * 40 + x) * 3
      let target = ((8 + y) * sheet.width + 8 + x) * 3
      #expect(sheet.pixels[target..<target + 3] == first.pixels[source..<source + 3])
    }
    // The unused sixth cell stays white.
    let emptyCell = ((8 + 30 + captionHeight + 8 + 10) * sheet.width + 8 + 2 * 48 + 10) * 3
    #expect(sheet.pixels[emptyCell..<emptyCell + 3].allSatisfy { $0 == 255 })
  }

  @Test func defaultColumnsMakeASquarishGridAndMixedInputsWork() {
    let images = [testPattern(width: 10, height: 10, channels: 1), testPattern(width: 20, height: 8, channels: 4),
                  testPattern(width: 6, height: 12, channels: 2), testPattern(width: 10, height: 10, channels: 3)]
    let sheet = ContactSheet.render(images, captions: ["a"], columns: nil, cellPadding: 0)
    #expect(sheet.width == 2 * 20)
    #expect(sheet.height == 2 * (12 + 7 + 4))
  }

  @Test func emptyInputGivesABlankSheet() {
    let sheet = ContactSheet.render([], captions: [], columns: nil)
    #expect(sheet.width > 0 && sheet.height > 0 && sheet.pixels.allSatisfy { $0 == 255 })
  }

  @Test func fontCoversPrintableASCII() {
    #expect(BitmapFont.table.count == 95 * 5)
    #expect(BitmapFont.columns(of: "é") == BitmapFont.columns(of: "?"))
  }
}
