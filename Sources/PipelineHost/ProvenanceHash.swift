// SHA-256 digests for provenance (the pipeline file's bytes, the input image, model files), through
// WeightIO's SHA256: it is compiled optimised in every configuration, so hashing a gigabyte model
// file stays fast in debug builds. File errors become the host's own error.
import Foundation
import WeightIO

enum ProvenanceHash {
  /// The SHA-256 of `data` as 64 lower-case hex digits.
  static func hex(of data: Data) -> String {
    data.withUnsafeBytes { SHA256.hexDigest(of: $0) }
  }

  /// The SHA-256 of the file at `path` as 64 lower-case hex digits, hashed from a memory mapping.
  /// - Throws: ``HostError/missingFile(path:what:)`` when the file is missing or unreadable.
  static func hex(ofFile path: String) throws(HostError) -> String {
    do {
      return try SHA256.hexDigest(ofFile: path)
    } catch WeightError.fileNotFound {
      throw .missingFile(path: path, what: "file")
    } catch {
      throw .missingFile(path: path, what: "readable file")
    }
  }
}
