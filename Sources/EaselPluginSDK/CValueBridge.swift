// Converting between StageValue and the C ABI's easel_value, on both sides of the boundary.
import CEaselPluginABI
import TensorCore

extension StageValue {
  /// Copies a C value (the C side keeps ownership of its memory).
  public init(copying value: easel_value) throws(StageError) {
    guard let kind = ValueKind(value.kind) else {
      throw .failed("a value of unknown kind \(value.kind.rawValue) crossed the plugin boundary; rebuild the plugin against this Easel")
    }
    var metadata: [String: JSONValue] = [:]
    if let json = value.metadata_json {
      guard case .object(let object)? = JSONValue(jsonText: String(cString: json)) else {
        throw .failed("a value's metadata is not a JSON object; fix the stage that produced it")
      }
      metadata = object
    }
    if kind == .text {
      self.init(kind: kind, payload: .text(value.text.map { String(cString: $0) } ?? ""), metadata: metadata)
      return
    }
    guard let dtype = DType(value.dtype) else {
      throw .failed("a tensor of unknown dtype \(value.dtype.rawValue) crossed the plugin boundary; rebuild the plugin against this Easel")
    }
    guard value.rank >= 0 && value.rank <= EASEL_MAX_RANK else {
      throw .failed("a tensor of rank \(value.rank) crossed the plugin boundary (at most \(EASEL_MAX_RANK))")
    }
    let rank = Int(value.rank)
    var shape = [Int](repeating: 0, count: rank)
    withUnsafeBytes(of: value.shape) { raw in
      let dims = raw.bindMemory(to: Int64.self)
      for axis in 0..<rank { shape[axis] = Int(dims[axis]) }
    }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw .failed("a tensor with a negative dimension \(shape) crossed the plugin boundary") }
    let byteCount = shape.reduce(1, *) * dtype.byteSize
    let storage = TensorStorage(uninitializedByteCount: byteCount)
    if byteCount > 0 {
      guard let data = value.data else { throw .failed("a \(kind.rawValue) value of shape \(shape) has no data") }
      storage.base.copyMemory(from: data, byteCount: byteCount)
    }
    self.init(kind: kind, payload: .tensor(Tensor(shape: shape, dtype: dtype, storage: storage)), metadata: metadata)
  }

  /// Calls `body` with a C view of this value, valid only during the call.
  public func withCValue<R>(_ body: (UnsafePointer<easel_value>) throws -> R) rethrows -> R {
    var value = easel_value()
    value.kind = kind.cValue
    let json: String? = metadata.isEmpty ? nil : JSONValue.object(metadata).jsonText
    return try withOptionalCString(json) { jsonPointer in
      value.metadata_json = jsonPointer
      switch payload {
      case .text(let text):
        return try text.withCString { textPointer in
          value.text = textPointer
          value.dtype = EASEL_DTYPE_U8
          return try body(&value)
        }
      case .tensor(let tensor):
        precondition(tensor.rank <= Int(EASEL_MAX_RANK), "rank \(tensor.rank) exceeds the ABI's \(EASEL_MAX_RANK)")
        value.dtype = tensor.dtype.cValue
        value.rank = Int32(tensor.rank)
        withUnsafeMutableBytes(of: &value.shape) { raw in
          let dims = raw.bindMemory(to: Int64.self)
          for (axis, extent) in tensor.shape.enumerated() { dims[axis] = Int64(extent) }
        }
        value.data = UnsafeRawPointer(tensor.rawPointer)
        return try withExtendedLifetime(tensor) { try body(&value) }
      }
    }
  }
}

/// Calls `body` with a C string for `text`, or NULL when it is nil.
func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
  guard let text else { return try body(nil) }
  return try text.withCString { try body($0) }
}

/// An absent (unconnected optional) input as the C ABI passes it.
func absentCValue() -> easel_value {
  var value = easel_value()
  value.kind = EASEL_KIND_TENSOR
  return value
}

/// Writes `message` into a C error buffer, truncated and NUL terminated.
func writeError(_ message: String, into buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
  guard let buffer, capacity > 0 else { return }
  let line = message.replacingNewlines()
  let bytes = Array(line.utf8.prefix(capacity - 1))
  for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
  buffer[bytes.count] = 0
}

extension String {
  func replacingNewlines() -> String {
    String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
  }
}
