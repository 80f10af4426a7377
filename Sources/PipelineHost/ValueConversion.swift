// Between MediaIO's 8-bit rasters and the f32 [N,H,W,C] 0…1 image tensors stages exchange.
import EaselPluginSDK
import MediaIO
import TensorCore

/// Image and audio conversions for the host's inputs and sinks.
public enum ValueConversion {
  /// An 8-bit raster as an image tensor `[1,H,W,C]` in 0…1.
  public static func tensor(from image: RasterImage) -> Tensor {
    let tensor = Tensor(uninitialized: [1, image.height, image.width, image.channels])  // [1,H,W,C]
    let output = tensor.mutableFloats
    image.pixels.withUnsafeBufferPointer { pixels in
      for index in 0..<pixels.count { output[index] = Float(pixels[index]) / 255 }
    }
    return tensor
  }

  /// Image `n` of an image tensor `[N,H,W,C]` as an 8-bit raster (values clamped to 0…1, rounded).
  public static func raster(from tensor: Tensor, image n: Int) -> RasterImage {
    precondition(tensor.rank == 4 && n < tensor.shape[0], "raster(from:) needs [N,H,W,C], got \(tensor.shape)")
    let (height, width, channels) = (tensor.shape[1], tensor.shape[2], tensor.shape[3])
    let size = height * width * channels
    let source = tensor.toFloat32().floats + n * size
    var pixels = [UInt8](repeating: 0, count: size)
    for index in 0..<size {
      let value = source[index]
      pixels[index] = value.isNaN ? 0 : UInt8((min(max(value, 0), 1) * 255).rounded())
    }
    return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
  }

  /// Planar audio `[C,S]` as interleaved samples.
  public static func interleaved(_ tensor: Tensor) -> [Float] {
    precondition(tensor.rank == 2, "audio is [C,S], got \(tensor.shape)")
    let (channels, samples) = (tensor.shape[0], tensor.shape[1])
    let source = tensor.toFloat32().floats
    var result = [Float](repeating: 0, count: channels * samples)
    for channel in 0..<channels {
      for sample in 0..<samples { result[sample * channels + channel] = source[channel * samples + sample] }
    }
    return result
  }
}
