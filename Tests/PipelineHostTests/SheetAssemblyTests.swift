// `easel sheet`: captions from recorded prompts, the sheet's provenance, and its user errors.
import EaselPluginSDK
import Foundation
import MediaIO
@testable import PipelineHost
import Testing

@Suite struct SheetAssemblyTests {
  func image(prompt: String?, in folder: String, name: String) throws -> String {
    let path = folder + "/" + name
    let pixels = [UInt8](repeating: 200, count: 32 * 32 * 3)
    let text = prompt.map { [provenanceKey: JSONValue.object(["job": .object(["prompt": .string($0)])]).jsonText] } ?? [:]
    try PNGFile.write(RasterImage(width: 32, height: 32, channels: 3, pixels: pixels), to: path, text: text)
    return path
  }

  @Test func captionsComeFromTheRecordedPromptElseTheFileName() throws {
    let folder = Fixtures.temporaryFolder()
    let apple = try image(prompt: "red apple", in: folder, name: "a.png")
    let plain = try Fixtures.testImage(width: 64, height: 48)
    #expect(SheetAssembly.recordedPrompt(of: apple) == "red apple")
    #expect(SheetAssembly.recordedPrompt(of: plain) == nil)

    let sheetPath = folder + "/sheet.png"
    try SheetAssembly.write(files: [apple, plain], to: sheetPath, columns: 2, padding: 8)
    let sheet = try PNGFile.read(sheetPath)
    #expect(sheet.width == 2 * (64 + 8) + 8, "cells as wide as the widest image, two columns")
    let record = try #require(try PNGFile.readText(sheetPath)[provenanceKey])
    let appleHash = try ProvenanceHash.hex(ofFile: apple)
    #expect(record.contains("{\"path\":\"\(apple)\",\"sha256\":\"\(appleHash)\"}"))
    #expect(record.contains(plain))

    // The same pixels under another recorded prompt give another sheet: the caption is drawn.
    let pear = try image(prompt: "green pear", in: folder, name: "b.png")
    try SheetAssembly.write(files: [pear, plain], to: folder + "/other.png", columns: 2, padding: 8)
    #expect(try PNGFile.read(folder + "/other.png").pixels != sheet.pixels)
  }

  @Test func userErrorsLeaveNoSheet() throws {
    let folder = Fixtures.temporaryFolder()
    let apple = try image(prompt: "red apple", in: folder, name: "a.png")
    let sheetPath = folder + "/sheet.png"
    do {
      try SheetAssembly.write(files: [apple, folder + "/missing.png"], to: sheetPath, columns: nil, padding: 8)
      Issue.record("a missing image must fail")
    } catch {
      #expect(error.exitCode == 3 && error.description.contains("missing.png"))
    }
    do {
      try SheetAssembly.write(files: [apple], to: folder + "/no/such/dir/sheet.png", columns: nil, padding: 8)
      Issue.record("an unwritable sheet path must fail")
    } catch {
      #expect(error.exitCode == 1 && error.description.contains("no/such/dir/sheet.png"))
    }
    let notAnImage = Fixtures.writeFile("hello", name: "notes.png")
    do {
      try SheetAssembly.write(files: [notAnImage], to: sheetPath, columns: nil, padding: 8)
      Issue.record("a file that is no image must fail")
    } catch {
      #expect(error.exitCode == 2 && error.description.contains("notes.png"))
    }
    #expect(!FileManager.default.fileExists(atPath: sheetPath))
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.png"], "no temporary file is left")
  }
}
