// hello.invert: inverts image colours (alpha kept), blended by `strength`.
// N images, H/W size, C channels.
import EaselPluginSDK
import TensorCore

/// Inverts the colour channels of `[N,H,W,C]` images.
public struct Invert: Stage {
  public static let name = "hello.invert"
  public static let version = "1"
  public static let summary = "Invert image colours (an out-of-tree example plugin)"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "images")]
  public static let outputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "inverted images")]
  public static let parameters: [ParamSpec] = [
    .float("strength", default: 1, range: 0...1, description: "0 keeps the image, 1 inverts it fully")
  ]

  let strength: Float

  public init(parameters: StageParameters, context: StageContext) throws {
    strength = Float(try parameters.float("strength"))
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let image = try inputs.tensor("image").toFloat32()
    guard image.rank == 4 else { throw StageError.invalidInput(port: "image", reason: "expected [N,H,W,C], got \(image.shape)") }
    let channels = image.shape[3]
    // Alpha (the 2nd of grey+alpha, the 4th of RGBA) is not a colour.
    let colours = channels == 2 || channels == 4 ? channels - 1 : channels
    let pixels = image.count / channels
    let result = Tensor(uninitialized: image.shape)  // [N,H,W,C]
    nonisolated(unsafe) let input = image.floats
    nonisolated(unsafe) let output = result.mutableFloats
    let strength = self.strength
    let rows = image.shape[0] * image.shape[1]
    let rowPixels = pixels / max(rows, 1)
    // Runs on the host's pool: the SDK pointed this plugin's TensorCore at it on create.
    ComputePool.shared.parallelFor(rows) { row in
      for pixel in (row * rowPixels)..<((row + 1) * rowPixels) {
        for channel in 0..<channels {
          let index = pixel * channels + channel
          let value = input[index]
          output[index] = channel < colours ? value + strength * (1 - 2 * value) : value
        }
      }
    }
    try context.checkCancellation()
    context.progress(step: 1, total: 1)
    return withExtendedLifetime(image) { StageOutputs(["image": .image(result)]) }
  }
}
