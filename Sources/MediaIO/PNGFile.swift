// PNG through libpng (via CMediaShims, which keeps libpng's longjmp errors out of Swift).
import CMediaShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// 8-bit PNG files with UTF-8 text chunks (Easel stores its provenance under `easel:provenance`).
public enum PNGFile {
  /// Writes `image` as an 8-bit PNG with one uncompressed iTXt chunk per entry of `text`.
  ///
  /// Keys are written in sorted order and no tIME chunk is written, so identical input gives
  /// byte-identical files. The file appears atomically: it is written to a hidden temporary sibling
  /// and renamed into place; on any error the temporary file is removed.
  /// Keys must be 1–79 printable Latin-1 characters without leading, trailing or double spaces
  /// (the PNG rule); values are any UTF-8 without NUL.
  public static func write(_ image: RasterImage, to path: String, text: [String: String]) throws {
    guard image.isConsistent else {
      throw MediaError.invalidInput(
        path: path,
        reason: "image \(image.width)x\(image.height)x\(image.channels) with \(image.pixels.count) samples")
    }
    let entries = text.sorted { $0.key < $1.key }
    for (key, value) in entries {
      if let problem = keywordProblem(key) {
        throw MediaError.invalidInput(path: path, reason: "PNG text key \"\(key)\": \(problem)")
      }
      if value.utf8.contains(0) {
        throw MediaError.invalidInput(path: path, reason: "PNG text value for \"\(key)\" contains a NUL byte")
      }
    }
    try AtomicFile.write(to: path) { temporary in
      var message = [CChar](repeating: 0, count: 512)
      let status = withCStrings(entries.map(\.key)) { keys in
        withCStrings(entries.map(\.value)) { values in
          image.pixels.withUnsafeBufferPointer { pixels in
            easel_png_write(temporary, Int32(image.width), Int32(image.height), Int32(image.channels),
                            pixels.baseAddress, Int32(entries.count), keys, values, &message, message.count)
          }
        }
      }
      guard status == Int32(EASEL_PNG_OK) else {
        throw MediaError.cannotWrite(path: path, reason: messageString(message))
      }
    }
  }

  /// Reads any PNG (palette, grey, 16-bit, interlaced, with or without alpha) as 8-bit samples with
  /// 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels.
  public static func read(_ path: String) throws -> RasterImage {
    try decode(path, wantPixels: true).image
  }

  /// The text chunks (iTXt, tEXt, zTXt) of a PNG, keyed by their keyword.
  public static func readText(_ path: String) throws -> [String: String] {
    try decode(path, wantPixels: false).text
  }

  static func decode(_ path: String, wantPixels: Bool) throws -> (image: RasterImage, text: [String: String]) {
    // Sniffing first turns a missing file or a non-PNG into a precise error before libpng runs.
    let format = try MediaSniffer.format(ofFile: path)
    guard format == .png else { throw MediaError.unsupportedFormat(path: path, expected: "a PNG image") }
    var decoded = easel_png_image()
    var message = [CChar](repeating: 0, count: 512)
    let status = easel_png_read(path, wantPixels ? 1 : 0, &decoded, &message, message.count)
    defer { easel_png_image_free(&decoded) }
    switch status {
    case Int32(EASEL_PNG_OK):
      break
    case Int32(EASEL_PNG_OPEN_FAILED):
      throw MediaError.unreadable(path: path, reason: messageString(message))
    case Int32(EASEL_PNG_NOT_PNG):
      throw MediaError.unsupportedFormat(path: path, expected: "a PNG image")
    default:
      throw MediaError.corrupt(path: path, reason: messageString(message))
    }
    let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
    var pixels: [UInt8] = []
    if wantPixels, let source = decoded.pixels {
      pixels = Array(UnsafeBufferPointer(start: source, count: width * height * channels))
    }
    var text: [String: String] = [:]
    for i in 0..<Int(decoded.text_count) {
      guard let key = decoded.text_keys[i], let value = decoded.text_values[i] else { continue }
      text[decodeText(key)] = decodeText(value)
    }
    let image = wantPixels
      ? RasterImage(width: width, height: height, channels: channels, pixels: pixels)
      : RasterImage(width: 0, height: 0, channels: 1, pixels: [])
    return (image, text)
  }

  /// iTXt is UTF-8; tEXt and zTXt are Latin-1, which is not always valid UTF-8.
  private static func decodeText(_ pointer: UnsafeMutablePointer<CChar>) -> String {
    let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)).map { $0 }
    if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
    return String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
  }

  /// Why `key` is not a valid PNG keyword, or nil when it is.
  static func keywordProblem(_ key: String) -> String? {
    let scalars = Array(key.unicodeScalars)
    if scalars.isEmpty || scalars.count > 79 { return "must be 1 to 79 characters" }
    if scalars.contains(where: { !(32...126).contains($0.value) && !(161...255).contains($0.value) }) {
      return "must be printable Latin-1"
    }
    if key.hasPrefix(" ") || key.hasSuffix(" ") || key.contains("  ") {
      return "no leading, trailing or consecutive spaces"
    }
    return nil
  }
}
