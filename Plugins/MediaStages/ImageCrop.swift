// image.crop: cut a rectangle out of images, at an anchor or at an offset.
// N images, H/W sizes, C channels.
import EaselPluginSDK
import TensorCore

/// Crops `[N,H,W,C]` images.
public struct ImageCrop: Stage {
  public static let name = "image.crop"
  public static let summary = "Crop a width×height rectangle at an anchor (centre, corners) or at x,y"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images to crop")]
  public static let outputs = [PortSpec("image", .image, shape: "[N,h,w,C]", description: "cropped images")]
  public static let parameters: [ParamSpec] = [
    .int("width", default: 256, range: 1...16384, description: "crop width in pixels"),
    .int("height", default: 256, range: 1...16384, description: "crop height in pixels"),
    .choice("anchor", ["center", "top-left", "top-right", "bottom-left", "bottom-right", "offset"], default: "center",
            description: "where the rectangle sits; 'offset' uses x and y"),
    .int("x", default: 0, range: 0...16384, description: "left edge for anchor 'offset'"),
    .int("y", default: 0, range: 0...16384, description: "top edge for anchor 'offset'"),
  ]

  let width: Int
  let height: Int
  let anchor: String
  let x: Int
  let y: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    width = try parameters.int("width")
    height = try parameters.int("height")
    anchor = try parameters.string("anchor")
    x = try parameters.int("x")
    y = try parameters.int("y")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let image = try inputs.tensor("image")
    guard image.rank == 4 else { throw StageError.invalidInput(port: "image", reason: "expected [N,H,W,C], got \(image.shape)") }
    let (inHeight, inWidth) = (image.shape[1], image.shape[2])
    guard width <= inWidth, height <= inHeight else {
      throw StageError.invalidInput(port: "image", reason: "a \(width)×\(height) crop does not fit a \(inWidth)×\(inHeight) "
        + "image; resize it first or choose a smaller crop")
    }
    let (top, left): (Int, Int)
    switch anchor {
    case "top-left": (top, left) = (0, 0)
    case "top-right": (top, left) = (0, inWidth - width)
    case "bottom-left": (top, left) = (inHeight - height, 0)
    case "bottom-right": (top, left) = (inHeight - height, inWidth - width)
    case "offset":
      guard x + width <= inWidth, y + height <= inHeight else {
        throw StageError.invalidParameter(name: "x/y", value: "\(x),\(y)",
                                          reason: "the \(width)×\(height) crop runs past the \(inWidth)×\(inHeight) image")
      }
      (top, left) = (y, x)
    default: (top, left) = ((inHeight - height) / 2, (inWidth - width) / 2)
    }
    return StageOutputs(["image": .image(Self.crop(image, top: top, left: left, height: height, width: width))])
  }

  /// Rows top..<top+height and columns left..<left+width of every image.
  static func crop(_ image: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
    let (count, inHeight, inWidth, channels) = (image.shape[0], image.shape[1], image.shape[2], image.shape[3])
    precondition(top >= 0 && left >= 0 && top + height <= inHeight && left + width <= inWidth, "crop outside the image")
    let source = image.toFloat32()
    let result = Tensor(uninitialized: [count, height, width, channels])  // [N,H,W,C] -> [N,height,width,C]
    let input = source.floats
    let output = result.mutableFloats
    let rowLength = width * channels
    for n in 0..<count {
      for row in 0..<height {
        let from = input + ((n * inHeight + top + row) * inWidth + left) * channels
        (output + (n * height + row) * rowLength).update(from: from, count: rowLength)
      }
    }
    return withExtendedLifetime(source) { result }
  }
}
