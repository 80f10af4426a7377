// The protocol a stage implements. A plugin lists its stage types in `PluginExport.descriptor`,
// which turns them into the C descriptor the host loads.

/// A processing step of a pipeline: typed inputs and outputs, parameters, an instance created once
/// per `easel run` (load weights in `init`) and run once per item.
public protocol Stage {
  /// Unique name in a process, `plugin.stage` (e.g. `image.resize`).
  static var name: String { get }
  /// Version of this stage's behaviour; goes into provenance.
  static var version: String { get }
  /// One line for `easel stages`.
  static var summary: String { get }
  /// Input ports, in the order the C ABI passes them.
  static var inputs: [PortSpec] { get }
  /// Output ports, in the order the C ABI emits them.
  static var outputs: [PortSpec] { get }
  /// Parameters, with types, defaults and ranges.
  static var parameters: [ParamSpec] { get }

  /// Creates the instance from checked parameters (every declared one present). Load weights here
  /// and report each file read with `context.recordFile(_:)`.
  init(parameters: StageParameters, context: StageContext) throws

  /// Runs once per item. Throw `StageError.cancelled` when `context.isCancelled` turns true.
  mutating func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs
}

extension Stage {
  public static var version: String { "1" }
  public static var parameters: [ParamSpec] { [] }
}
