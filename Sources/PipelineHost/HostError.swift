// The one error type of the pipeline host. Each case maps to an exit code of `easel`.
import EaselPluginSDK

/// Everything a user can cause that stops a pipeline run.
public enum HostError: Error, CustomStringConvertible, Sendable {
  /// The pipeline file has problems (all of them, each a `FILE:LINE:COL: …` line).
  case invalidPipeline([Diagnostic])
  /// A command-line argument is wrong.
  case usage(String)
  /// An input file (pipeline, image, prompts, model) is missing or unreadable.
  case missingFile(path: String, what: String)
  /// A stage could not find a file it needs (weights, vocabulary).
  case missingModel(stage: String, message: String)
  /// A plugin could not be loaded or registered.
  case plugin(String)
  /// A stage failed while running.
  case stageFailed(stage: String, message: String)
  /// An output could not be written.
  case cannotWrite(path: String, reason: String)
  /// The user pressed Ctrl-C or sent SIGTERM.
  case interrupted

  public var description: String {
    switch self {
    case .invalidPipeline(let diagnostics):
      return diagnostics.map(\.description).joined(separator: "\n")
    case .usage(let message):
      return message
    case .missingFile(let path, let what):
      return "\(path): \(what) not found or unreadable; check the path"
    case .missingModel(let stage, let message):
      return "stage '\(stage)': \(message)"
    case .plugin(let message):
      return message
    case .stageFailed(let stage, let message):
      return "stage '\(stage)': \(message)"
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write (\(reason)); check that the directory exists, is writable and has free space"
    case .interrupted:
      return "interrupted; no partial output was kept"
    }
  }

  /// The exit status `easel` ends with: 1 runtime failure, 2 invalid pipeline or usage, 3 missing
  /// input file or model, 130 interrupted.
  public var exitCode: Int32 {
    switch self {
    case .invalidPipeline, .usage: 2
    case .missingFile, .missingModel: 3
    case .plugin, .stageFailed, .cannotWrite: 1
    case .interrupted: 130
    }
  }
}

/// One problem in a pipeline file, at a position: `FILE:LINE:COL: stage 'ID': message`.
public struct Diagnostic: Sendable, CustomStringConvertible, Equatable {
  /// The pipeline file.
  public var file: String
  /// 1-based line (0 when unknown).
  public var line: Int
  /// 1-based column (0 when unknown).
  public var column: Int
  /// The stage the problem concerns, if any.
  public var stageID: String?
  /// What is wrong and what to do.
  public var message: String

  /// A problem at a position.
  public init(file: String, line: Int, column: Int, stageID: String? = nil, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.stageID = stageID
    self.message = message
  }

  public var description: String {
    let stage = stageID.map { "stage '\($0)': " } ?? ""
    return "\(file):\(line):\(column): \(stage)\(message)"
  }
}
