// The host's view of a C stage descriptor: its specs read back into Swift, and instances created,
// run and destroyed through the descriptor's function pointers.
import CEaselPluginABI
import Foundation
import TensorCore

/// A stage as a plugin descriptor declares it.
public struct StageDescription: @unchecked Sendable {
  /// The C descriptor (lives as long as the process).
  public let descriptor: UnsafePointer<easel_stage_descriptor>
  /// Stage name.
  public let name: String
  /// Stage version.
  public let version: String
  /// One line.
  public let summary: String
  /// Input ports in ABI order.
  public let inputs: [PortSpec]
  /// Output ports in ABI order.
  public let outputs: [PortSpec]
  /// Parameters.
  public let parameters: [ParamSpec]

  /// Reads a C descriptor; throws when it uses kinds, dtypes or types this host does not know.
  public init(_ descriptor: UnsafePointer<easel_stage_descriptor>) throws(StageError) {
    let raw = descriptor.pointee
    self.descriptor = descriptor
    name = raw.name.map { String(cString: $0) } ?? ""
    version = raw.version.map { String(cString: $0) } ?? ""
    summary = raw.summary.map { String(cString: $0) } ?? ""
    guard !name.isEmpty else { throw .failed("a stage has no name") }
    guard raw.create != nil, raw.run != nil, raw.destroy != nil else {
      throw .failed("stage '\(name)' lacks a create, run or destroy function")
    }
    inputs = try Self.ports(raw.inputs, count: raw.input_count, stage: name)
    outputs = try Self.ports(raw.outputs, count: raw.output_count, stage: name)
    var parameters: [ParamSpec] = []
    for index in 0..<Int(max(raw.param_count, 0)) {
      guard let param = raw.params?[index] else { break }
      guard let type = ParamType(param.type) else {
        throw .failed("stage '\(name)' declares a parameter of unknown type \(param.type.rawValue)")
      }
      let choices = param.choices.map { String(cString: $0).split(separator: "|").map(String.init) } ?? []
      parameters.append(ParamSpec(
        param.name.map { String(cString: $0) } ?? "", type,
        default: param.default_value.map { String(cString: $0) },
        description: param.description.map { String(cString: $0) } ?? "", choices: choices,
        range: param.minimum <= param.maximum ? param.minimum...param.maximum : nil))
    }
    self.parameters = parameters
  }

  private static func ports(_ pointer: UnsafePointer<easel_port>?, count: Int32, stage: String) throws(StageError)
    -> [PortSpec]
  {
    var ports: [PortSpec] = []
    for index in 0..<Int(max(count, 0)) {
      guard let port = pointer?[index] else { break }
      guard let kind = ValueKind(port.kind), let dtype = DType(port.dtype) else {
        throw .failed("stage '\(stage)' declares a port of unknown kind or dtype")
      }
      ports.append(PortSpec(
        port.name.map { String(cString: $0) } ?? "", kind, dtype: dtype, shape: port.shape.map { String(cString: $0) } ?? "",
        description: port.description.map { String(cString: $0) } ?? "", optional: port.optional != 0))
    }
    return ports
  }
}

/// One created stage, run through its C descriptor.
public final class StageInstance: @unchecked Sendable {
  /// What it is.
  public let description: StageDescription
  /// The host context every call gets.
  public let context: HostContext
  private let instance: UnsafeMutableRawPointer

  /// Creates the stage with complete, checked parameter values (see `ParamSpec.resolve`).
  public init(_ description: StageDescription, parameters: [String: String], context: HostContext) throws(StageError) {
    self.description = description
    self.context = context
    let names = description.parameters.map(\.name)
    let cNames = names.map { strdup($0) }
    let cValues = names.map { strdup(parameters[$0] ?? "") }
    defer {
      cNames.forEach { free($0) }
      cValues.forEach { free($0) }
    }
    var created: UnsafeMutableRawPointer?
    var buffer = [CChar](repeating: 0, count: 2048)
    let status = cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { namePointers in
      cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
        buffer.withUnsafeMutableBufferPointer { errorBuffer in
          description.descriptor.pointee.create(
            description.descriptor, context.pointer, namePointers.baseAddress, valuePointers.baseAddress,
            Int32(names.count), &created, errorBuffer.baseAddress, errorBuffer.count)
        }
      }
    }
    try Self.check(status, buffer)
    guard let created else { throw .failed("stage '\(description.name)' created no instance; this is a bug in the stage") }
    instance = created
  }

  deinit { description.descriptor.pointee.destroy(instance) }

  /// Runs once: inputs by port name (unconnected optional ports absent), outputs by port name.
  public func run(_ inputs: [String: StageValue]) throws(StageError) -> [String: StageValue] {
    let ordered = description.inputs.map { inputs[$0.name] }
    let collector = OutputCollector(count: description.outputs.count)
    var buffer = [CChar](repeating: 0, count: 2048)
    let status = withCValues(ordered[...]) { values in
      buffer.withUnsafeMutableBufferPointer { errorBuffer in
        description.descriptor.pointee.run(
          instance, context.pointer, values.baseAddress, Int32(values.count), emitThunk,
          Unmanaged.passUnretained(collector).toOpaque(), errorBuffer.baseAddress, errorBuffer.count)
      }
    }
    try Self.check(status, buffer)
    if let failure = collector.failure { throw failure }
    var outputs: [String: StageValue] = [:]
    for (index, port) in description.outputs.enumerated() {
      guard let value = collector.values[index] else {
        throw .failed("stage '\(description.name)' emitted no value for output '\(port.name)'; this is a bug in the stage")
      }
      outputs[port.name] = value
    }
    return outputs
  }

  private static func check(_ status: easel_status, _ buffer: [CChar]) throws(StageError) {
    switch status {
    case EASEL_STATUS_OK: return
    case EASEL_STATUS_CANCELLED: throw .cancelled
    default:
      var message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      if message.isEmpty { message = "the stage failed without saying why" }
      // The message already names the file and the remedy; keep the category for the exit code.
      if status == EASEL_STATUS_MISSING_FILE { throw .fileNotFound(path: message, hint: "") }
      throw .failed(message)
    }
  }
}

/// Builds C views of `values` one by one (recursion keeps each alive) and calls `body` with them all.
private func withCValues<R>(_ values: ArraySlice<StageValue?>, collected: [easel_value] = [],
                            _ body: (UnsafeBufferPointer<easel_value>) -> R) -> R {
  guard let first = values.first else { return collected.withUnsafeBufferPointer(body) }
  guard let value = first else {
    return withCValues(values.dropFirst(), collected: collected + [absentCValue()], body)
  }
  return value.withCValue { pointer in
    withCValues(values.dropFirst(), collected: collected + [pointer.pointee], body)
  }
}

private final class OutputCollector {
  var values: [StageValue?]
  var failure: StageError?
  init(count: Int) { values = Array(repeating: nil, count: count) }
}

private let emitThunk: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<easel_value>?) -> Void = {
  sink, index, value in
  guard let sink, let value else { return }
  let collector = Unmanaged<OutputCollector>.fromOpaque(sink).takeUnretainedValue()
  guard index >= 0 && Int(index) < collector.values.count else {
    collector.failure = .failed("a stage emitted output #\(index), which it does not declare")
    return
  }
  do throws(StageError) {
    collector.values[Int(index)] = try StageValue(copying: value.pointee)
  } catch {
    collector.failure = error
  }
}
