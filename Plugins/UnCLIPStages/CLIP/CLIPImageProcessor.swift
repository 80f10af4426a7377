// Ports transformers 5.23's CLIPImageProcessor with its PIL backend (what runs without torchvision):
// convert to RGB, resize (shortest edge, Pillow resampling on 8-bit pixels), centre crop (zero
// padding when the image is smaller), rescale (float64 · factor → float32), normalise in float32.
// N images, H, W size, C channels.
import Foundation
import TensorCore

/// `preprocessor_config.json` keys, verbatim, with CLIPImageProcessor's defaults.
public struct CLIPImageProcessorConfig: Codable, Sendable, Equatable {
  /// `size` / `crop_size`: `{"shortest_edge": n}`, `{"height": h, "width": w}` or a bare integer.
  public struct Size: Codable, Sendable, Equatable {
    public var shortestEdge: Int?
    public var height: Int?
    public var width: Int?
    enum CodingKeys: String, CodingKey { case shortestEdge = "shortest_edge", height, width }
    public init(shortestEdge: Int? = nil, height: Int? = nil, width: Int? = nil) {
      self.shortestEdge = shortestEdge
      self.height = height
      self.width = width
    }
    public init(from decoder: any Decoder) throws {
      if let single = try? decoder.singleValueContainer().decode(Int.self) {
        self.init(shortestEdge: single)
        return
      }
      let c = try decoder.container(keyedBy: CodingKeys.self)
      self.init(shortestEdge: try c.decodeIfPresent(Int.self, forKey: .shortestEdge),
                height: try c.decodeIfPresent(Int.self, forKey: .height), width: try c.decodeIfPresent(Int.self, forKey: .width))
    }
  }

  public var doResize = true
  public var size = Size(shortestEdge: 224)
  public var resample = PILFilter.bicubic
  public var doCenterCrop = true
  public var cropSize = Size(height: 224, width: 224)
  public var doRescale = true
  public var rescaleFactor = 1.0 / 255.0
  public var doNormalize = true
  public var imageMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
  public var imageStd: [Double] = [0.26862954, 0.26130258, 0.27577711]

  enum CodingKeys: String, CodingKey {
    case doResize = "do_resize", size, resample, doCenterCrop = "do_center_crop", cropSize = "crop_size"
    case doRescale = "do_rescale", rescaleFactor = "rescale_factor", doNormalize = "do_normalize"
    case imageMean = "image_mean", imageStd = "image_std"
  }

  /// CLIPImageProcessor's defaults (224 × 224, OpenAI CLIP mean and std).
  public init() {}

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = CLIPImageProcessorConfig()
    doResize = try c.decodeIfPresent(Bool.self, forKey: .doResize) ?? d.doResize
    size = try c.decodeIfPresent(Size.self, forKey: .size) ?? d.size
    resample = try c.decodeIfPresent(PILFilter.self, forKey: .resample) ?? d.resample
    doCenterCrop = try c.decodeIfPresent(Bool.self, forKey: .doCenterCrop) ?? d.doCenterCrop
    cropSize = try c.decodeIfPresent(Size.self, forKey: .cropSize) ?? d.cropSize
    if let edge = cropSize.shortestEdge, cropSize.height == nil { cropSize = Size(height: edge, width: edge) }
    doRescale = try c.decodeIfPresent(Bool.self, forKey: .doRescale) ?? d.doRescale
    rescaleFactor = try c.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? d.rescaleFactor
    doNormalize = try c.decodeIfPresent(Bool.self, forKey: .doNormalize) ?? d.doNormalize
    imageMean = try c.decodeIfPresent([Double].self, forKey: .imageMean) ?? d.imageMean
    imageStd = try c.decodeIfPresent([Double].self, forKey: .imageStd) ?? d.imageStd
  }
}

/// CLIP's image preprocessing: 8-bit RGB pixels → normalised f32 [3,H,W] planes.
public struct CLIPImageProcessor: Sendable {
  /// The settings in use.
  public let config: CLIPImageProcessorConfig

  /// A processor with `config` (defaults: CLIPImageProcessor's).
  public init(config: CLIPImageProcessorConfig = CLIPImageProcessorConfig()) throws(UnCLIPError) {
    if config.imageMean.count != 3 || config.imageStd.count != 3 || config.imageStd.contains(0) {
      throw .invalidConfig(file: "preprocessor_config.json", reason: "image_mean and image_std need 3 values, std non-zero")
    }
    if config.doResize && config.size.shortestEdge == nil && (config.size.height == nil || config.size.width == nil) {
      throw .invalidConfig(file: "preprocessor_config.json", reason: "size needs shortest_edge or height and width")
    }
    if config.doCenterCrop && ((config.cropSize.height ?? 0) <= 0 || (config.cropSize.width ?? 0) <= 0) {
      throw .invalidConfig(file: "preprocessor_config.json", reason: "crop_size needs a positive height and width")
    }
    self.config = config
  }

  /// Reads `preprocessor_config.json` from `folder` (Karlo's `feature_extractor/`).
  public init(folder: URL) throws(UnCLIPError) {
    let file = folder.appendingPathComponent("preprocessor_config.json")
    let config: CLIPImageProcessorConfig
    do {
      config = try JSONDecoder().decode(CLIPImageProcessorConfig.self, from: Data(contentsOf: file))
    } catch {
      throw .invalidConfig(file: file.path, reason: "\(error)")
    }
    try self.init(config: config)
  }

  /// The (height, width) the resize step produces for an image of `height` × `width`.
  public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
    guard config.doResize else { return (height, width) }
    guard let edge = config.size.shortestEdge else { return (config.size.height ?? height, config.size.width ?? width) }
    let (short, long) = width <= height ? (width, height) : (height, width)
    let newLong = Int(Double(edge * long) / Double(short))
    return width <= height ? (newLong, edge) : (edge, newLong)
  }

  /// One image, 8-bit interleaved [H,W,C] with C = 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA;
  /// composited onto white as transformers does for a PIL image), to pixel values f32 [3,Hc,Wc].
  public func preprocess(pixels: [UInt8], height: Int, width: Int, channels: Int) throws(UnCLIPError) -> Tensor {
    guard height > 0, width > 0, (1...4).contains(channels), pixels.count == height * width * channels else {
      throw .invalidInput("an image must be [H,W,C] with C in 1…4 and H, W > 0; got \(height)×\(width)×\(channels) for \(pixels.count) values")
    }
    var rgb = Self.convertToRGB(pixels, count: height * width, channels: channels)
    var (h, w) = (height, width)
    if config.doResize {
      let target = resizedSize(height: h, width: w)
      guard target.height > 0, target.width > 0 else {
        throw .invalidInput("a \(height)×\(width) image resizes to nothing; use a larger image")
      }
      rgb = PILResample.resize(rgb, height: h, width: w, channels: 3, toHeight: target.height, toWidth: target.width,
                               filter: config.resample)
      (h, w) = target
    }
    if config.doCenterCrop, let cropHeight = config.cropSize.height, let cropWidth = config.cropSize.width {
      rgb = Self.centerCrop(rgb, height: h, width: w, toHeight: cropHeight, toWidth: cropWidth)
      (h, w) = (cropHeight, cropWidth)
    }
    let result = Tensor(uninitialized: [3, h, w])  // [H,W,3] -> [3,H,W]
    let output = result.mutableFloats
    for channel in 0..<3 {
      let mean = Float(config.imageMean[channel])
      let std = Float(config.imageStd[channel])
      for index in 0..<(h * w) {
        let raw = rgb[index * 3 + channel]
        var value = config.doRescale ? Float(Double(raw) * config.rescaleFactor) : Float(raw)
        if config.doNormalize { value = (value - mean) / std }
        output[channel * h * w + index] = value
      }
    }
    return result
  }

  /// Images f32 [N,H,W,C] in 0…1 (the pipeline's image layout) to pixel values [N,3,Hc,Wc]. Each
  /// value is first quantised to 8 bits (round(x·255)), which recovers a PNG's bytes exactly, so the
  /// result equals transformers run on the PIL image the PNG decodes to.
  public func preprocess(images: Tensor) throws(UnCLIPError) -> Tensor {
    guard images.dtype == .f32, images.rank == 4, images.shape[0] > 0 else {
      throw .invalidInput("images must be f32 [N,H,W,C], got \(images)")
    }
    let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    let values = images.floats
    var planes: [Tensor] = []
    for image in 0..<n {
      let base = image * h * w * c
      let pixels = (0..<(h * w * c)).map { index -> UInt8 in
        let scaled = (values[base + index] * 255).rounded()
        return scaled.isNaN ? 0 : UInt8(Swift.min(Swift.max(scaled, 0), 255))
      }
      let plane = try preprocess(pixels: pixels, height: h, width: w, channels: c)
      planes.append(plane.reshaped([1] + plane.shape))  // [3,Hc,Wc] -> [1,3,Hc,Wc]
    }
    return concat(planes, axis: 0)  // -> [N,3,Hc,Wc]
  }

  /// transformers' `convert_to_rgb` on a PIL image: grey replicated; an image with alpha composited
  /// onto opaque white with Pillow's `alpha_composite` integer arithmetic, then alpha dropped.
  static func convertToRGB(_ pixels: [UInt8], count: Int, channels: Int) -> [UInt8] {
    if channels == 3 { return pixels }
    var rgb = [UInt8](repeating: 0, count: count * 3)
    for index in 0..<count {
      let base = index * channels
      var (r, g, b) = channels >= 3 ? (pixels[base], pixels[base + 1], pixels[base + 2])
                                    : (pixels[base], pixels[base], pixels[base])
      if channels == 2 || channels == 4 {
        let alpha = pixels[base + channels - 1]
        (r, g, b) = (compositeOnWhite(r, alpha), compositeOnWhite(g, alpha), compositeOnWhite(b, alpha))
      }
      rgb[index * 3] = r
      rgb[index * 3 + 1] = g
      rgb[index * 3 + 2] = b
    }
    return rgb
  }

  /// One channel of Pillow's ImagingAlphaComposite (7 precision bits) with an opaque white destination.
  @inline(__always)
  static func compositeOnWhite(_ source: UInt8, _ alpha: UInt8) -> UInt8 {
    if alpha == 0 { return 255 }
    let precision: UInt32 = 7
    let sourceAlpha = UInt32(alpha)
    let blend = 255 * (255 - sourceAlpha)
    let outAlpha255 = sourceAlpha * 255 + blend
    let coefficient1 = sourceAlpha * 255 * 255 * (1 << precision) / outAlpha255
    let coefficient2 = 255 * (1 << precision) - coefficient1
    let mixed = UInt32(source) * coefficient1 + 255 * coefficient2 + (0x80 << precision)
    return UInt8(truncatingIfNeeded: (((mixed >> 8) + mixed) >> 8) >> precision)
  }

  /// transformers' `center_crop`: top = ⌊(H − h)/2⌋ (likewise left); an image smaller than the crop
  /// is first zero-padded by ⌈(h − H)/2⌉ on top (likewise left).
  static func centerCrop(_ rgb: [UInt8], height: Int, width: Int, toHeight cropHeight: Int, toWidth cropWidth: Int)
    -> [UInt8]
  {
    func floorDiv(_ a: Int, _ b: Int) -> Int { Int((Double(a) / Double(b)).rounded(.down)) }
    let paddedHeight = max(cropHeight, height)
    let paddedWidth = max(cropWidth, width)
    let padTop = (paddedHeight - height + 1) / 2
    let padLeft = (paddedWidth - width + 1) / 2
    let top = floorDiv(height - cropHeight, 2) + (height < cropHeight || width < cropWidth ? padTop : 0)
    let left = floorDiv(width - cropWidth, 2) + (height < cropHeight || width < cropWidth ? padLeft : 0)
    let padded = height < cropHeight || width < cropWidth
    var output = [UInt8](repeating: 0, count: cropHeight * cropWidth * 3)
    for y in 0..<cropHeight {
      for x in 0..<cropWidth {
        // Coordinates in the (possibly padded) image, then back in the original.
        var sourceY = top + y
        var sourceX = left + x
        if padded {
          sourceY -= padTop
          sourceX -= padLeft
        }
        guard sourceY >= 0, sourceY < height, sourceX >= 0, sourceX < width else { continue }
        for channel in 0..<3 { output[(y * cropWidth + x) * 3 + channel] = rgb[(sourceY * width + sourceX) * 3 + channel] }
      }
    }
    return output
  }
}
