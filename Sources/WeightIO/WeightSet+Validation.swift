// Checks a weight set against what a model expects and collects every problem, so a user with a
// mismatched checkpoint sees all missing, mis-shaped and mistyped keys in one message.

import TensorCore

/// One thing wrong with a model folder or its weights.
public enum WeightProblem: Sendable, Equatable, CustomStringConvertible {
  /// The model needs `key` and no file holds it.
  case missingKey(key: String, source: String)
  /// A file holds `key` and the model does not use it.
  case extraKey(key: String, source: String)
  /// `key` has another shape than the model expects.
  case wrongShape(key: String, expected: [Int], actual: [Int], source: String)
  /// `key` is stored in a dtype the model cannot use.
  case wrongDType(key: String, stored: String, allowed: [DType], source: String)
  /// The folder lacks a component the pipeline needs.
  case missingComponent(name: String, folder: String)
  /// A component's config is missing or unreadable.
  case missingConfig(component: String, reason: String)
  /// A component's weights cannot be opened.
  case unreadableWeights(component: String, reason: String)

  public var description: String {
    switch self {
    case .missingKey(let key, let source): "missing tensor '\(key)' in \(source)"
    case .extraKey(let key, let source): "unexpected tensor '\(key)' in \(source)"
    case .wrongShape(let key, let expected, let actual, let source):
      "tensor '\(key)' in \(source) has shape \(actual), expected \(expected)"
    case .wrongDType(let key, let stored, let allowed, let source):
      "tensor '\(key)' in \(source) is \(stored), expected one of \(allowed.map(\.rawValue).sorted().joined(separator: "/"))"
    case .missingComponent(let name, let folder): "component '\(name)' is missing from \(folder)"
    case .missingConfig(let component, let reason): "config of component '\(component)': \(reason)"
    case .unreadableWeights(let component, let reason): "weights of component '\(component)': \(reason)"
    }
  }

  /// Throws ``WeightError/invalidModel(folder:problems:)`` listing all `problems`; returns when there are none.
  public static func throwIfAny(_ problems: [WeightProblem], folder: String) throws {
    guard !problems.isEmpty else { return }
    throw WeightError.invalidModel(folder: folder, problems: problems.map(\.description))
  }
}

extension WeightSet {
  /// Every difference between this set and the keys and shapes a model expects, in the order of
  /// `expected` (then extra keys, sorted, when `reportExtraKeys`).
  public func validate(expected: [(key: String, shape: [Int])], allowedDTypes: Set<DType>,
                       reportExtraKeys: Bool = false) -> [WeightProblem] {
    var problems: [WeightProblem] = []
    let allowed = allowedDTypes.sorted { $0.rawValue < $1.rawValue }
    for (key, shape) in expected {
      guard let info = info(key) else {
        problems.append(.missingKey(key: key, source: source))
        continue
      }
      let location = file(containing: key)?.path ?? source
      if info.shape != shape {
        problems.append(.wrongShape(key: key, expected: shape, actual: info.shape, source: location))
      }
      if !(info.dtype.map(allowedDTypes.contains) ?? false) {
        problems.append(.wrongDType(key: key, stored: info.storedDType.rawValue, allowed: allowed, source: location))
      }
    }
    if reportExtraKeys {
      let wanted = Set(expected.map(\.key))
      for key in keys where !wanted.contains(key) { problems.append(.extraKey(key: key, source: source)) }
    }
    return problems
  }
}
