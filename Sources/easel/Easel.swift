// The root command.
import ArgumentParser
import PipelineHost

struct Easel: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "easel",
    abstract: "Run media pipelines (text → image → video, audio) on the CPU.",
    discussion: """
      Exit status: 0 ok, 1 runtime failure, 2 invalid pipeline or usage, 3 missing input file or model, \
      130 interrupted. Pipeline format: docs/pipelines.md. Plugins: docs/plugins.md.
      """,
    version: easelVersion,
    subcommands: [RunCommand.self, CheckCommand.self, StagesCommand.self, InfoCommand.self, SheetCommand.self])
}
