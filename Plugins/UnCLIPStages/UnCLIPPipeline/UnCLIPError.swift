// The one error type of the diffusion half of UnCLIPStages (prior, text_proj, decoder, super-res,
// schedulers, pipelines). Every message is one line ending with what the user can do about it.
import Foundation

/// Everything a user can cause while loading or running the unCLIP diffusion models.
public enum UnCLIPError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
  /// The model folder does not exist or is not a directory.
  case folderNotFound(path: String)
  /// The model folder was checked and has the listed problems (every missing component, unreadable
  /// config, missing, extra or mis-shaped key at once).
  case invalidModel(folder: String, problems: [String])
  /// A config value that this port does not implement (`key` = `value` in `file`).
  case unsupportedConfig(file: String, key: String, value: String)
  /// A number of inference steps below what the scheduler can take.
  case invalidSteps(stage: String, steps: Int)
  /// An input (tensor shape, image size, batch) that the pipeline cannot take.
  case invalidInput(String)

  public var description: String {
    switch self {
    case .folderNotFound(let path):
      return "\(path): no such model folder; pass a diffusers unCLIP folder (model_index.json, prior/, decoder/, …), e.g. --set <stage>.model=PATH"
    case .invalidModel(let folder, let problems):
      let list = problems.enumerated().map { "(\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")
      return "\(folder): \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(list);"
        + " use a complete diffusers unCLIP folder whose config.json files match its weights"
    case .unsupportedConfig(let file, let key, let value):
      return "\(file): \(key) = \(value) is not supported by Easel's unCLIP port; use a Karlo-style config"
        + " (see docs) or convert the model"
    case .invalidSteps(let stage, let steps):
      return "\(stage): \(steps) inference steps; the unCLIP scheduler needs at least 2, pass a larger number"
    case .invalidInput(let message):
      return "\(message); check the inputs given to the unCLIP pipeline"
    }
  }

  public var errorDescription: String? { description }
}
