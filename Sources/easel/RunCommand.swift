// easel run PIPELINE: run a pipeline for prompts × count, writing its outputs under --out.
import ArgumentParser
import Foundation
import PipelineHost
import TensorCore

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline.",
    discussion: """
      Items are prompts (--prompt, or --prompts FILE with one per line and # comments) times --count; \
      item i of a prompt gets seed --seed + i. Outputs already written by the same job are skipped \
      (--force redoes them). Ctrl-C stops cleanly: no partial file is left, exit status 130.
      """)

  @Argument(help: "The pipeline file (YAML).")
  var pipeline: String

  @Option(help: "The prompt.")
  var prompt: String?

  @Option(help: "A file with one prompt per line (# comments, blank lines skipped).")
  var prompts: String?

  @Option(help: "The input image (PNG, JPEG, WebP, …).")
  var image: String?

  @Option(help: "Seed of the first item; item i gets seed + i.")
  var seed: Int?

  @Option(help: "Items per prompt.")
  var count: Int?

  @Option(name: .customLong("set"), help: "Override a parameter: STAGE.PARAM=VALUE (repeatable).")
  var overrides: [String] = []

  @Option(help: "Output directory.")
  var out: String = "out"

  @Option(help: "Compute threads (default: EASEL_THREADS or all cores).")
  var threads: Int?

  @Flag(help: "Redo items whose outputs already exist.")
  var force = false

  @Flag(help: "No progress output.")
  var quiet = false

  static func parseOverrides(_ texts: [String]) throws(HostError) -> [ParameterOverride] {
    var result: [ParameterOverride] = []
    for text in texts {
      guard let override = ParameterOverride(text) else {
        throw .usage("--set \(text): expected STAGE.PARAM=VALUE, e.g. --set resize.width=256")
      }
      result.append(override)
    }
    return result
  }

  func run() throws {
    if prompt != nil && prompts != nil { throw HostError.usage("pass --prompt or --prompts, not both") }
    if let threads {
      guard threads >= 1 else { throw HostError.usage("--threads must be at least 1") }
      ComputePool.shared.setThreadCount(threads)
    }
    var options = RunOptions()
    if let prompt { options.prompts = [prompt] }
    if let prompts {
      options.prompts = try RunOptions.prompts(fromFile: prompts)
      if options.prompts.isEmpty { throw HostError.usage("\(prompts): no prompts in the file (one per line)") }
    }
    options.imagePath = image
    options.seed = seed
    options.count = count
    options.outDirectory = out
    options.force = force
    let overrides = try Self.parseOverrides(self.overrides)
    let registry = try BuiltInPlugins.registry()
    let plan = try PipelineLoading.plan(path: pipeline, registry: registry, overrides: overrides)
    let cancellation = CancellationFlag()
    let reporter = ConsoleProgress(quiet: quiet)
    SignalTrap.install(cancellation) { _ in
      reporter.note("stopping (press Ctrl-C again to quit at once)")
    }
    let executor = PipelineExecutor(plan: plan, options: options, cancellation: cancellation, reporter: reporter)
    let summary = try executor.run()
    reporter.finish()
    if !quiet {
      let skipped = summary.skipped.isEmpty ? "" : ", \(summary.skipped.count) already done"
      reporter.note("done: \(summary.written.count) file(s) written\(skipped)")
    }
  }
}
