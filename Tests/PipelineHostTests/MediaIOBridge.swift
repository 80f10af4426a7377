// Writing and reading test media through MediaIO.
import MediaIO
import PipelineHost
import TensorCore

enum MediaIOBridge {
  static func writePNG(_ tensor: Tensor, to path: String) throws {
    try PNGFile.write(ValueConversion.raster(from: tensor, image: 0), to: path, text: [:])
  }
}
