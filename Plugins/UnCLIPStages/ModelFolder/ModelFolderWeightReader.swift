// Reads the weights of one model component while its layers are built, collecting every problem
// (missing key, wrong shape, non-float dtype) instead of stopping at the first. Each layer names its
// checkpoint keys verbatim where it is built, so the constructors are the key table of each model.
import Foundation
import TensorCore
import WeightIO

/// Hands out the tensors of one safetensors file by key and expected shape, and records what is wrong.
public final class WeightReader: @unchecked Sendable {
  /// The file the weights come from (nil when the component has no weight file: every key is missing).
  public let file: SafeTensorsFile?
  /// Label used in problem lines (the component folder name, e.g. `decoder`).
  public let component: String
  /// Everything wrong so far, one line each.
  public private(set) var problems: [String] = []
  private var taken = Set<String>()

  /// A reader over `file`; `component` prefixes every problem line.
  public init(file: SafeTensorsFile?, component: String) {
    self.file = file
    self.component = component
  }

  /// The tensor `key`, which must have `shape` and a float dtype. On a problem the problem is recorded
  /// and a zero f32 tensor of `shape` stands in, so that building can go on and find the rest.
  public func tensor(_ key: String, _ shape: [Int]) -> Tensor {
    taken.insert(key)
    guard let file else { return Tensor(zeros: shape) }
    guard let info = file.info(key) else {
      problems.append("\(component): missing key '\(key)' (expected shape \(shape))")
      return Tensor(zeros: shape)
    }
    guard info.shape == shape else {
      problems.append("\(component): key '\(key)' has shape \(info.shape), expected \(shape)")
      return Tensor(zeros: shape)
    }
    guard let dtype = info.dtype, dtype.isFloatingPoint else {
      problems.append("\(component): key '\(key)' is stored as \(info.storedDType.rawValue), expected F32, F16 or BF16")
      return Tensor(zeros: shape)
    }
    do {
      return try file.tensor(key)
    } catch {
      problems.append("\(component): \(error)")
      return Tensor(zeros: shape)
    }
  }

  /// Keys that `prefix` (e.g. `down_blocks.0.`) scopes, for nested layers.
  public func scope(_ prefix: String) -> WeightScope { WeightScope(reader: self, prefix: prefix) }

  /// Records every key of the file that no layer asked for (a config that does not match the weights).
  public func recordUnusedKeys(ignoring ignored: (String) -> Bool = { _ in false }) {
    guard let file else { return }
    let extra = file.tensorNames.filter { !taken.contains($0) && !ignored($0) }
    if !extra.isEmpty {
      let shown = extra.prefix(8).joined(separator: ", ") + (extra.count > 8 ? ", … (\(extra.count) in all)" : "")
      problems.append("\(component): unexpected keys \(shown)")
    }
  }

  /// Adds a problem found elsewhere (a config value, a missing file).
  public func record(_ problem: String) { problems.append("\(component): \(problem)") }
}

/// A key prefix inside a ``WeightReader``.
public struct WeightScope: Sendable {
  let reader: WeightReader
  let prefix: String

  /// The tensor `prefix + key` with `shape`.
  public func callAsFunction(_ key: String, _ shape: [Int]) -> Tensor { reader.tensor(prefix + key, shape) }

  /// A nested scope `prefix + name + "."`.
  public func scope(_ name: String) -> WeightScope { WeightScope(reader: reader, prefix: prefix + name + ".") }
}
