// The one error type a stage throws; it crosses the C ABI as a one-line message.

/// Something went wrong inside a stage. The message ends with what the user can do about it.
public enum StageError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The user asked to stop (Ctrl-C, SIGTERM).
  case cancelled
  /// A parameter value that the stage cannot use.
  case invalidParameter(name: String, value: String, reason: String)
  /// An input is missing or has the wrong layout.
  case invalidInput(port: String, reason: String)
  /// A file the stage needs is missing or unreadable; `hint` says what to do (where to get it).
  /// Crossing the plugin ABI, the whole message arrives in `path` with an empty `hint`.
  case fileNotFound(path: String, hint: String)
  /// Anything else, already phrased for the user (one line, ending with what to do).
  case failed(String)

  public var description: String {
    switch self {
    case .cancelled:
      "cancelled by the user"
    case .invalidParameter(let name, let value, let reason):
      "parameter '\(name)' = '\(value)': \(reason); fix the value in the pipeline file or with --set"
    case .invalidInput(let port, let reason):
      "input '\(port)': \(reason); check what the pipeline connects to it"
    case .fileNotFound(let path, let hint):
      hint.isEmpty ? path : "cannot read \(path); \(hint)"
    case .failed(let message):
      message
    }
  }
}
