// easel sheet FILE… --out SHEET.png: images on one captioned contact sheet (captions: the prompts
// their provenance records).
import ArgumentParser
import PipelineHost

struct SheetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sheet",
    abstract: "Lay images out on one captioned contact sheet (PNG).",
    discussion: """
      Each image is captioned with the prompt recorded in its easel provenance, else its file name. \
      Example: easel sheet out/*.png --columns 4 --out sheet.png
      """)

  @Argument(help: "The images (PNG, JPEG, WebP, …), in sheet order.")
  var files: [String]

  @Option(help: "The sheet to write (PNG).")
  var out: String

  @Option(help: "Cells per row (default: about square).")
  var columns: Int?

  @Option(help: "Blank pixels around each cell.")
  var padding: Int = 8

  func run() throws {
    try SheetAssembly.write(files: files, to: out, columns: columns, padding: padding)
  }
}
