// SHA-256 against the FIPS 180-4 example digests and Python's hashlib on a committed fixture.

import Foundation
import Testing
@testable import WeightIO

@Suite struct SHA256Tests {
  static func digest(_ text: String) -> String {
    Array(text.utf8).withUnsafeBytes { SHA256.hexDigest(of: $0) }
  }

  @Test func knownDigests() {
    #expect(Self.digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(Self.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Self.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(Self.digest(String(repeating: "a", count: 1_000_000))
      == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func paddingBoundaries() {
    // Lengths around the 55/56/64-byte padding edges, against hashlib.sha256(b"x" * n), fed whole
    // and in uneven pieces.
    let expected: [Int: String] = [
      55: "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072",
      56: "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e",
      63: "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2",
      64: "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c",
      65: "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9",
      119: "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c",
      120: "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98",
      128: "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464",
    ]
    let bytes = [UInt8](repeating: 0x78, count: 130)
    for (length, digest) in expected {
      var pieces = SHA256()
      var start = 0
      for size in [1, 6, 13, 64, 70] where start < length {
        let end = min(length, start + size)
        bytes[start..<end].withUnsafeBytes { pieces.update($0) }
        start = end
      }
      if start < length { bytes[start..<length].withUnsafeBytes { pieces.update($0) } }
      let whole = bytes[0..<length].withUnsafeBytes { SHA256.hexDigest(of: $0) }
      let piecewise = pieces.hexDigest()
      #expect(whole == digest, "length \(length)")
      #expect(piecewise == digest, "length \(length) in pieces")
    }
  }

  @Test func fileDigestMatchesHashlib() throws {
    guard let path = Bundle.module.path(forResource: "torch_dtypes", ofType: "safetensors")
      ?? Bundle.module.path(forResource: "torch_dtypes", ofType: "safetensors", inDirectory: "Resources")
    else {
      Issue.record("fixture torch_dtypes.safetensors missing")
      return
    }
    // Printed by scripts/golden/make_weightio_fixtures.py (hashlib).
    #expect(try SHA256.hexDigest(ofFile: path) == "f7f143ae5e2ccc519311f5a5fab59f3f5ad50f9e38a7552ed623cfcb6598407c")
  }

  @Test func fileDigestErrors() throws {
    let folder = try TemporaryFolder()
    #expect(throws: WeightError.fileNotFound(file: folder.file("nope"))) { try SHA256.hexDigest(ofFile: folder.file("nope")) }
    #expect(throws: WeightError.notAFile(file: folder.path)) { try SHA256.hexDigest(ofFile: folder.path) }
    let empty = try folder.write([], to: "empty")
    #expect(try SHA256.hexDigest(ofFile: empty) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }
}
