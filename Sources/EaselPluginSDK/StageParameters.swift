// Parameter values as a stage receives them: every declared parameter present, already checked by
// the host against its ParamSpec, read back through typed accessors.

/// The parameters a stage is created with.
public struct StageParameters: Sendable {
  /// Values as text, by name.
  public let values: [String: String]

  /// Wraps values by name.
  public init(_ values: [String: String]) { self.values = values }

  /// The raw text of `name`; throws when it is not set.
  public func text(_ name: String) throws(StageError) -> String {
    guard let value = values[name] else {
      throw .invalidParameter(name: name, value: "", reason: "it is not set")
    }
    return value
  }

  /// An integer parameter.
  public func int(_ name: String) throws(StageError) -> Int {
    let value = try text(name)
    guard let number = Int(value) else { throw .invalidParameter(name: name, value: value, reason: "not an integer") }
    return number
  }

  /// A floating-point parameter.
  public func float(_ name: String) throws(StageError) -> Double {
    let value = try text(name)
    guard let number = Double(value) else { throw .invalidParameter(name: name, value: value, reason: "not a number") }
    return number
  }

  /// A boolean parameter.
  public func bool(_ name: String) throws(StageError) -> Bool {
    let value = try text(name)
    switch value {
    case "true": return true
    case "false": return false
    default: throw .invalidParameter(name: name, value: value, reason: "not true or false")
    }
  }

  /// A string, path or choice parameter.
  public func string(_ name: String) throws(StageError) -> String { try text(name) }

  /// A choice parameter as an enum with matching raw values.
  public func choice<T: RawRepresentable>(_ name: String, as type: T.Type) throws(StageError) -> T
  where T.RawValue == String {
    let value = try text(name)
    guard let choice = T(rawValue: value) else {
      throw .invalidParameter(name: name, value: value, reason: "not a known choice")
    }
    return choice
  }
}

extension ParamSpec {
  /// Fills in defaults and checks `given` against `specs`: the complete values and a problem per
  /// unknown, missing or invalid parameter (parameter name, message).
  public static func resolve(_ specs: [ParamSpec], given: [String: String])
    -> (values: [String: String], problems: [(name: String, message: String)])
  {
    var values: [String: String] = [:]
    var problems: [(name: String, message: String)] = []
    for name in given.keys.sorted() where !specs.contains(where: { $0.name == name }) {
      let known = specs.map(\.name).joined(separator: ", ")
      problems.append((name, "unknown parameter '\(name)' (known: \(known.isEmpty ? "none" : known))"))
    }
    for spec in specs {
      guard let value = given[spec.name] ?? spec.defaultValue else {
        problems.append((spec.name, "parameter '\(spec.name)' is required and not set"))
        continue
      }
      if let problem = spec.problem(with: value) {
        problems.append((spec.name, "parameter '\(spec.name)': \(problem)"))
        continue
      }
      values[spec.name] = value
    }
    return (values, problems)
  }
}
