// A safetensors file, memory-mapped. Tensors are zero-copy views into the mapping (f16/bf16 stay as
// stored); the mapping lives as long as any tensor taken from it.

import TensorCore

/// A read-only safetensors file whose tensors view the memory-mapped file without copying.
///
/// The header is validated completely when the file opens (lengths, JSON, dtypes, offsets inside
/// the data section, no overlaps, byte counts matching shapes), so a bad file fails at `init` with a
/// ``WeightError`` naming the file and key. Data is assumed little-endian, as the format specifies.
public final class SafeTensorsFile: @unchecked Sendable {
  /// The path the file was opened from.
  public let path: String
  private let mapping: MappedFile
  private let header: SafeTensorsHeader

  /// Opens and validates `path`.
  /// - Throws: ``WeightError`` for missing, unreadable, truncated or malformed files.
  public init(path: String) throws {
    self.path = path
    mapping = try MappedFile(path: path)
    header = try SafeTensorsHeader(bytes: mapping.base.map { UnsafeRawPointer($0) }, fileSize: mapping.byteCount, file: path)
  }

  /// The names of all tensors, sorted.
  public var tensorNames: [String] { header.entries.keys.sorted() }

  /// The `__metadata__` strings of the header (empty when absent).
  public var metadata: [String: String] { header.metadata }

  /// Dtype, shape and location of `name`, or nil when the file has no such tensor.
  public func info(_ name: String) -> TensorInfo? { header.entries[name] }

  /// Whether the file holds a tensor called `name`.
  public func contains(_ name: String) -> Bool { header.entries[name] != nil }

  /// The tensor `name`: a view into the mapping for F32/F16/BF16/I32/U8/BOOL, a checked copy for I64.
  /// A tensor whose bytes are not aligned to its element size (possible with a hand-made header) is
  /// copied so kernels can load it directly.
  /// - Throws: ``WeightError/missingKey(key:file:)`` or ``WeightError/unsupportedDType(file:key:dtype:)``.
  public func tensor(_ name: String) throws -> Tensor {
    guard let info = header.entries[name] else { throw WeightError.missingKey(key: name, file: path) }
    guard let dtype = info.dtype else {
      throw WeightError.unsupportedDType(file: path, key: name, dtype: info.storedDType.rawValue)
    }
    let start = header.dataStart + info.dataOffsets.lowerBound
    let byteCount = info.dataOffsets.count
    guard let base = mapping.base, byteCount > 0 else { return Tensor(zeros: info.shape, dtype: dtype) }
    let source = UnsafeRawPointer(base + start)
    if info.storedDType == .i64 { return try narrowedToInt32(info, source: source) }
    if start % info.storedDType.byteSize != 0 {
      let copy = Tensor(zeros: info.shape, dtype: dtype)
      copy.rawPointer.copyMemory(from: source, byteCount: byteCount)
      return copy
    }
    let storage = TensorStorage(borrowing: base + start, byteCount: byteCount, owner: mapping, pagesReloadable: true)
    return Tensor(shape: info.shape, dtype: dtype, storage: storage)
  }

  /// I64 data (position ids, token ids) copied into I32; values outside the I32 range are an error.
  private func narrowedToInt32(_ info: TensorInfo, source: UnsafeRawPointer) throws -> Tensor {
    let result = Tensor(zeros: info.shape, dtype: .i32)
    let output = result.rawPointer.assumingMemoryBound(to: Int32.self)
    for index in 0..<info.count {
      let value = source.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)
      guard let narrowed = Int32(exactly: value) else {
        throw WeightError.unsupportedDType(file: path, key: info.name, dtype: "I64 (value \(value) does not fit in I32)")
      }
      output[index] = narrowed
    }
    return result
  }
}
