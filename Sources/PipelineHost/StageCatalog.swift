// `easel stages`: every registered stage with its ports and parameters, like gst-inspect.
import EaselPluginSDK

/// Text descriptions of registered stages.
public enum StageCatalog {
  /// One line per stage.
  public static func summary(_ registry: StageRegistry) -> String {
    let width = registry.stages.keys.map(\.count).max() ?? 0
    return registry.stages.keys.sorted().compactMap { name in
      guard let stage = registry[name] else { return nil }
      return name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + stage.description.summary
    }.joined(separator: "\n")
  }

  /// Full details of one stage.
  public static func details(_ stage: RegisteredStage) -> String {
    let description = stage.description
    var lines = ["\(description.name) \(description.version)",
                 "  \(description.summary)",
                 "  plugin: \(stage.pluginName) \(stage.pluginVersion) (\(stage.source))"]
    lines.append("  inputs:")
    if description.inputs.isEmpty { lines.append("    (none)") }
    lines += description.inputs.map { "    " + port($0) }
    lines.append("  outputs:")
    if description.outputs.isEmpty { lines.append("    (none)") }
    lines += description.outputs.map { "    " + port($0) }
    lines.append("  params:")
    if description.parameters.isEmpty { lines.append("    (none)") }
    lines += description.parameters.map { "    " + parameter($0) }
    return lines.joined(separator: "\n")
  }

  /// Every stage in full, sorted by name.
  public static func all(_ registry: StageRegistry) -> String {
    registry.stages.keys.sorted().compactMap { registry[$0].map(details) }.joined(separator: "\n\n")
  }

  static func port(_ port: PortSpec) -> String {
    var type = port.kind == .text ? "text" : "\(port.kind.rawValue) \(port.dtype.rawValue)"
    if !port.shape.isEmpty { type += " \(port.shape)" }
    let optional = port.isOptional ? " (optional)" : ""
    return column(port.name, 14) + column(type, 26) + port.description + optional
  }

  static func parameter(_ spec: ParamSpec) -> String {
    var type = spec.type.rawValue
    if spec.type == .choice { type += " " + spec.choices.joined(separator: "|") }
    var facts: [String] = [spec.defaultValue.map { "default \($0.isEmpty ? "\"\"" : $0)" } ?? "required"]
    if let range = spec.range {
      facts.append("range \(ParamSpec.format(range.lowerBound))...\(ParamSpec.format(range.upperBound))")
    }
    return column(spec.name, 14) + type + "  " + facts.joined(separator: ", ")
      + (spec.description.isEmpty ? "" : "  — " + spec.description)
  }

  /// `text` padded to `width`, always followed by at least one space so long names never run into the next column.
  private static func column(_ text: String, _ width: Int) -> String {
    text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
  }
}
