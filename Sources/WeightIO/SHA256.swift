// SHA-256 (FIPS 180-4) for provenance hashes of model files. Foundation on Linux has no CryptoKit and
// swift-crypto is not a dependency, so this is a small self-contained implementation that hashes
// straight from a memory mapping.

/// An incremental SHA-256 hasher.
public struct SHA256: Sendable {
  private static let roundConstants: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]

  private var state: [UInt32] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]
  /// Bytes of an incomplete block carried to the next update.
  private var pending: [UInt8] = []
  private var totalBytes: UInt64 = 0

  /// A hasher with nothing fed yet.
  public init() {}

  /// Feeds `bytes`.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard var source = bytes.baseAddress, bytes.count > 0 else { return }
    var remaining = bytes.count
    totalBytes &+= UInt64(remaining)
    if !pending.isEmpty {
      let taken = min(64 - pending.count, remaining)
      pending.append(contentsOf: UnsafeRawBufferPointer(start: source, count: taken))
      source += taken
      remaining -= taken
      if pending.count < 64 { return }
      let block = pending
      block.withUnsafeBytes { compress($0.baseAddress.unsafelyUnwrapped, blocks: 1) }
      pending.removeAll(keepingCapacity: true)
    }
    let wholeBlocks = remaining / 64
    if wholeBlocks > 0 { compress(source, blocks: wholeBlocks) }
    source += wholeBlocks * 64
    remaining -= wholeBlocks * 64
    pending.append(contentsOf: UnsafeRawBufferPointer(start: source, count: remaining))
  }

  /// Feeds the bytes of `data`.
  public mutating func update<Bytes: Collection>(_ data: Bytes) where Bytes.Element == UInt8 {
    let copy = Array(data)
    copy.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest of everything fed so far (the hasher can keep being fed afterwards).
  public func finalize() -> [UInt8] {
    var copy = self
    let bitLength = totalBytes &* 8
    var tail = pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    tail.withUnsafeBytes { copy.compress($0.baseAddress.unsafelyUnwrapped, blocks: tail.count / 64) }
    return copy.state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
  }

  /// ``finalize()`` as 64 lower-case hex digits.
  public func hexDigest() -> String {
    finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  /// The digest of `bytes` as 64 lower-case hex digits.
  public static func hexDigest(of bytes: UnsafeRawBufferPointer) -> String {
    var hasher = SHA256()
    hasher.update(bytes)
    return hasher.hexDigest()
  }

  /// The digest of the file at `path` as 64 lower-case hex digits, hashed from a memory mapping.
  /// - Throws: ``WeightError`` when the file is missing, a directory or unreadable.
  public static func hexDigest(ofFile path: String) throws -> String {
    let mapping = try MappedFile(path: path)
    return withExtendedLifetime(mapping) {
      hexDigest(of: UnsafeRawBufferPointer(start: mapping.base, count: mapping.byteCount))
    }
  }

  /// Runs the compression function over `blocks` consecutive 64-byte blocks at `source`.
  private mutating func compress(_ source: UnsafeRawPointer, blocks: Int) {
    var digest = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
    Self.roundConstants.withUnsafeBufferPointer { constants in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
        for block in 0..<blocks {
          Self.compressBlock(source + block * 64, &digest, constants.baseAddress.unsafelyUnwrapped,
                             schedule.baseAddress.unsafelyUnwrapped)
        }
      }
    }
    state = [digest.0, digest.1, digest.2, digest.3, digest.4, digest.5, digest.6, digest.7]
  }

  /// One 64-byte block. Plain pointers and locals only: this is the loop a 2 GB checkpoint runs
  /// through 30 million times.
  private static func compressBlock(
    _ bytes: UnsafeRawPointer, _ digest: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    _ constants: UnsafePointer<UInt32>, _ schedule: UnsafeMutablePointer<UInt32>
  ) {
    for index in 0..<16 {
      schedule[index] = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
    }
    for index in 16..<64 {
      let early = schedule[index &- 15], late = schedule[index &- 2]
      let sigma0 = (early >> 7 | early << 25) ^ (early >> 18 | early << 14) ^ (early >> 3)
      let sigma1 = (late >> 17 | late << 15) ^ (late >> 19 | late << 13) ^ (late >> 10)
      schedule[index] = schedule[index &- 16] &+ sigma0 &+ schedule[index &- 7] &+ sigma1
    }
    var (a, b, c, d, e, f, g, h) = digest
    for index in 0..<64 {
      let sum1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
      let choice = (e & f) ^ (~e & g)
      let temporary1 = h &+ sum1 &+ choice &+ constants[index] &+ schedule[index]
      let sum0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
      let majority = (a & b) ^ (a & c) ^ (b & c)
      h = g; g = f; f = e; e = d &+ temporary1
      d = c; c = b; b = a; a = temporary1 &+ sum0 &+ majority
    }
    digest = (digest.0 &+ a, digest.1 &+ b, digest.2 &+ c, digest.3 &+ d,
              digest.4 &+ e, digest.5 &+ f, digest.6 &+ g, digest.7 &+ h)
  }
}
