// Builds the C descriptor a plugin hands the host: static storage, strdup'd strings and C thunks
// that run the Swift stage and turn thrown errors into the ABI's one-line error buffer.
import CEaselPluginABI
import Foundation

/// Turns Swift stage types into the C plugin descriptor.
///
/// A dynamically loaded plugin exports it as:
/// ```swift
/// @_cdecl("easel_plugin_entry")
/// public func easelPluginEntry() -> UnsafeRawPointer {
///   UnsafeRawPointer(PluginExport.descriptor(name: "hello", version: "1.0", stages: [Invert.self]))
/// }
/// ```
public enum PluginExport {
  /// A descriptor for `stages`, allocated once and never freed (the host never unloads plugins).
  /// Call it once per plugin and keep the result (e.g. in a `static let`).
  public static func descriptor(name: String, version: String, stages: [any Stage.Type])
    -> UnsafePointer<easel_plugin_descriptor>
  {
    let stageArray = UnsafeMutablePointer<easel_stage_descriptor>.allocate(capacity: max(stages.count, 1))
    for (index, type) in stages.enumerated() {
      (stageArray + index).initialize(to: stageDescriptor(type))
    }
    let plugin = UnsafeMutablePointer<easel_plugin_descriptor>.allocate(capacity: 1)
    plugin.initialize(to: easel_plugin_descriptor(
      abi_version: EASEL_PLUGIN_ABI_VERSION, plugin_name: cString(name), plugin_version: cString(version),
      stages: UnsafePointer(stageArray), stage_count: Int32(stages.count)))
    return UnsafePointer(plugin)
  }

  static func stageDescriptor(_ type: any Stage.Type) -> easel_stage_descriptor {
    let inputs = cPorts(type.inputs)
    let outputs = cPorts(type.outputs)
    let params = UnsafeMutablePointer<easel_param>.allocate(capacity: max(type.parameters.count, 1))
    for (index, spec) in type.parameters.enumerated() {
      (params + index).initialize(to: easel_param(
        name: cString(spec.name), type: spec.type.cValue, default_value: spec.defaultValue.map(cString),
        description: cString(spec.description),
        choices: spec.type == .choice ? cString(spec.choices.joined(separator: "|")) : nil,
        minimum: spec.range?.lowerBound ?? 1, maximum: spec.range?.upperBound ?? 0))
    }
    let data = Unmanaged.passRetained(StageTypeBox(type)).toOpaque()
    return easel_stage_descriptor(
      name: cString(type.name), version: cString(type.version), summary: cString(type.summary),
      inputs: inputs, input_count: Int32(type.inputs.count), outputs: outputs, output_count: Int32(type.outputs.count),
      params: UnsafePointer(params), param_count: Int32(type.parameters.count),
      create: createThunk, run: runThunk, destroy: destroyThunk, stage_data: UnsafeRawPointer(data))
  }

  static func cPorts(_ ports: [PortSpec]) -> UnsafePointer<easel_port> {
    let array = UnsafeMutablePointer<easel_port>.allocate(capacity: max(ports.count, 1))
    for (index, port) in ports.enumerated() {
      (array + index).initialize(to: easel_port(
        name: cString(port.name), kind: port.kind.cValue, dtype: port.dtype.cValue, shape: cString(port.shape),
        description: cString(port.description), optional: port.isOptional ? 1 : 0))
    }
    return UnsafePointer(array)
  }

  static func cString(_ text: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(text)!)
  }
}

/// Which Swift type implements a C stage descriptor (its `stage_data`).
final class StageTypeBox {
  let type: any Stage.Type
  init(_ type: any Stage.Type) { self.type = type }
}

/// A live stage instance behind the C ABI's `void *instance`.
final class StageInstanceBox {
  var stage: any Stage
  let inputs: [PortSpec]
  let outputs: [PortSpec]
  init(stage: any Stage, inputs: [PortSpec], outputs: [PortSpec]) {
    self.stage = stage
    self.inputs = inputs
    self.outputs = outputs
  }
}

private func status(for error: any Error, buffer: UnsafeMutablePointer<CChar>?, capacity: Int) -> easel_status {
  if let error = error as? StageError {
    writeError(error.description, into: buffer, capacity: capacity)
    switch error {
    case .cancelled: return EASEL_STATUS_CANCELLED
    case .fileNotFound: return EASEL_STATUS_MISSING_FILE
    default: return EASEL_STATUS_ERROR
    }
  }
  writeError(String(describing: error), into: buffer, capacity: capacity)
  return EASEL_STATUS_ERROR
}

private let createThunk: @convention(c) (
  UnsafePointer<easel_stage_descriptor>?, UnsafePointer<easel_host_context>?, UnsafePointer<UnsafePointer<CChar>?>?,
  UnsafePointer<UnsafePointer<CChar>?>?, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
  UnsafeMutablePointer<CChar>?, Int
) -> easel_status = { stage, context, names, values, count, instance, errorBuffer, capacity in
  guard let stage, let context, let instance, let data = stage.pointee.stage_data else {
    writeError("the host passed no stage, context or instance pointer; this is a bug in the host", into: errorBuffer, capacity: capacity)
    return EASEL_STATUS_ERROR
  }
  let type = Unmanaged<StageTypeBox>.fromOpaque(data).takeUnretainedValue().type
  var parameters: [String: String] = [:]
  for index in 0..<Int(count) {
    guard let name = names?[index], let value = values?[index] else { continue }
    parameters[String(cString: name)] = String(cString: value)
  }
  let stageContext = StageContext(context)
  stageContext.adoptHostExecutor()
  do {
    let created = try type.init(parameters: StageParameters(parameters), context: stageContext)
    let box = StageInstanceBox(stage: created, inputs: type.inputs, outputs: type.outputs)
    instance.pointee = Unmanaged.passRetained(box).toOpaque()
    return EASEL_STATUS_OK
  } catch {
    return status(for: error, buffer: errorBuffer, capacity: capacity)
  }
}

private let runThunk: @convention(c) (
  UnsafeMutableRawPointer?, UnsafePointer<easel_host_context>?, UnsafePointer<easel_value>?, Int32,
  easel_emit_fn?, UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int
) -> easel_status = { instance, context, inputs, inputCount, emit, sink, errorBuffer, capacity in
  guard let instance, let context, let emit else {
    writeError("the host passed no instance, context or emit function; this is a bug in the host", into: errorBuffer, capacity: capacity)
    return EASEL_STATUS_ERROR
  }
  let box = Unmanaged<StageInstanceBox>.fromOpaque(instance).takeUnretainedValue()
  do {
    var values: [String: StageValue] = [:]
    for (index, port) in box.inputs.enumerated() where index < Int(inputCount) {
      guard let value = inputs?[index], value.data != nil || value.text != nil else { continue }
      values[port.name] = try StageValue(copying: value)
    }
    let outputs = try box.stage.run(inputs: StageInputs(values), context: StageContext(context))
    for (index, port) in box.outputs.enumerated() {
      guard let value = outputs[port.name] else {
        throw StageError.failed("the stage produced no value for its output '\(port.name)'; this is a bug in the stage")
      }
      value.withCValue { emit(sink, Int32(index), $0) }
    }
    return EASEL_STATUS_OK
  } catch {
    return status(for: error, buffer: errorBuffer, capacity: capacity)
  }
}

private let destroyThunk: @convention(c) (UnsafeMutableRawPointer?) -> Void = { instance in
  guard let instance else { return }
  Unmanaged<StageInstanceBox>.fromOpaque(instance).release()
}
