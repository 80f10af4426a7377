// Checks a parsed pipeline against the registered stages before anything is created: stages,
// parameters, connections (kind and dtype), cycles, sinks and path templates. Reports every problem.
import EaselPluginSDK
import Foundation

/// A stage ready to create: its declaration, what implements it and its complete parameters.
public struct PlannedStage: Sendable {
  public var declaration: StageDeclaration
  public var stage: RegisteredStage
  /// Every declared parameter, defaults filled in, paths made absolute.
  public var parameters: [String: String]
  /// The same parameters with paths as written (relative to the pipeline file), for provenance:
  /// a clone of the project in another folder records the same bytes.
  public var writtenParameters: [String: String]

  /// `file` (an absolute path a stage read) spelled through the path parameter it lies in, as
  /// written; a file outside every path parameter stays absolute.
  public func writtenPath(of file: String) -> String {
    for spec in stage.description.parameters where spec.type == .path {
      guard let resolved = parameters[spec.name], let written = writtenParameters[spec.name], !resolved.isEmpty
      else { continue }
      if file == resolved { return written }
      if file.hasPrefix(resolved + "/") {
        let folder = written.hasSuffix("/") ? String(written.dropLast()) : written
        return folder + file.dropFirst(resolved.count)
      }
    }
    return file
  }
}

/// A checked pipeline: stages in an order where every stage comes after those it reads from.
public struct PipelinePlan: Sendable {
  public var file: PipelineFile
  public var stages: [PlannedStage]
  public var outputs: [OutputDeclaration]
  /// Each output's sink parameters, complete.
  public var sinkParameters: [[String: String]]
}

/// One `--set stage.param=value`.
public struct ParameterOverride: Sendable, Equatable {
  public var stageID: String
  public var name: String
  public var value: String

  /// Parses `stage.param=value`; nil when the text has another shape.
  public init?(_ text: String) {
    guard let equals = text.firstIndex(of: "=") else { return nil }
    let key = text[..<equals]
    guard let dot = key.firstIndex(of: "."), dot != key.startIndex, key.index(after: dot) != key.endIndex else { return nil }
    stageID = String(key[..<dot])
    name = String(key[key.index(after: dot)...])
    value = String(text[text.index(after: equals)...])
  }
}

/// Checks pipelines.
public enum PipelineValidator {
  /// Validates `file`; the plan is nil when there is any problem.
  public static func validate(_ file: PipelineFile, registry: StageRegistry, overrides: [ParameterOverride] = [])
    -> (PipelinePlan?, [Diagnostic])
  {
    var problems = ParseContext(path: file.path)
    let folder = URL(fileURLWithPath: file.path).deletingLastPathComponent()
    var planned: [String: PlannedStage] = [:]
    let ids = Set(file.stages.map(\.id))

    for override in overrides where !ids.contains(override.stageID) {
      problems.report(.unknown, stage: override.stageID,
                      "--set \(override.stageID).\(override.name): no stage with id '\(override.stageID)' in this pipeline")
    }
    for declaration in file.stages where !declaration.stage.value.isEmpty {
      let id = declaration.id
      guard let stage = registry[declaration.stage.value] else {
        problems.report(declaration.stage.location, stage: id,
                        "unknown stage '\(declaration.stage.value)'; run 'easel stages' to list the registered ones")
        continue
      }
      var given = declaration.params.mapValues(\.value)
      for override in overrides where override.stageID == id { given[override.name] = override.value }
      let (values, paramProblems) = ParamSpec.resolve(stage.description.parameters, given: given)
      for problem in paramProblems {
        let fromSet = overrides.contains { $0.stageID == id && $0.name == problem.name }
        let at = declaration.params[problem.name]?.location ?? declaration.location
        problems.report(at, stage: id, (fromSet ? "--set: " : "") + problem.message)
      }
      var resolved = values
      for spec in stage.description.parameters where spec.type == .path {
        if let value = resolved[spec.name], !value.isEmpty { resolved[spec.name] = absolutePath(value, relativeTo: folder) }
      }
      planned[id] = PlannedStage(declaration: declaration, stage: stage, parameters: resolved, writtenParameters: values)
      checkConnections(declaration, stage: stage, file: file, registry: registry, problems: &problems)
    }
    let order = topologicalOrder(file.stages, problems: &problems)
    let sinkParameters = file.outputs.map { checkOutput($0, file: file, registry: registry, problems: &problems) }
    guard problems.diagnostics.isEmpty else { return (nil, problems.diagnostics) }
    let stages = order.compactMap { planned[$0] }
    return (PipelinePlan(file: file, stages: stages, outputs: file.outputs, sinkParameters: sinkParameters), [])
  }

  static func absolutePath(_ path: String, relativeTo folder: URL) -> String {
    let expanded = (path as NSString).expandingTildeInPath
    if expanded.hasPrefix("/") { return expanded }
    return folder.appendingPathComponent(expanded).standardizedFileURL.path
  }

  /// The kind and dtype a reference produces, or a message why it produces nothing.
  static func source(of reference: Reference, file: PipelineFile, registry: StageRegistry) -> Result<PortSpec, Message> {
    switch reference {
    case .input(let name):
      guard let input = file.inputs.first(where: { $0.name == name }) else {
        let known = file.inputs.map(\.name).joined(separator: ", ")
        return .failure(Message("'$inputs.\(name)' is not a declared input (declared: \(known.isEmpty ? "none" : known))"))
      }
      switch input.kind {
      case .text: return .success(PortSpec(name, .text))
      case .image: return .success(PortSpec(name, .image))
      case .seed: return .success(PortSpec(name, .tensor, dtype: .i32, shape: "[1]"))
      case .count: return .failure(Message("'$inputs.\(name)' is a count; it sets --count and cannot be connected"))
      }
    case .stage(let id, let port):
      guard let declaration = file.stages.first(where: { $0.id == id }) else {
        return .failure(Message("'\(id).\(port)' names no stage with id '\(id)'"))
      }
      guard let stage = registry[declaration.stage.value] else {
        return .failure(Message("", isQuiet: true))  // the unknown stage is reported on its own line
      }
      guard let output = stage.description.outputs.first(where: { $0.name == port }) else {
        let known = stage.description.outputs.map(\.name).joined(separator: ", ")
        return .failure(Message("stage '\(id)' (\(stage.description.name)) has no output '\(port)' (outputs: \(known))"))
      }
      return .success(output)
    }
  }

  struct Message: Error {
    var text: String
    var isQuiet = false
    init(_ text: String, isQuiet: Bool = false) {
      self.text = text
      self.isQuiet = isQuiet
    }
  }

  static func describe(_ port: PortSpec) -> String {
    port.kind == .text ? "text" : "\(port.kind.rawValue) \(port.dtype.rawValue)"
  }

  static func checkConnections(_ declaration: StageDeclaration, stage: RegisteredStage, file: PipelineFile,
                               registry: StageRegistry, problems: inout ParseContext) {
    let id = declaration.id
    let ports = stage.description.inputs
    for port in declaration.inputs.keys.sorted() {
      guard let connection = declaration.inputs[port] else { continue }
      guard let target = ports.first(where: { $0.name == port }) else {
        let known = ports.map(\.name).joined(separator: ", ")
        problems.report(connection.location, stage: id,
                        "'\(stage.description.name)' has no input '\(port)' (inputs: \(known.isEmpty ? "none" : known))")
        continue
      }
      switch source(of: connection.value, file: file, registry: registry) {
      case .failure(let message):
        if !message.isQuiet { problems.report(connection.location, stage: id, "input '\(port)': \(message.text)") }
      case .success(let produced):
        let kindsMatch = produced.kind == target.kind
        let dtypesMatch = target.kind == .text || produced.dtype == target.dtype
        if !kindsMatch || !dtypesMatch {
          problems.report(connection.location, stage: id,
                          "input '\(port)' takes \(describe(target)) but '\(connection.value)' gives \(describe(produced)); "
                            + "connect a matching output")
        }
      }
    }
    for port in ports where !port.isOptional && declaration.inputs[port.name] == nil {
      problems.report(declaration.location, stage: id,
                      "required input '\(port.name)' (\(describe(port))) is not connected; add it under 'inputs:'")
    }
  }

  /// Stage ids in dependency order; reports every stage that is part of a cycle.
  static func topologicalOrder(_ stages: [StageDeclaration], problems: inout ParseContext) -> [String] {
    let ids = stages.map(\.id)
    var dependencies: [String: Set<String>] = [:]
    for declaration in stages {
      var needs = Set<String>()
      for connection in declaration.inputs.values {
        if case .stage(let source, _) = connection.value, ids.contains(source) { needs.insert(source) }
      }
      dependencies[declaration.id] = needs
    }
    var order: [String] = []
    var done = Set<String>()
    var progress = true
    while progress {
      progress = false
      for id in ids where !done.contains(id) && (dependencies[id] ?? []).isSubset(of: done) {
        order.append(id)
        done.insert(id)
        progress = true
      }
    }
    for declaration in stages where !done.contains(declaration.id) {
      let waiting = (dependencies[declaration.id] ?? []).subtracting(done).sorted().joined(separator: ", ")
      problems.report(declaration.location, stage: declaration.id,
                      "is part of a cycle (waits on \(waiting)); a stage cannot depend on its own output")
    }
    return order
  }

  static func checkOutput(_ output: OutputDeclaration, file: PipelineFile, registry: StageRegistry,
                          problems: inout ParseContext) -> [String: String] {
    let firstStage: String? = output.from.first.flatMap { if case .stage(let id, _) = $0.value { id } else { nil } }
    guard !output.sink.value.isEmpty else { return [:] }
    guard let sink = SinkKind(rawValue: output.sink.value) else {
      let known = SinkKind.allCases.map(\.rawValue).joined(separator: ", ")
      problems.report(output.sink.location, stage: firstStage, "unknown sink '\(output.sink.value)' (sinks: \(known))")
      return [:]
    }
    if output.from.count > 1 && !sink.acceptsSeveralSources {
      problems.report(output.location, stage: firstStage, "sink '\(sink.rawValue)' takes one 'from'; use contact-sheet for several")
    }
    for source in output.from {
      switch PipelineValidator.source(of: source.value, file: file, registry: registry) {
      case .failure(let message):
        if !message.isQuiet { problems.report(source.location, stage: firstStage, "output: \(message.text)") }
      case .success(let port) where port.kind != sink.acceptedKind:
        problems.report(source.location, stage: firstStage,
                        "sink '\(sink.rawValue)' writes \(sink.acceptedKind.rawValue) values but '\(source.value)' gives \(port.kind.rawValue)")
      default: break
      }
    }
    if let path = output.path {
      let (names, problem) = PathTemplate.fieldNames(in: path.value)
      if let problem { problems.report(path.location, stage: firstStage, "path: \(problem)") }
      for name in names where !PathTemplate.fields.contains(name) {
        problems.report(path.location, stage: firstStage,
                        "path: unknown template field '{\(name)}' (fields: \(PathTemplate.fields.sorted().joined(separator: ", ")))")
      }
      if path.value.hasPrefix("/") || path.value.split(separator: "/").contains("..") {
        problems.report(path.location, stage: firstStage, "path: must stay inside --out (no leading '/' or '..')")
      }
    }
    let (values, paramProblems) = ParamSpec.resolve(sink.parameters, given: output.params.mapValues(\.value))
    for problem in paramProblems {
      problems.report(output.params[problem.name]?.location ?? output.sink.location, stage: firstStage,
                      "sink '\(sink.rawValue)': \(problem.message)")
    }
    return values
  }
}
