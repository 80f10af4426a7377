// From a pipeline file on disk to a checked plan, in one call.
import Foundation

/// Reads, parses and validates pipeline files.
public enum PipelineLoading {
  /// The checked plan of the file at `path`; throws every problem at once.
  public static func plan(path: String, registry: StageRegistry, overrides: [ParameterOverride] = [])
    throws(HostError) -> PipelinePlan
  {
    let (file, diagnostics) = try parse(path: path)
    guard let file, diagnostics.isEmpty else { throw .invalidPipeline(diagnostics) }
    let (plan, problems) = PipelineValidator.validate(file, registry: registry, overrides: overrides)
    guard let plan, problems.isEmpty else { throw .invalidPipeline(problems) }
    return plan
  }

  /// Every problem in the file at `path` (parse and validation together); empty when it is valid.
  public static func check(path: String, registry: StageRegistry, overrides: [ParameterOverride] = [])
    throws(HostError) -> [Diagnostic]
  {
    let (file, diagnostics) = try parse(path: path)
    guard let file else { return diagnostics }
    let (_, problems) = PipelineValidator.validate(file, registry: registry, overrides: overrides)
    return (diagnostics + problems).sorted { ($0.line, $0.column) < ($1.line, $1.column) }
  }

  static func parse(path: String) throws(HostError) -> (PipelineFile?, [Diagnostic]) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .missingFile(path: path, what: "pipeline file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      return (nil, [Diagnostic(file: path, line: 0, column: 0, message: "the file is not UTF-8 text; save it as UTF-8")])
    }
    var (file, diagnostics) = PipelineParser.parse(text, path: path)
    file?.sha256 = ProvenanceHash.hex(of: data)
    diagnostics.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    return (file, diagnostics)
  }
}
