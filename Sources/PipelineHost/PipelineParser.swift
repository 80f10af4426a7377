// YAML text → PipelineFile, collecting every structural problem with its file:line:col (Yams
// `compose` keeps node marks).
import Foundation
import Yams

/// Reads pipeline files.
public enum PipelineParser {
  /// Parses `text` (the contents of `path`); returns the file (nil when it cannot be read as a
  /// pipeline at all) and every problem found.
  public static func parse(_ text: String, path: String) -> (PipelineFile?, [Diagnostic]) {
    var context = ParseContext(path: path)
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      context.report(yamlLocation(error), "YAML syntax error: \(yamlProblem(error)); fix the file's indentation or quoting")
      return (nil, context.diagnostics)
    } catch {
      context.report(.unknown, "YAML syntax error: \(error); fix the file")
      return (nil, context.diagnostics)
    }
    guard let root, case .mapping(let top) = root else {
      context.report(.unknown, "the file is not a YAML mapping; start it with 'easel: 1'")
      return (nil, context.diagnostics)
    }
    var file = PipelineFile(path: path, sha256: ProvenanceHash.hex(of: Data(text.utf8)), formatVersion: 0, description: "",
                            inputs: [], stages: [], outputs: [])
    for (key, value) in top {
      switch key.string ?? "" {
      case "easel":
        if let version = value.int, version == 1 { file.formatVersion = 1 } else {
          context.report(value, "unsupported format version '\(value.string ?? "?")'; this easel reads 'easel: 1'")
        }
      case "description": file.description = value.string ?? ""
      case "inputs": file.inputs = context.inputs(value)
      case "stages": file.stages = context.stages(value)
      case "outputs": file.outputs = context.outputs(value)
      default:
        context.report(key, "unknown key '\(key.string ?? "")' (expected easel, description, inputs, stages, outputs)")
      }
    }
    if file.formatVersion == 0 && top["easel"] == nil {
      context.report(root, "missing 'easel: 1' (the format version); add it as the first line")
    }
    return (file, context.diagnostics)
  }

  static func yamlLocation(_ error: YamlError) -> SourceLocation {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
      return SourceLocation(line: mark.line, column: mark.column)
    default:
      return .unknown
    }
  }

  static func yamlProblem(_ error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
         .composer(let context, let problem, _, _):
      return [context.map { "\($0.text)" }, problem].compactMap { $0 }.joined(separator: ": ")
    default:
      return "\(error)"
    }
  }
}

func location(_ node: Node) -> SourceLocation {
  guard let mark = node.mark else { return .unknown }
  return SourceLocation(line: mark.line, column: mark.column)
}

/// Collects diagnostics while walking the YAML tree.
struct ParseContext {
  let path: String
  var diagnostics: [Diagnostic] = []

  mutating func report(_ at: SourceLocation, stage: String? = nil, _ message: String) {
    diagnostics.append(Diagnostic(file: path, line: at.line, column: at.column, stageID: stage, message: message))
  }

  mutating func report(_ node: Node, stage: String? = nil, _ message: String) {
    report(location(node), stage: stage, message)
  }

  /// A mapping of scalar values, as text with positions.
  mutating func scalarMap(_ node: Node, stage: String?, what: String) -> [String: Located<String>] {
    guard case .mapping(let mapping) = node else {
      if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [:] }
      report(node, stage: stage, "'\(what)' must be a mapping of names to values")
      return [:]
    }
    var result: [String: Located<String>] = [:]
    for (key, value) in mapping {
      let name = key.string ?? ""
      guard case .scalar(let scalar) = value else {
        report(value, stage: stage, "'\(what).\(name)' must be a single value, not a list or mapping")
        continue
      }
      if result[name] != nil { report(key, stage: stage, "'\(what).\(name)' is set twice; keep one") }
      result[name] = Located(scalar.string, location(value))
    }
    return result
  }

  mutating func inputs(_ node: Node) -> [PipelineInput] {
    guard case .mapping(let mapping) = node else {
      report(node, "'inputs' must be a mapping of input names to {kind: …}")
      return []
    }
    var result: [PipelineInput] = []
    for (key, value) in mapping {
      let name = key.string ?? ""
      let fields = scalarMap(value, stage: nil, what: "inputs.\(name)")
      for field in fields.keys.sorted() where !["kind", "required", "default"].contains(field) {
        report(fields[field]?.location ?? location(value), "input '\(name)': unknown field '\(field)' (expected kind, required, default)")
      }
      guard let kindText = fields["kind"] else {
        report(value, "input '\(name)' has no kind; add kind: text, image, seed or count")
        continue
      }
      guard let kind = InputKind(rawValue: kindText.value) else {
        report(kindText.location, "input '\(name)': unknown kind '\(kindText.value)' (expected text, image, seed or count)")
        continue
      }
      let required = fields["required"]?.value == "true"
      if let defaultValue = fields["default"], kind == .seed || kind == .count, Int(defaultValue.value) == nil {
        report(defaultValue.location, "input '\(name)': default '\(defaultValue.value)' is not an integer")
      }
      if result.contains(where: { $0.kind == kind }) && kind != .text {
        report(key, "input '\(name)': a second input of kind \(kind.rawValue); a pipeline takes at most one")
      }
      result.append(PipelineInput(name: name, kind: kind, isRequired: required, defaultValue: fields["default"]?.value,
                                  location: location(key)))
    }
    return result
  }

  mutating func stages(_ node: Node) -> [StageDeclaration] {
    guard case .sequence(let sequence) = node else {
      report(node, "'stages' must be a list of '- id: …' entries")
      return []
    }
    var result: [StageDeclaration] = []
    for entry in sequence {
      guard case .mapping(let mapping) = entry else {
        report(entry, "a stage entry must be a mapping with id, stage, params, inputs")
        continue
      }
      let id = mapping["id"]?.string ?? ""
      let stageID: String? = id.isEmpty ? nil : id
      if id.isEmpty { report(entry, "a stage entry has no 'id'; add one (letters, digits, '_' or '-')") }
      if id.contains(".") || id.hasPrefix("$") {
        report(mapping["id"] ?? entry, stage: id, "the id may not contain '.' or start with '$'; rename it")
      }
      if let previous = result.first(where: { $0.id == id && !id.isEmpty }) {
        report(mapping["id"] ?? entry, stage: id,
               "duplicate stage id (first used on line \(previous.location.line)); give each stage its own id")
      }
      var declaration = StageDeclaration(id: id, stage: Located("", location(entry)), params: [:], inputs: [:],
                                         location: location(entry))
      for (key, value) in mapping {
        switch key.string ?? "" {
        case "id": break
        case "stage": declaration.stage = Located(value.string ?? "", location(value))
        case "params": declaration.params = scalarMap(value, stage: stageID, what: "params")
        case "inputs":
          for (port, text) in scalarMap(value, stage: stageID, what: "inputs") {
            guard let reference = Reference(text.value) else {
              report(text.location, stage: stageID,
                     "input '\(port)': '\(text.value)' is not '$inputs.NAME' or 'STAGEID.PORT'")
              continue
            }
            declaration.inputs[port] = Located(reference, text.location)
          }
        default:
          report(key, stage: stageID, "unknown key '\(key.string ?? "")' (expected id, stage, params, inputs)")
        }
      }
      if declaration.stage.value.isEmpty {
        report(entry, stage: stageID, "no 'stage:' (the registered stage name); see 'easel stages'")
      }
      result.append(declaration)
    }
    return result
  }

  mutating func outputs(_ node: Node) -> [OutputDeclaration] {
    guard case .sequence(let sequence) = node else {
      report(node, "'outputs' must be a list of '- from: …' entries")
      return []
    }
    var result: [OutputDeclaration] = []
    for entry in sequence {
      guard case .mapping(let mapping) = entry else {
        report(entry, "an output entry must be a mapping with from, sink, path, params")
        continue
      }
      var declaration = OutputDeclaration(from: [], sink: Located("", location(entry)), path: nil, params: [:],
                                          location: location(entry))
      for (key, value) in mapping {
        switch key.string ?? "" {
        case "from":
          let nodes: [Node]
          if case .sequence(let list) = value { nodes = Array(list) } else { nodes = [value] }
          for item in nodes {
            guard let text = item.string, let reference = Reference(text), case .stage = reference else {
              report(item, "output 'from: \(item.string ?? "…")' must be 'STAGEID.PORT'")
              continue
            }
            declaration.from.append(Located(reference, location(item)))
          }
        case "sink": declaration.sink = Located(value.string ?? "", location(value))
        case "path": declaration.path = Located(value.string ?? "", location(value))
        case "params": declaration.params = scalarMap(value, stage: nil, what: "params")
        default:
          report(key, "unknown key '\(key.string ?? "")' in an output (expected from, sink, path, params)")
        }
      }
      if declaration.from.isEmpty && mapping["from"] == nil { report(entry, "an output has no 'from: STAGEID.PORT'") }
      if declaration.sink.value.isEmpty { report(entry, "an output has no 'sink:' (png, wav, mp4 or contact-sheet)") }
      result.append(declaration)
    }
    return result
  }
}
