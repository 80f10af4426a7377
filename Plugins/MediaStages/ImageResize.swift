// image.resize: scale images to a size, keeping the aspect ratio (fit, fill) or not (stretch).
// N images, H/W in and out sizes, C channels.
import EaselPluginSDK
import TensorCore

/// Resizes `[N,H,W,C]` images with TensorCore's separable resamplers.
public struct ImageResize: Stage {
  public static let name = "image.resize"
  public static let summary = "Resize images to width×height (fit inside, fill and crop, or stretch)"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images to resize")]
  public static let outputs = [PortSpec("image", .image, shape: "[N,h,w,C]", description: "resized images")]
  public static let parameters: [ParamSpec] = [
    .int("width", default: 512, range: 1...16384, description: "target width in pixels"),
    .int("height", default: 512, range: 1...16384, description: "target height in pixels"),
    .choice("mode", ["fit", "fill", "stretch"], default: "fit",
            description: "fit: inside the box, aspect kept; fill: cover the box and crop the centre; stretch: exactly"),
    .choice("filter", ["bicubic", "bilinear", "nearest"], default: "bicubic", description: "resampling filter"),
    .bool("antialias", default: true, description: "widen the filter when shrinking (like PIL)"),
  ]

  enum Mode: String { case fit, fill, stretch }
  enum Filter: String { case bicubic, bilinear, nearest }

  let width: Int
  let height: Int
  let mode: Mode
  let filter: Filter
  let antialias: Bool

  public init(parameters: StageParameters, context: StageContext) throws {
    width = try parameters.int("width")
    height = try parameters.int("height")
    mode = try parameters.choice("mode", as: Mode.self)
    filter = try parameters.choice("filter", as: Filter.self)
    antialias = try parameters.bool("antialias")
  }

  /// The size images of `inHeight`×`inWidth` are scaled to before any crop.
  static func scaledSize(inHeight: Int, inWidth: Int, height: Int, width: Int, mode: Mode) -> (height: Int, width: Int) {
    let scaleX = Double(width) / Double(inWidth)
    let scaleY = Double(height) / Double(inHeight)
    switch mode {
    case .stretch: return (height, width)
    case .fit:
      let scale = min(scaleX, scaleY)
      return (max(1, min(height, Int((Double(inHeight) * scale).rounded()))), max(1, min(width, Int((Double(inWidth) * scale).rounded()))))
    case .fill:
      let scale = max(scaleX, scaleY)
      return (max(height, Int((Double(inHeight) * scale).rounded())), max(width, Int((Double(inWidth) * scale).rounded())))
    }
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let image = try inputs.tensor("image")
    guard image.rank == 4 else { throw StageError.invalidInput(port: "image", reason: "expected [N,H,W,C], got \(image.shape)") }
    let (inHeight, inWidth) = (image.shape[1], image.shape[2])
    let size = Self.scaledSize(inHeight: inHeight, inWidth: inWidth, height: height, width: width, mode: mode)
    let planar = permute(image, [0, 3, 1, 2])  // [N,H,W,C] -> [N,C,H,W]
    let scaled: Tensor  // [N,C,H,W] -> [N,C,h,w]
    switch filter {
    case .bicubic: scaled = clamp(resizeBicubic(planar, height: size.height, width: size.width, antialias: antialias), min: 0, max: 1)
    case .bilinear: scaled = resizeBilinear(planar, height: size.height, width: size.width, antialias: antialias)
    case .nearest: scaled = resizeNearest(planar, height: size.height, width: size.width)
    }
    var result = permute(scaled, [0, 2, 3, 1])  // [N,C,h,w] -> [N,h,w,C]
    if mode == .fill {
      result = ImageCrop.crop(result, top: (size.height - height) / 2, left: (size.width - width) / 2,
                              height: height, width: width)  // [N,h,w,C] -> [N,height,width,C]
    }
    return StageOutputs(["image": .image(result)])
  }
}
