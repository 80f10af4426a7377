// easel check PIPELINE: every problem in a pipeline file, without creating any stage.
import ArgumentParser
import Foundation
import PipelineHost

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check", abstract: "Validate a pipeline file and print every problem (exit 2 if any).")

  @Argument(help: "The pipeline file (YAML).")
  var pipeline: String

  @Option(name: .customLong("set"), help: "Override a parameter: STAGE.PARAM=VALUE (repeatable).")
  var overrides: [String] = []

  func run() throws {
    let parsed = try RunCommand.parseOverrides(overrides)
    let registry = try BuiltInPlugins.registry()
    let problems = try PipelineLoading.check(path: pipeline, registry: registry, overrides: parsed)
    if problems.isEmpty {
      print("\(pipeline): ok")
      return
    }
    throw HostError.invalidPipeline(problems)
  }
}
