// video.frames: N frames from one image by a slow zoom and pan (Ken Burns), for the images → video
// chain. F frames, H/W input size, h/w frame size, C channels.
import EaselPluginSDK
import TensorCore

/// Makes a zoom/pan frame sequence from the first image of its input.
public struct VideoFrames: Stage {
  public static let name = "video.frames"
  public static let summary = "Frames of a slow zoom and pan over an image (images → video)"
  public static let inputs = [PortSpec("image", .image, shape: "[N,H,W,C]", description: "the first image is used")]
  public static let outputs = [PortSpec("frames", .image, shape: "[F,h,w,C]", description: "one image per frame")]
  public static let parameters: [ParamSpec] = [
    .int("frames", default: 48, range: 1...100_000, description: "number of frames"),
    .float("zoom", default: 1.25, range: 0.1...10, description: "magnification at the last frame (1: none)"),
    .float("pan_x", default: 0, range: -1...1, description: "horizontal drift: -1 left edge … 1 right edge"),
    .float("pan_y", default: 0, range: -1...1, description: "vertical drift: -1 top … 1 bottom"),
    .int("width", default: 0, range: 0...16384, description: "frame width; 0 keeps the image's (made even)"),
    .int("height", default: 0, range: 0...16384, description: "frame height; 0 keeps the image's (made even)"),
  ]

  let frameCount: Int
  let zoom: Double
  let panX: Double
  let panY: Double
  let width: Int
  let height: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    frameCount = try parameters.int("frames")
    zoom = try parameters.float("zoom")
    panX = try parameters.float("pan_x")
    panY = try parameters.float("pan_y")
    width = try parameters.int("width")
    height = try parameters.int("height")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let image = try inputs.tensor("image").toFloat32()
    guard image.rank == 4, image.shape[0] >= 1 else {
      throw StageError.invalidInput(port: "image", reason: "expected [N,H,W,C], got \(image.shape)")
    }
    let (inHeight, inWidth, channels) = (image.shape[1], image.shape[2], image.shape[3])
    // Video encoders want even sizes.
    let outWidth = max(2, (width > 0 ? width : inWidth) & ~1)
    let outHeight = max(2, (height > 0 ? height : inHeight) & ~1)
    let result = Tensor(uninitialized: [frameCount, outHeight, outWidth, channels])  // [1,H,W,C] -> [F,h,w,C]
    nonisolated(unsafe) let input = image.floats
    nonisolated(unsafe) let output = result.mutableFloats
    let frameSize = outHeight * outWidth * channels
    let (frames, zoom, panX, panY) = (frameCount, self.zoom, self.panX, self.panY)
    let chunk = 8
    for start in stride(from: 0, to: frames, by: chunk) {
      try context.checkCancellation()
      let end = min(frames, start + chunk)
      ComputePool.shared.parallelFor(end - start) { offset in
        let frame = start + offset
        let t = frames > 1 ? Double(frame) / Double(frames - 1) : 0
        let scale = 1 + (zoom - 1) * t
        // The window of the source this frame shows, in source pixels.
        let windowWidth = Double(inWidth) / scale
        let windowHeight = Double(inHeight) / scale
        let left = (Double(inWidth) - windowWidth) / 2 * (1 + panX * t)
        let top = (Double(inHeight) - windowHeight) / 2 * (1 + panY * t)
        Self.sample(input, height: inHeight, width: inWidth, channels: channels,
                    into: output + frame * frameSize, outHeight: outHeight, outWidth: outWidth,
                    window: (top, left, windowHeight, windowWidth))
      }
      context.progress(step: end, total: frames, message: "frames")
    }
    return withExtendedLifetime(image) { StageOutputs(["frames": .image(result)]) }
  }

  /// Bilinear samples of a window of one image into an outHeight×outWidth frame (edges clamped).
  static func sample(_ input: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
                     into output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
                     window: (top: Double, left: Double, height: Double, width: Double)) {
    let stepY = window.height / Double(outHeight)
    let stepX = window.width / Double(outWidth)
    for row in 0..<outHeight {
      let y = max(0, min(Double(height - 1), window.top + (Double(row) + 0.5) * stepY - 0.5))
      let y0 = Int(y)
      let y1 = min(y0 + 1, height - 1)
      let fy = Float(y - Double(y0))
      for column in 0..<outWidth {
        let x = max(0, min(Double(width - 1), window.left + (Double(column) + 0.5) * stepX - 0.5))
        let x0 = Int(x)
        let x1 = min(x0 + 1, width - 1)
        let fx = Float(x - Double(x0))
        let target = output + (row * outWidth + column) * channels
        for channel in 0..<channels {
          let a = input[(y0 * width + x0) * channels + channel]
          let b = input[(y0 * width + x1) * channels + channel]
          let c = input[(y1 * width + x0) * channels + channel]
          let d = input[(y1 * width + x1) * channels + channel]
          let top = a + (b - a) * fx
          let bottom = c + (d - c) * fx
          target[channel] = top + (bottom - top) * fy
        }
      }
    }
  }
}
