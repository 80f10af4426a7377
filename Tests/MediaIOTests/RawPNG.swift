// A tiny independent PNG encoder (stored deflate blocks, no compression) so the tests can make PNG
// variants libpng must normalise: palette, low bit depths, 16-bit, tRNS, Adam7 interlacing.

enum RawPNG {
  /// Builds a PNG. `sample(x, y, c)` gives the stored sample (palette index for colour type 3).
  static func make(width: Int, height: Int, bitDepth: Int, colorType: UInt8, interlaced: Bool = false,
                   palette: [UInt8]? = nil, transparency: [UInt8]? = nil, text: [String: String] = [:],
                   sample: (Int, Int, Int) -> Int) -> [UInt8] {
    let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)]!
    var raw: [UInt8] = []
    let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = interlaced
      ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
      : [(0, 0, 1, 1)]
    for pass in passes {
      let xs = Array(stride(from: pass.x0, to: width, by: pass.dx))
      let ys = Array(stride(from: pass.y0, to: height, by: pass.dy))
      if xs.isEmpty || ys.isEmpty { continue }
      for y in ys {
        raw.append(0)  // filter: none
        var bits: [Int] = []
        for x in xs { for c in 0..<channels { bits.append(sample(x, y, c)) } }
        raw += pack(bits, depth: bitDepth)
      }
    }
    var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    png += chunk("IHDR", be32(width) + be32(height) + [UInt8(bitDepth), colorType, 0, 0, interlaced ? 1 : 0])
    if let palette { png += chunk("PLTE", palette) }
    if let transparency { png += chunk("tRNS", transparency) }
    for (key, value) in text.sorted(by: { $0.key < $1.key }) {
      png += chunk("tEXt", Array(key.utf8) + [0] + Array(value.utf8))
    }
    png += chunk("IDAT", zlibStored(raw))
    png += chunk("IEND", [])
    return png
  }

  private static func pack(_ values: [Int], depth: Int) -> [UInt8] {
    if depth == 16 { return values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
    if depth == 8 { return values.map { UInt8($0) } }
    var out: [UInt8] = []
    var current = 0, used = 0
    for value in values {
      current = (current << depth) | value
      used += depth
      if used == 8 { out.append(UInt8(current)); current = 0; used = 0 }
    }
    if used > 0 { out.append(UInt8(current << (8 - used))) }
    return out
  }

  private static func be32(_ value: Int) -> [UInt8] {
    [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
  }

  private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return be32(data.count) + body + be32(Int(crc32(body)))
  }

  private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
      let length = min(65535, data.count - offset)
      let final: UInt8 = offset + length == data.count ? 1 : 0
      out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
      out += data[offset..<offset + length]
      offset += length
    } while offset < data.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    return out + be32(Int((b << 16) | a))
  }

  private static func crc32(_ data: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }
}
