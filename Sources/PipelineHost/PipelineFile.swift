// A pipeline file as written, with the position of every part so problems can name file:line:col.
// The format is documented in docs/pipelines.md.

/// A line and column in a pipeline file (1-based; 0 when unknown).
public struct SourceLocation: Sendable, Equatable {
  public var line: Int
  public var column: Int
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
  public static let unknown = SourceLocation(line: 0, column: 0)
}

/// What a pipeline input is and which command-line option fills it.
public enum InputKind: String, Sendable, CaseIterable {
  /// A prompt: `--prompt TEXT` or one line of `--prompts FILE`. Connects to `text` ports.
  case text
  /// An image file: `--image FILE`. Connects to `image` ports.
  case image
  /// The item's seed (`--seed` + item index), as an i32 tensor `[1]`. Connects to `tensor` ports.
  case seed
  /// The default for `--count` (how many items per prompt); not connectable.
  case count
}

/// A value of a map in the file, with where it was written.
public struct Located<Value: Sendable>: Sendable {
  public var value: Value
  public var location: SourceLocation
  public init(_ value: Value, _ location: SourceLocation) {
    self.value = value
    self.location = location
  }
}

/// Where a stage input comes from.
public enum Reference: Sendable, Equatable, CustomStringConvertible {
  /// `$inputs.NAME`
  case input(String)
  /// `STAGEID.PORT`
  case stage(id: String, port: String)

  /// Parses `$inputs.NAME` or `STAGEID.PORT`; nil for anything else.
  public init?(_ text: String) {
    if text.hasPrefix("$inputs.") {
      let name = String(text.dropFirst("$inputs.".count))
      guard !name.isEmpty else { return nil }
      self = .input(name)
      return
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.hasPrefix("$") else { return nil }
    self = .stage(id: String(parts[0]), port: String(parts[1]))
  }

  public var description: String {
    switch self {
    case .input(let name): "$inputs.\(name)"
    case .stage(let id, let port): "\(id).\(port)"
    }
  }
}

/// One declared input of a pipeline.
public struct PipelineInput: Sendable {
  public var name: String
  public var kind: InputKind
  public var isRequired: Bool
  public var defaultValue: String?
  public var location: SourceLocation
}

/// One stage of a pipeline.
public struct StageDeclaration: Sendable {
  /// Unique id inside the pipeline.
  public var id: String
  /// The registered stage name.
  public var stage: Located<String>
  /// Parameter values as text.
  public var params: [String: Located<String>]
  /// Input port → where its value comes from.
  public var inputs: [String: Located<Reference>]
  /// Where the entry starts.
  public var location: SourceLocation
}

/// One output: where values go and which sink writes them.
public struct OutputDeclaration: Sendable {
  /// The stage outputs written (one for most sinks; several for `contact-sheet`).
  public var from: [Located<Reference>]
  /// `png`, `wav`, `mp4` or `contact-sheet`.
  public var sink: Located<String>
  /// File name template, relative to `--out`.
  public var path: Located<String>?
  /// Sink parameters as text.
  public var params: [String: Located<String>]
  /// Where the entry starts.
  public var location: SourceLocation
}

/// A parsed pipeline file.
public struct PipelineFile: Sendable {
  /// The file's path as given.
  public var path: String
  /// SHA-256 of the file's bytes, hex.
  public var sha256: String
  /// `easel:` format version.
  public var formatVersion: Int
  /// `description:`.
  public var description: String
  public var inputs: [PipelineInput]
  public var stages: [StageDeclaration]
  public var outputs: [OutputDeclaration]
}
