// easel stages [NAME]: the registered stages with their ports and parameters (like gst-inspect).
import ArgumentParser
import PipelineHost

struct StagesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stages", abstract: "List every loaded stage with its ports and parameters.")

  @Argument(help: "Show only this stage.")
  var name: String?

  @Flag(name: .shortAndLong, help: "One line per stage.")
  var brief = false

  func run() throws {
    let registry = try BuiltInPlugins.registry()
    if let name {
      guard let stage = registry[name] else {
        throw HostError.usage("no stage named '\(name)'; run 'easel stages --brief' to list them")
      }
      print(StageCatalog.details(stage))
      return
    }
    if brief {
      print(StageCatalog.summary(registry))
      return
    }
    for plugin in registry.plugins {
      print("plugin \(plugin.name) \(plugin.version) (\(plugin.source)): \(plugin.stages.sorted().joined(separator: ", "))")
    }
    print("")
    print(StageCatalog.all(registry))
  }
}
