// Pillow 13's ImagingResample for 8-bit images (src/libImaging/Resample.c), which transformers'
// PIL backend runs for `resample=3` (BICUBIC, a = −0.5): separable, horizontal pass first, each
// output pixel a fixed-point (22 fractional bits) weighted sum of the inputs under a filter whose
// support widens with the downscale factor (antialiasing), rounded and clamped to 0…255 after
// EACH pass, as Pillow stores the intermediate image as 8-bit.
// H, W input size, Ho, Wo output size, C channels (interleaved), K taps per output.
import Foundation

/// The filters of Pillow's `Image.resize` (its resample numbers).
public enum PILFilter: Int, Sendable, Codable {
  case lanczos = 1, bilinear = 2, bicubic = 3, box = 4, hamming = 5

  var support: Double {
    switch self {
    case .box: 0.5
    case .bilinear, .hamming: 1
    case .bicubic: 2
    case .lanczos: 3
    }
  }

  func weight(_ input: Double) -> Double {
    switch self {
    case .box:
      return input > -0.5 && input <= 0.5 ? 1 : 0
    case .bilinear:
      let x = Swift.abs(input)
      return x < 1 ? 1 - x : 0
    case .hamming:
      var x = Swift.abs(input)
      if x == 0 { return 1 }
      if x >= 1 { return 0 }
      x *= Double.pi
      return sin(x) / x * (Double(Float(0.54)) + Double(Float(0.46)) * cos(x))
    case .bicubic:
      let a = -0.5
      let x = Swift.abs(input)
      if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
      if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
      return 0
    case .lanczos:
      func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(x * Double.pi) / (x * Double.pi) }
      return input >= -3 && input < 3 ? sinc(input) * sinc(input / 3) : 0
    }
  }
}

/// Pillow's resampling of an 8-bit interleaved image.
enum PILResample {
  static let precisionBits = 22

  /// Per output index: first input index, number of taps, and K fixed-point weights.
  struct Coefficients {
    var starts: [Int] = []
    var counts: [Int] = []
    var weights: [Int32] = []
    var taps = 0
  }

  /// `precompute_coeffs` + `normalize_coeffs_8bpc` for the box [0, inSize).
  static func coefficients(inSize: Int, outSize: Int, filter: PILFilter) -> Coefficients {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1)
    let support = filter.support * filterScale
    let taps = Int(support.rounded(.up)) * 2 + 1
    var result = Coefficients(taps: taps)
    result.weights = [Int32](repeating: 0, count: outSize * taps)
    var k = [Double](repeating: 0, count: taps)
    for output in 0..<outSize {
      let center = (Double(output) + 0.5) * scale
      let inverse = 1 / filterScale
      let start = max(Int(center - support + 0.5), 0)
      let end = min(Int(center + support + 0.5), inSize)
      let count = end - start
      var total = 0.0
      for tap in 0..<count {
        let w = filter.weight((Double(tap + start) - center + 0.5) * inverse)
        k[tap] = w
        total += w
      }
      for tap in 0..<taps {
        var w = tap < count ? k[tap] : 0
        if tap < count && total != 0 { w /= total }
        let scaled = w * Double(1 << precisionBits)
        result.weights[output * taps + tap] = Int32(w < 0 ? scaled - 0.5 : scaled + 0.5)
      }
      result.starts.append(start)
      result.counts.append(count)
    }
    return result
  }

  @inline(__always)
  static func clip8(_ sum: Int) -> UInt8 {
    let value = sum >> precisionBits
    return value < 0 ? 0 : value > 255 ? 255 : UInt8(value)
  }

  /// Resizes `pixels` [H,W,C] (u8, interleaved) to [Ho,Wo,C] as `Image.resize((Wo, Ho), filter)`.
  static func resize(_ pixels: [UInt8], height: Int, width: Int, channels: Int,
                     toHeight outHeight: Int, toWidth outWidth: Int, filter: PILFilter) -> [UInt8] {
    if outHeight == height && outWidth == width { return pixels }
    let vertical = coefficients(inSize: height, outSize: outHeight, filter: filter)
    var source = pixels
    var sourceWidth = width
    var rowOffset = 0
    if outWidth != width {
      // Only the rows the vertical pass reads are resampled horizontally, as Pillow does.
      let firstRow = vertical.starts[0]
      let lastRow = vertical.starts[outHeight - 1] + vertical.counts[outHeight - 1]
      let horizontal = coefficients(inSize: width, outSize: outWidth, filter: filter)
      var temporary = [UInt8](repeating: 0, count: (lastRow - firstRow) * outWidth * channels)
      for row in firstRow..<lastRow {
        for x in 0..<outWidth {
          let start = horizontal.starts[x]
          for channel in 0..<channels {
            var sum = 1 << (precisionBits - 1)
            for tap in 0..<horizontal.counts[x] {
              sum += Int(pixels[(row * width + start + tap) * channels + channel]) * Int(horizontal.weights[x * horizontal.taps + tap])
            }
            temporary[((row - firstRow) * outWidth + x) * channels + channel] = clip8(sum)
          }
        }
      }
      source = temporary
      sourceWidth = outWidth
      rowOffset = firstRow
    }
    if outHeight == height { return source }
    var output = [UInt8](repeating: 0, count: outHeight * outWidth * channels)
    for y in 0..<outHeight {
      let start = vertical.starts[y] - rowOffset
      for x in 0..<outWidth {
        for channel in 0..<channels {
          var sum = 1 << (precisionBits - 1)
          for tap in 0..<vertical.counts[y] {
            sum += Int(source[((start + tap) * sourceWidth + x) * channels + channel]) * Int(vertical.weights[y * vertical.taps + tap])
          }
          output[(y * outWidth + x) * channels + channel] = clip8(sum)
        }
      }
    }
    return output
  }
}
