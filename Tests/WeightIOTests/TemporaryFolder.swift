// A scratch folder per test, and a way to write hand-made safetensors files (good and bad) into it.

import Foundation

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryFolder {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "easel-weightio-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The path of `name` inside the folder.
  func file(_ name: String) -> String { path + "/" + name }

  /// Writes raw bytes to `name` (creating sub-folders) and returns its path.
  @discardableResult
  func write(_ bytes: [UInt8], to name: String) throws -> String {
    let target = file(name)
    try FileManager.default.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: target))
    return target
  }

  /// Writes text to `name` and returns its path.
  @discardableResult
  func write(text: String, to name: String) throws -> String {
    try write(Array(text.utf8), to: name)
  }

  /// A safetensors file with a verbatim header and `dataBytes` bytes of data 0, 1, 2, …
  /// `declaredLength` overrides the 8-byte length prefix.
  @discardableResult
  func writeSafeTensors(header: String, dataBytes: Int, declaredLength: UInt64? = nil, to name: String) throws -> String {
    let json = Array(header.utf8)
    var bytes: [UInt8] = []
    let length = declaredLength ?? UInt64(json.count)
    for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(index)))) }
    bytes += json
    bytes += (0..<dataBytes).map { UInt8(truncatingIfNeeded: $0) }
    return try write(bytes, to: name)
  }
}
