// The one error type of WeightIO. Every case names the file (or folder) it is about, and every
// description is one line that ends with what the user can do about it.

import Foundation

/// Everything that can go wrong while reading or writing weights.
public enum WeightError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
  /// Nothing exists at `file`.
  case fileNotFound(file: String)
  /// `file` exists but is a directory (or a device, socket or pipe), not a regular file.
  case notAFile(file: String)
  /// The operating system refused to open, stat or map `file`.
  case unreadable(file: String, reason: String)
  /// `file` is shorter than its own header says it must be.
  case truncated(file: String, expected: Int, actual: Int)
  /// The declared header length is absurd (larger than `limit`).
  case headerTooLarge(file: String, length: UInt64, limit: Int)
  /// The header is not the JSON object the format requires.
  case invalidHeader(file: String, reason: String)
  /// The dtype string of `key` is not one the format defines.
  case unknownDType(file: String, key: String, dtype: String)
  /// `key` is stored in a dtype that Easel tensors cannot hold.
  case unsupportedDType(file: String, key: String, dtype: String)
  /// The header entry of `key` is inconsistent (offsets, shape, overlap).
  case invalidTensorEntry(file: String, key: String, reason: String)
  /// No tensor named `key` is in `file`.
  case missingKey(key: String, file: String)
  /// `key` has another shape than the model expects.
  case shapeMismatch(key: String, expected: [Int], actual: [Int], file: String)
  /// Writing `file` failed.
  case writeFailed(file: String, reason: String)
  /// An auxiliary file (a sharded checkpoint's index.json, …) is malformed.
  case malformed(file: String, reason: String)
  /// A diffusers folder lacks `component` (or `model_index.json` does not list it).
  case missingComponent(folder: String, component: String)
  /// A component folder has no weight file among `candidates`.
  case missingWeights(folder: String, candidates: [String])
  /// A component's `config.json` is missing or does not decode.
  case invalidConfig(file: String, reason: String)
  /// A model folder was checked and has the listed problems (all of them, not only the first).
  case invalidModel(folder: String, problems: [String])

  public var description: String {
    switch self {
    case .fileNotFound(let file):
      return "\(file): no such file; check the path (and that the model folder was copied completely)"
    case .notAFile(let file):
      return "\(file): is a directory or device, not a regular file; point at the weight file itself"
    case .unreadable(let file, let reason):
      return "\(file): cannot be read (\(reason)); check its permissions"
    case .truncated(let file, let expected, let actual):
      return "\(file): the file is truncated (header says \(expected) bytes, file has \(actual));"
        + " re-download or re-export it"
    case .headerTooLarge(let file, let length, let limit):
      return "\(file): header length \(length) exceeds the limit of \(limit) bytes, so this is not a"
        + " safetensors file or it is corrupt; re-download or re-export it"
    case .invalidHeader(let file, let reason):
      return "\(file): the safetensors header is invalid (\(reason)); re-download or re-export it"
    case .unknownDType(let file, let key, let dtype):
      return "\(file): tensor '\(key)' has unknown dtype '\(dtype)'; re-export it as F32, F16 or BF16"
    case .unsupportedDType(let file, let key, let dtype):
      return "\(file): tensor '\(key)' is stored as \(dtype), which Easel cannot load;"
        + " re-export it as F32, F16, BF16, I32 or U8"
    case .invalidTensorEntry(let file, let key, let reason):
      return "\(file): tensor '\(key)' is inconsistent (\(reason)); re-download or re-export the file"
    case .missingKey(let key, let file):
      return "\(file): has no tensor '\(key)'; check that the file belongs to this model and version"
    case .shapeMismatch(let key, let expected, let actual, let file):
      return "\(file): tensor '\(key)' has shape \(actual) but the model expects \(expected);"
        + " check that the config.json matches the weights"
    case .writeFailed(let file, let reason):
      return "\(file): cannot be written (\(reason)); check free space and permissions"
    case .malformed(let file, let reason):
      return "\(file): is malformed (\(reason)); re-download or re-export it"
    case .missingComponent(let folder, let component):
      return "\(folder): has no component '\(component)'; use a complete diffusers model folder"
    case .missingWeights(let folder, let candidates):
      return "\(folder): contains none of \(candidates.joined(separator: ", "));"
        + " copy the weights (in safetensors format) into the folder"
    case .invalidConfig(let file, let reason):
      return "\(file): the config is invalid (\(reason)); use the config.json that came with the weights"
    case .invalidModel(let folder, let problems):
      let list = problems.enumerated().map { "(\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")
      return "\(folder): \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(list);"
        + " check that the weights match this model and its config"
    }
  }

  public var errorDescription: String? { description }
}
