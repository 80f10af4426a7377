// Parses and validates a safetensors header: 8-byte little-endian length N, then N bytes of JSON
// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
// then the data section that the offsets index into. Every check happens here, once, at open time,
// so that reading a tensor later cannot fail on a lying header.

import Foundation
import TensorCore

/// Element types the safetensors format defines (byte-sized ones; sub-byte types are rejected).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
  case bool = "BOOL", u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
  case u32 = "U32", i32 = "I32", f32 = "F32", u64 = "U64", i64 = "I64", f64 = "F64"
  case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

  /// Bytes per element on disk.
  public var byteSize: Int {
    switch self {
    case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
    case .u16, .i16, .f16, .bf16: 2
    case .u32, .i32, .f32: 4
    case .u64, .i64, .f64: 8
    }
  }

  /// The Easel dtype a tensor of this type loads as, or nil when it cannot be loaded.
  /// I64 loads as I32 (a checked copy: position-id buffers are stored as I64); BOOL as U8.
  public var loadedDType: DType? {
    switch self {
    case .f32: .f32
    case .f16: .f16
    case .bf16: .bf16
    case .i32, .i64: .i32
    case .u8, .bool: .u8
    default: nil
    }
  }

  /// The safetensors dtype that stores an Easel dtype.
  public init(_ dtype: DType) {
    switch dtype {
    case .f32: self = .f32
    case .f16: self = .f16
    case .bf16: self = .bf16
    case .i32: self = .i32
    case .u8: self = .u8
    }
  }
}

/// Where one tensor lives in a safetensors file, and what it is.
public struct TensorInfo: Sendable, Equatable {
  /// The tensor's key, verbatim.
  public let name: String
  /// The dtype as stored in the file.
  public let storedDType: SafeTensorsDType
  /// Extent of each dimension, outermost first.
  public let shape: [Int]
  /// Byte range inside the data section (which starts after the header).
  public let dataOffsets: Range<Int>

  /// The dtype ``SafeTensorsFile/tensor(_:)`` returns, or nil when the stored type cannot be loaded.
  public var dtype: DType? { storedDType.loadedDType }
  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }
}

/// The decoded, validated header of a safetensors file.
struct SafeTensorsHeader {
  /// Header JSON larger than this is refused (the reference implementation's limit).
  static let maximumHeaderLength = 100_000_000

  let entries: [String: TensorInfo]
  let metadata: [String: String]
  /// Offset of the data section from the start of the file.
  let dataStart: Int

  /// Validates the header of a file of `fileSize` bytes starting at `bytes` (nil when empty).
  init(bytes: UnsafeRawPointer?, fileSize: Int, file: String) throws {
    guard let bytes, fileSize >= 8 else { throw WeightError.truncated(file: file, expected: 8, actual: fileSize) }
    var length: UInt64 = 0
    for index in 0..<8 { length |= UInt64(bytes.load(fromByteOffset: index, as: UInt8.self)) << (8 * UInt64(index)) }
    guard length <= UInt64(Self.maximumHeaderLength) else {
      throw WeightError.headerTooLarge(file: file, length: length, limit: Self.maximumHeaderLength)
    }
    let headerLength = Int(length)
    guard headerLength <= fileSize - 8 else {
      throw WeightError.truncated(file: file, expected: 8 + headerLength, actual: fileSize)
    }
    guard headerLength >= 2 else { throw WeightError.invalidHeader(file: file, reason: "header of \(headerLength) bytes") }
    dataStart = 8 + headerLength
    let json = Data(bytes: bytes + 8, count: headerLength)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: json, options: [])
    } catch {
      throw WeightError.invalidHeader(file: file, reason: "not valid JSON")
    }
    guard let root = object as? [String: Any] else {
      throw WeightError.invalidHeader(file: file, reason: "JSON is not an object")
    }
    let dataSize = fileSize - dataStart
    var entries: [String: TensorInfo] = [:]
    var metadata: [String: String] = [:]
    for (key, value) in root {
      if key == "__metadata__" {
        metadata = try Self.parseMetadata(value, file: file)
        continue
      }
      entries[key] = try Self.parseEntry(key: key, value: value, dataSize: dataSize, file: file)
    }
    try Self.checkOverlaps(entries, file: file)
    self.entries = entries
    self.metadata = metadata
  }

  private static func parseMetadata(_ value: Any, file: String) throws -> [String: String] {
    guard let dictionary = value as? [String: Any] else {
      throw WeightError.invalidHeader(file: file, reason: "__metadata__ is not an object")
    }
    var metadata: [String: String] = [:]
    for (key, item) in dictionary {
      guard let text = item as? String else {
        throw WeightError.invalidHeader(file: file, reason: "__metadata__ value of '\(key)' is not a string")
      }
      metadata[key] = text
    }
    return metadata
  }

  private static func parseEntry(key: String, value: Any, dataSize: Int, file: String) throws -> TensorInfo {
    func invalid(_ reason: String) -> WeightError { .invalidTensorEntry(file: file, key: key, reason: reason) }
    guard let entry = value as? [String: Any] else { throw invalid("entry is not an object") }
    guard let dtypeText = entry["dtype"] as? String else { throw invalid("no dtype string") }
    guard let dtype = SafeTensorsDType(rawValue: dtypeText) else {
      throw WeightError.unknownDType(file: file, key: key, dtype: dtypeText)
    }
    guard let shapeValues = entry["shape"] as? [Any], let shape = integers(shapeValues),
          shape.allSatisfy({ $0 >= 0 }) else { throw invalid("shape is not a list of non-negative integers") }
    guard let offsetValues = entry["data_offsets"] as? [Any], let offsets = integers(offsetValues),
          offsets.count == 2 else { throw invalid("data_offsets is not a pair of integers") }
    let (begin, end) = (offsets[0], offsets[1])
    guard begin >= 0, begin <= end else { throw invalid("data_offsets [\(begin), \(end)] are not ordered") }
    guard end <= dataSize else {
      throw invalid("data_offsets end \(end) lies past the data section of \(dataSize) bytes (truncated file?)")
    }
    var byteCount = dtype.byteSize
    for dimension in shape {
      let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
      guard !overflow else { throw invalid("shape \(shape) is too large") }
      byteCount = product
    }
    guard end - begin == byteCount else {
      throw invalid("shape \(shape) of \(dtypeText) needs \(byteCount) bytes, data_offsets give \(end - begin)")
    }
    return TensorInfo(name: key, storedDType: dtype, shape: shape, dataOffsets: begin..<end)
  }

  /// JSON integers as Ints; nil when any element is not an exact integer.
  private static func integers(_ values: [Any]) -> [Int]? {
    var result: [Int] = []
    result.reserveCapacity(values.count)
    for value in values {
      guard let number = value as? NSNumber else { return nil }
      let double = number.doubleValue
      guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
      result.append(number.intValue)
    }
    return result
  }

  private static func checkOverlaps(_ entries: [String: TensorInfo], file: String) throws {
    let sorted = entries.values.filter { !$0.dataOffsets.isEmpty }
      .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
    for (previous, next) in zip(sorted, sorted.dropFirst()) where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
      throw WeightError.invalidTensorEntry(
        file: file, key: next.name,
        reason: "its bytes \(next.dataOffsets) overlap those of '\(previous.name)' \(previous.dataOffsets)")
    }
  }
}
