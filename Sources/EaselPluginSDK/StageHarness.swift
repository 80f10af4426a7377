// Runs one stage with no pipeline host, through the same C descriptor the host uses (GStreamer's
// gst_harness, swift-nio's EmbeddedChannel). For stage tests.
import Foundation

/// One stage, created and run in-process through its C descriptor, recording what it reports.
public final class StageHarness: StageHost, @unchecked Sendable {
  /// Progress calls, in order.
  public private(set) var progressEvents: [(step: Int, total: Int, message: String)] = []
  /// Log lines, in order.
  public private(set) var logLines: [String] = []
  /// Files the stage recorded at create.
  public private(set) var recordedFiles: [String] = []
  /// Set to make `isCancelled` true for the stage.
  public var cancelled = false
  /// The parameter values the stage was created with (defaults filled in).
  public private(set) var parameters: [String: String] = [:]
  private var instance: StageInstance?

  /// Creates `type` with `parameters` (checked and completed like the host does).
  public init(_ type: any Stage.Type, parameters given: [String: String] = [:]) throws {
    let plugin = PluginExport.descriptor(name: "harness", version: "0", stages: [type])
    guard let stage = plugin.pointee.stages else { throw StageError.failed("no stage descriptor") }
    let description = try StageDescription(stage)
    let (values, problems) = ParamSpec.resolve(description.parameters, given: given)
    if let problem = problems.first {
      throw StageError.invalidParameter(name: problem.name, value: given[problem.name] ?? "", reason: problem.message)
    }
    parameters = values
    instance = try StageInstance(description, parameters: values, context: HostContext(host: self))
  }

  /// Runs the stage once.
  public func run(_ inputs: [String: StageValue] = [:]) throws -> [String: StageValue] {
    guard let instance else { throw StageError.failed("the harness has no stage") }
    return try instance.run(inputs)
  }

  public var isCancelled: Bool { cancelled }
  public func progress(step: Int, total: Int, message: String) { progressEvents.append((step, total, message)) }
  public func log(level: Int, message: String) { logLines.append(message) }
  public func recordFile(path: String) { recordedFiles.append(path) }
}
