// What a stage declares up front: its typed ports and its parameters. The host checks a whole
// pipeline against these before creating any stage.
import CEaselPluginABI
import TensorCore

/// What flows along a connection between two stages.
///
/// Layouts: `tokens` i32 `[N,T]`; `image` f32 `[N,H,W,C]` in 0…1 (C = 1…4); `audio` f32 `[C,S]`
/// with metadata `sample_rate`; `scores` f32 `[N]`; `text` UTF-8; `tensor` any dtype and shape.
public enum ValueKind: String, Sendable, CaseIterable {
  case tensor, tokens, image, audio, text, scores

  /// The C ABI's value for this kind.
  public var cValue: easel_value_kind {
    switch self {
    case .tensor: EASEL_KIND_TENSOR
    case .tokens: EASEL_KIND_TOKENS
    case .image: EASEL_KIND_IMAGE
    case .audio: EASEL_KIND_AUDIO
    case .text: EASEL_KIND_TEXT
    case .scores: EASEL_KIND_SCORES
    }
  }

  /// The kind for a C ABI value; nil for a value this SDK does not know.
  public init?(_ cValue: easel_value_kind) {
    guard let kind = ValueKind.allCases.first(where: { $0.cValue == cValue }) else { return nil }
    self = kind
  }

  /// The dtype values of this kind carry (`tensor` may carry any).
  public var defaultDType: DType {
    self == .tokens ? .i32 : .f32
  }
}

extension DType {
  /// The C ABI's value for this dtype.
  public var cValue: easel_dtype {
    switch self {
    case .f32: EASEL_DTYPE_F32
    case .f16: EASEL_DTYPE_F16
    case .bf16: EASEL_DTYPE_BF16
    case .i32: EASEL_DTYPE_I32
    case .u8: EASEL_DTYPE_U8
    }
  }

  /// The dtype for a C ABI value; nil for one this SDK does not know.
  public init?(_ cValue: easel_dtype) {
    guard let dtype = DType.allCases.first(where: { $0.cValue == cValue }) else { return nil }
    self = dtype
  }
}

/// One input or output of a stage (a GStreamer pad template).
public struct PortSpec: Sendable, Equatable {
  /// Port name, unique among the stage's inputs (or outputs).
  public var name: String
  /// What the port carries.
  public var kind: ValueKind
  /// Element type of the tensor (ignored for `text`).
  public var dtype: DType
  /// Symbolic shape such as `[N,77]` or `[N,H,W,3]`; empty when any.
  public var shape: String
  /// One line for `easel stages`.
  public var description: String
  /// Whether the stage runs without this input connected.
  public var isOptional: Bool

  /// Declares a port; `dtype` defaults to the kind's usual type.
  public init(_ name: String, _ kind: ValueKind, dtype: DType? = nil, shape: String = "",
              description: String = "", optional: Bool = false) {
    self.name = name
    self.kind = kind
    self.dtype = dtype ?? kind.defaultDType
    self.shape = shape
    self.description = description
    self.isOptional = optional
  }
}

/// The type of a stage parameter.
public enum ParamType: String, Sendable, CaseIterable {
  case int, float, bool, string, path, choice

  /// The C ABI's value for this type.
  public var cValue: easel_param_type {
    switch self {
    case .int: EASEL_PARAM_INT
    case .float: EASEL_PARAM_FLOAT
    case .bool: EASEL_PARAM_BOOL
    case .string: EASEL_PARAM_STRING
    case .path: EASEL_PARAM_PATH
    case .choice: EASEL_PARAM_CHOICE
    }
  }

  /// The type for a C ABI value; nil for one this SDK does not know.
  public init?(_ cValue: easel_param_type) {
    guard let type = ParamType.allCases.first(where: { $0.cValue == cValue }) else { return nil }
    self = type
  }
}

/// One parameter of a stage, set in the pipeline file (`params:`) or with `--set stage.param=value`.
public struct ParamSpec: Sendable, Equatable {
  /// Parameter name.
  public var name: String
  /// Its type.
  public var type: ParamType
  /// The default as text; nil means the pipeline must set it.
  public var defaultValue: String?
  /// One line for `easel stages`.
  public var description: String
  /// Allowed values of a `choice` parameter.
  public var choices: [String]
  /// Inclusive bounds of an `int` or `float` parameter.
  public var range: ClosedRange<Double>?

  /// Declares a parameter of any type.
  public init(_ name: String, _ type: ParamType, default defaultValue: String?, description: String = "",
              choices: [String] = [], range: ClosedRange<Double>? = nil) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.description = description
    self.choices = choices
    self.range = range
  }

  /// An integer parameter.
  public static func int(_ name: String, default value: Int?, range: ClosedRange<Int>? = nil,
                         description: String = "") -> ParamSpec {
    ParamSpec(name, .int, default: value.map(String.init), description: description,
              range: range.map { Double($0.lowerBound)...Double($0.upperBound) })
  }

  /// A floating-point parameter.
  public static func float(_ name: String, default value: Double?, range: ClosedRange<Double>? = nil,
                           description: String = "") -> ParamSpec {
    ParamSpec(name, .float, default: value.map { String($0) }, description: description, range: range)
  }

  /// A boolean parameter (`true` / `false`).
  public static func bool(_ name: String, default value: Bool?, description: String = "") -> ParamSpec {
    ParamSpec(name, .bool, default: value.map { String($0) }, description: description)
  }

  /// A free-text parameter.
  public static func string(_ name: String, default value: String?, description: String = "") -> ParamSpec {
    ParamSpec(name, .string, default: value, description: description)
  }

  /// A file or folder; the host resolves a relative path against the pipeline file's folder.
  public static func path(_ name: String, default value: String?, description: String = "") -> ParamSpec {
    ParamSpec(name, .path, default: value, description: description)
  }

  /// One of a fixed set of words.
  public static func choice(_ name: String, _ choices: [String], default value: String?,
                            description: String = "") -> ParamSpec {
    ParamSpec(name, .choice, default: value, description: description, choices: choices)
  }

  /// Why `text` is not a valid value of this parameter, or nil when it is.
  public func problem(with text: String) -> String? {
    switch type {
    case .int:
      guard let value = Int(text) else { return "'\(text)' is not an integer" }
      if let range, !range.contains(Double(value)) {
        return "\(value) is outside \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
      }
    case .float:
      guard let value = Double(text), value.isFinite else { return "'\(text)' is not a number" }
      if let range, !range.contains(value) {
        return "\(text) is outside \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
      }
    case .bool:
      if text != "true" && text != "false" { return "'\(text)' is not true or false" }
    case .choice:
      if !choices.contains(text) { return "'\(text)' is not one of \(choices.joined(separator: ", "))" }
    case .string:
      break
    case .path:
      if text.isEmpty { return "the path is empty" }
    }
    return nil
  }

  /// A bound as written in messages: whole numbers without a fraction.
  public static func format(_ bound: Double) -> String {
    bound == bound.rounded() && abs(bound) < 1e15 ? String(Int(bound)) : String(bound)
  }
}
