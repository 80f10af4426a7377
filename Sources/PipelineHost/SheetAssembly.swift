// `easel sheet`: finished outputs of any runs on one captioned contact sheet. Each cell is captioned
// with the prompt its provenance records (else its file name); the sheet's own provenance lists the
// files it shows with their SHA-256, so it too can be re-made.
import EaselPluginSDK
import Foundation
import MediaIO

/// Assembles contact sheets of existing image files.
public enum SheetAssembly {
  /// Reads every file in `files`, lays them out on one sheet and writes it to `output` as a PNG
  /// (atomically: on any error no file is left).
  /// - Throws: ``HostError/missingFile(path:what:)`` for a missing image, ``HostError/usage(_:)`` for
  ///   an unreadable one or an empty list, ``HostError/cannotWrite(path:reason:)`` when the sheet
  ///   cannot be written.
  public static func write(files: [String], to output: String, columns: Int?, padding: Int) throws(HostError) {
    guard !files.isEmpty else { throw .usage("give at least one image file") }
    if let columns, columns < 1 { throw .usage("--columns must be at least 1") }
    var images: [RasterImage] = []
    var captions: [String] = []
    var sources: [JSONValue] = []
    for file in files {
      guard FileManager.default.isReadableFile(atPath: file) else { throw .missingFile(path: file, what: "image") }
      do { images.append(try ImageFile.read(file)) } catch { throw .usage("\(error)") }
      captions.append(recordedPrompt(of: file) ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)
      sources.append(.object(["path": .string(file), "sha256": .string(try ProvenanceHash.hex(ofFile: file))]))
    }
    let sheet = ContactSheet.render(images, captions: captions, columns: columns, cellPadding: padding)
    let record: JSONValue = .object([
      "easel": .string(easelVersion), "sheet": .array(sources),
      "columns": columns.map { .number(Double($0)) } ?? .null, "padding": .number(Double(padding)),
    ])
    do {
      try PNGFile.write(sheet, to: output, text: [provenanceKey: record.jsonText])
    } catch MediaError.cannotWrite(_, let reason) {
      throw .cannotWrite(path: output, reason: reason)
    } catch {
      throw .cannotWrite(path: output, reason: "\(error)")
    }
  }

  /// The prompt an easel output's provenance records, if any.
  static func recordedPrompt(of file: String) -> String? {
    guard let text = try? MediaMetadata.readText(file), let stored = text[provenanceKey],
          case .object(let record)? = JSONValue(jsonText: stored), case .object(let job)? = record["job"],
          case .string(let prompt)? = job["prompt"]
    else { return nil }
    return prompt
  }
}
