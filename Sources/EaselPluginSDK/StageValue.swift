// The Swift side of what crosses a connection: a tensor or a text, its kind, and JSON metadata.
import TensorCore

/// One value on a connection between stages.
public struct StageValue: @unchecked Sendable {
  /// What the value holds.
  public enum Payload: @unchecked Sendable {
    case tensor(Tensor)
    case text(String)
  }

  /// Its kind, which decides the layout (see ``ValueKind``).
  public var kind: ValueKind
  /// The data.
  public var payload: Payload
  /// A JSON object: `sample_rate` for audio, per-item notes such as scores. Goes into provenance.
  public var metadata: [String: JSONValue]

  /// A value of any kind.
  public init(kind: ValueKind, payload: Payload, metadata: [String: JSONValue] = [:]) {
    self.kind = kind
    self.payload = payload
    self.metadata = metadata
  }

  /// A plain tensor.
  public static func tensor(_ tensor: Tensor, metadata: [String: JSONValue] = [:]) -> StageValue {
    StageValue(kind: .tensor, payload: .tensor(tensor), metadata: metadata)
  }

  /// Token ids, i32 `[N,T]`.
  public static func tokens(_ tensor: Tensor, metadata: [String: JSONValue] = [:]) -> StageValue {
    precondition(tensor.dtype == .i32 && tensor.rank == 2, "tokens are i32 [N,T], got \(tensor)")
    return StageValue(kind: .tokens, payload: .tensor(tensor), metadata: metadata)
  }

  /// Images, f32 `[N,H,W,C]` in 0…1.
  public static func image(_ tensor: Tensor, metadata: [String: JSONValue] = [:]) -> StageValue {
    precondition(tensor.dtype == .f32 && tensor.rank == 4 && (1...4).contains(tensor.shape[3]),
                 "images are f32 [N,H,W,C], got \(tensor)")
    return StageValue(kind: .image, payload: .tensor(tensor), metadata: metadata)
  }

  /// Audio, f32 `[C,S]` at `sampleRate` samples per second.
  public static func audio(_ tensor: Tensor, sampleRate: Int, metadata: [String: JSONValue] = [:]) -> StageValue {
    precondition(tensor.dtype == .f32 && tensor.rank == 2, "audio is f32 [C,S], got \(tensor)")
    var metadata = metadata
    metadata["sample_rate"] = .number(Double(sampleRate))
    return StageValue(kind: .audio, payload: .tensor(tensor), metadata: metadata)
  }

  /// Scores, f32 `[N]`.
  public static func scores(_ tensor: Tensor, metadata: [String: JSONValue] = [:]) -> StageValue {
    precondition(tensor.dtype == .f32 && tensor.rank == 1, "scores are f32 [N], got \(tensor)")
    return StageValue(kind: .scores, payload: .tensor(tensor), metadata: metadata)
  }

  /// UTF-8 text.
  public static func text(_ text: String, metadata: [String: JSONValue] = [:]) -> StageValue {
    StageValue(kind: .text, payload: .text(text), metadata: metadata)
  }

  /// The tensor, or nil for text.
  public var tensor: Tensor? {
    if case .tensor(let tensor) = payload { return tensor }
    return nil
  }

  /// The text, or nil for a tensor.
  public var text: String? {
    if case .text(let text) = payload { return text }
    return nil
  }

  /// The `sample_rate` of an audio value.
  public var sampleRate: Int? {
    metadata["sample_rate"]?.number.map { Int($0) }
  }
}

/// The inputs of one `run`, by port name. Unconnected optional inputs are absent.
public struct StageInputs: @unchecked Sendable {
  /// Values by port name.
  public var values: [String: StageValue]

  /// Wraps values by port name.
  public init(_ values: [String: StageValue]) { self.values = values }

  /// The value on `port`, or nil when an optional port is unconnected.
  public subscript(port: String) -> StageValue? { values[port] }

  /// The tensor on `port`; throws when it is missing or text.
  public func tensor(_ port: String) throws(StageError) -> Tensor {
    guard let value = values[port] else { throw .invalidInput(port: port, reason: "nothing is connected") }
    guard let tensor = value.tensor else { throw .invalidInput(port: port, reason: "expected a tensor, got text") }
    return tensor
  }

  /// The text on `port`; throws when it is missing or a tensor.
  public func text(_ port: String) throws(StageError) -> String {
    guard let value = values[port] else { throw .invalidInput(port: port, reason: "nothing is connected") }
    guard let text = value.text else { throw .invalidInput(port: port, reason: "expected text, got a tensor") }
    return text
  }
}

/// The outputs of one `run`, by port name. Every declared output must be set.
public struct StageOutputs: @unchecked Sendable {
  /// Values by port name.
  public var values: [String: StageValue]

  /// Wraps values by port name.
  public init(_ values: [String: StageValue] = [:]) { self.values = values }

  /// The value for `port`.
  public subscript(port: String) -> StageValue? {
    get { values[port] }
    set { values[port] = newValue }
  }
}
