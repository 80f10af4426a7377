// easel info FILE: the provenance an easel output carries.
import ArgumentParser
import EaselPluginSDK
import Foundation
import MediaIO
import PipelineHost

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info", abstract: "Print the provenance of a PNG, WAV or MP4 written by easel.")

  @Argument(help: "The file.")
  var file: String

  func run() throws {
    guard FileManager.default.fileExists(atPath: file) else { throw HostError.missingFile(path: file, what: "file") }
    let text: [String: String]
    do { text = try MediaMetadata.readText(file) } catch {
      throw HostError.usage("\(error)")
    }
    guard let stored = text[provenanceKey] else {
      throw HostError.stageFailed(stage: "info", message: "\(file) has no easel provenance (not written by easel, or stripped)")
    }
    guard let value = JSONValue(jsonText: stored) else {
      print(stored)
      return
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data(stored.utf8)
    print(String(decoding: data, as: UTF8.self))
  }
}
