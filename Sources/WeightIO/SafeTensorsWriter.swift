// Writes safetensors files (fixtures, converted weights, trained models). The file appears
// atomically: it is written to a temporary name beside the target and renamed into place.

import Foundation
import TensorCore

/// Writes tensors to a safetensors file.
public struct SafeTensorsWriter {
  /// Writes `tensors` (any Easel dtype) and `metadata` to `path`, replacing any file there.
  /// Data is laid out contiguously (as the format requires), widest element type first and then by
  /// name, after a header padded with spaces to a multiple of 8 bytes, so every tensor is aligned to
  /// its element size and loads as a zero-copy view.
  /// - Throws: ``WeightError/writeFailed(file:reason:)``.
  public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
    let names = tensors.keys.sorted { left, right in
      let (leftSize, rightSize) = (tensors[left]?.dtype.byteSize ?? 0, tensors[right]?.dtype.byteSize ?? 0)
      return leftSize != rightSize ? leftSize > rightSize : left < right
    }
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for name in names {
      guard let tensor = tensors[name] else { continue }
      let byteCount = tensor.count * tensor.dtype.byteSize
      header[name] = [
        "dtype": SafeTensorsDType(tensor.dtype).rawValue,
        "shape": tensor.shape,
        "data_offsets": [offset, offset + byteCount],
      ] as [String: Any]
      offset += byteCount
    }
    var json: Data
    do {
      json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    } catch {
      throw WeightError.writeFailed(file: path, reason: "header does not encode as JSON: \(error)")
    }
    let padding = (8 - json.count % 8) % 8
    json.append(contentsOf: [UInt8](repeating: 0x20, count: padding))

    var length = UInt64(json.count).littleEndian
    var prefix = withUnsafeBytes(of: &length) { Data($0) }
    prefix.append(json)
    // Tensor bytes go to the file straight from their storage, without a copy of the whole model.
    let chunks = names.compactMap { tensors[$0] }.map { tensor in
      Data(bytesNoCopy: tensor.rawPointer, count: tensor.count * tensor.dtype.byteSize, deallocator: .none)
    }
    try withExtendedLifetime(tensors) { try writeAtomically([prefix] + chunks, to: path) }
  }

  /// Writes `chunks` one after another to a temporary file in the target's folder, then renames it
  /// over `path`, so readers see the old file or the new one and never half of one.
  static func writeAtomically(_ chunks: [Data], to path: String) throws {
    let target = URL(fileURLWithPath: path)
    let temporary = target.deletingLastPathComponent()
      .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
          let handle = FileHandle(forWritingAtPath: temporary.path)
    else {
      throw WeightError.writeFailed(file: path, reason: "cannot create \(temporary.lastPathComponent) in its folder")
    }
    do {
      for chunk in chunks where !chunk.isEmpty { try handle.write(contentsOf: chunk) }
      try handle.synchronize()
      try handle.close()
    } catch {
      try? handle.close()
      try? FileManager.default.removeItem(at: temporary)
      throw WeightError.writeFailed(file: path, reason: error.localizedDescription)
    }
    if rename(temporary.path, target.path) != 0 {
      let reason = MappedFile.errorText(errno)
      try? FileManager.default.removeItem(at: temporary)
      throw WeightError.writeFailed(file: path, reason: "rename: \(reason)")
    }
  }
}
