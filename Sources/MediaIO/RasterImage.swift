// An 8-bit interleaved image: the one pixel type every MediaIO reader returns and writer takes.

/// An 8-bit image stored row-major with interleaved channels.
///
/// `channels` is 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); `pixels.count` is
/// `width * height * channels`.
public struct RasterImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  public var channels: Int
  public var pixels: [UInt8]

  /// Creates an image from interleaved 8-bit samples.
  /// - Precondition: `pixels.count == width * height * channels` and `channels` is 1...4.
  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0, "RasterImage: negative size \(width)x\(height)")
    precondition((1...4).contains(channels), "RasterImage: channels must be 1...4, got \(channels)")
    precondition(pixels.count == width * height * channels,
                 "RasterImage: \(pixels.count) samples for \(width)x\(height)x\(channels)")
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// Whether the stored sample count matches the declared size (the fields are public and mutable,
  /// so writers check before trusting them).
  var isConsistent: Bool {
    width > 0 && height > 0 && (1...4).contains(channels) && pixels.count == width * height * channels
  }

  /// The same picture as RGB: grey is replicated, alpha is composited over `background`.
  func rgb(background: UInt8 = 255) -> RasterImage {
    if channels == 3 { return self }
    var out = [UInt8](repeating: 0, count: width * height * 3)
    let count = width * height
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<count {
          var r: Int, g: Int, b: Int, a = 255
          switch channels {
          case 1: r = Int(src[i]); g = r; b = r
          case 2: r = Int(src[2 * i]); g = r; b = r; a = Int(src[2 * i + 1])
          default: r = Int(src[4 * i]); g = Int(src[4 * i + 1]); b = Int(src[4 * i + 2]); a = Int(src[4 * i + 3])
          }
          let bg = Int(background) * (255 - a)
          dst[3 * i] = UInt8((r * a + bg + 127) / 255)
          dst[3 * i + 1] = UInt8((g * a + bg + 127) / 255)
          dst[3 * i + 2] = UInt8((b * a + bg + 127) / 255)
        }
      }
    }
    return RasterImage(width: width, height: height, channels: 3, pixels: out)
  }
}
