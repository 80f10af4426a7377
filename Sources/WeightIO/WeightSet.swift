// The weights of one model, whether they sit in one safetensors file or in several shards: one
// key space, each key answered by the file that holds it.

import TensorCore

/// One or several safetensors files seen as a single set of named tensors.
public final class WeightSet: @unchecked Sendable {
  /// The files, in the order given.
  public let files: [SafeTensorsFile]
  /// What the set is called in error messages: the file, the index file or the folder.
  public let source: String
  private let owners: [String: Int]

  /// A set over `files`; a key present in two files is an error (shards must be disjoint).
  /// - Throws: ``WeightError/malformed(file:reason:)`` naming the duplicated key.
  public init(files: [SafeTensorsFile], source: String? = nil) throws {
    self.files = files
    self.source = source ?? files.map(\.path).joined(separator: ", ")
    var owners: [String: Int] = [:]
    for (position, file) in files.enumerated() {
      for name in file.tensorNames {
        if let first = owners[name] {
          throw WeightError.malformed(
            file: file.path, reason: "tensor '\(name)' is also in \(files[first].path); shards must not repeat keys")
        }
        owners[name] = position
      }
    }
    self.owners = owners
  }

  /// A set over the single safetensors file at `path`.
  public convenience init(path: String) throws {
    try self.init(files: [SafeTensorsFile(path: path)], source: path)
  }

  /// All keys, sorted.
  public var keys: [String] { owners.keys.sorted() }

  /// Whether some file holds `key`.
  public func contains(_ key: String) -> Bool { owners[key] != nil }

  /// The file that holds `key`.
  public func file(containing key: String) -> SafeTensorsFile? { owners[key].map { files[$0] } }

  /// Where and how `key` is stored.
  public func info(_ key: String) -> TensorInfo? { file(containing: key)?.info(key) }

  /// The shape of `key`, or nil when absent.
  public func shape(of key: String) -> [Int]? { info(key)?.shape }

  /// The dtype `tensor(key)` returns, or nil when absent or not loadable.
  public func dtype(of key: String) -> DType? { info(key)?.dtype }

  /// The tensor `key` (a view into the mapped file that holds it).
  /// - Throws: ``WeightError/missingKey(key:file:)`` naming ``source``.
  public func tensor(_ key: String) throws -> Tensor {
    guard let file = file(containing: key) else { throw WeightError.missingKey(key: key, file: source) }
    return try file.tensor(key)
  }

  /// The tensor `key`, checked to have `shape`.
  /// - Throws: ``WeightError/shapeMismatch(key:expected:actual:file:)`` or ``WeightError/missingKey(key:file:)``.
  public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
    let tensor = try tensor(key)
    guard tensor.shape == shape else {
      throw WeightError.shapeMismatch(key: key, expected: shape, actual: tensor.shape, file: file(containing: key)?.path ?? source)
    }
    return tensor
  }

  /// The tensor `key` widened to f32 (no copy when already f32).
  public func floatTensor(_ key: String) throws -> Tensor { try tensor(key).toFloat32() }

  /// The `__metadata__` of all files merged (the first file wins on a clash).
  public var metadata: [String: String] {
    files.reversed().reduce(into: [:]) { merged, file in merged.merge(file.metadata) { _, newer in newer } }
  }
}
