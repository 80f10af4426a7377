// Real-ESRGAN inference as Real-ESRGAN 0.3.0's `RealESRGANer` and realesrgan-ncnn-vulkan do it:
// reflect pre-padding, overlapping tiles, grey and alpha through the RGB network, clamped output.
// N images, H, W input size, C channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), s scale.
import Foundation
import TensorCore
import WeightIO

/// A Real-ESRGAN upsampler loaded from ncnn files.
///
/// Easel reflect-pads the whole image by ``prePad`` pixels (10, as realesrgan-ncnn-vulkan and
/// `RealESRGANer(pre_pad=10)` do) and crops after the network. Images larger than the tile size run
/// in tiles of that many input pixels that each see ``defaultTileOverlap`` more pixels of context on
/// every side (approximate near tile seams, as in Real-ESRGAN). Inside one tile, RRDBNet runs its
/// ×4 tail in small exact sub-tiles, so memory stays bounded without seams. Grey images
/// go through the network replicated to RGB and come back as BT.601 luma; an alpha channel is
/// upscaled the same way, through the network (Real-ESRGAN's default `alpha_upsampler`).
public final class RealESRGANUpscaler: @unchecked Sendable {
  /// The models `scripts/setup-models.sh` installs.
  public static let modelNames = [
    "realesrgan-x4plus", "realesrgan-x4plus-anime",
    "realesr-animevideov3-x2", "realesr-animevideov3-x3", "realesr-animevideov3-x4",
  ]
  /// Input tile side when the caller does not choose one.
  public static let defaultTileSize = 512
  /// Context pixels each tile sees beyond its core on every side (at least ``prePad``).
  public static let defaultTileOverlap = 32
  /// Reflect padding around the whole image before the network.
  public static let prePad = 10

  private enum Network {
    case rrdb(RRDBNet)
    case srvgg(SRVGGNetCompact)
  }

  /// The model name (file stem).
  public let name: String
  /// Output size / input size: 2, 3 or 4.
  public let scale: Int
  private let network: Network

  /// Loads `<modelDirectory>/<name>.param` and `.bin`; SRVGGNetCompact when the graph has PReLU
  /// layers, RRDBNet otherwise.
  public convenience init(modelDirectory: URL, name: String) throws {
    let param = modelDirectory.appendingPathComponent(name + ".param")
    let bin = modelDirectory.appendingPathComponent(name + ".bin")
    guard FileManager.default.fileExists(atPath: param.path), FileManager.default.fileExists(atPath: bin.path) else {
      throw UpscaleError.modelFilesMissing(directory: modelDirectory.path, name: name)
    }
    try self.init(paramURL: param, binURL: bin, name: name)
  }

  /// Loads a model from an explicit `.param` / `.bin` pair (the x2/x3 graphs share the x4 weights).
  public init(paramURL: URL, binURL: URL, name: String) throws {
    let model = try NCNNModel(paramURL: paramURL, binURL: binURL)
    self.name = name
    if model.graph.layers.contains(where: { $0.type == "PReLU" }) {
      let net = try SRVGGNetCompact(model: model, file: paramURL.path)
      network = .srvgg(net)
      scale = net.scale
    } else {
      network = .rrdb(try RRDBNet(model: model, file: paramURL.path))
      scale = 4
    }
  }

  /// Upscales `image` [N, H, W, C] (f32, 0…1) to [N, sH, sW, C], clamped to 0…1.
  ///
  /// `tileSize` 0 runs each image whole. `progress` gets the finished fraction after every tile and
  /// may throw to stop (cancellation).
  public func upscale(_ image: Tensor, tileSize: Int = defaultTileSize, tileOverlap: Int = defaultTileOverlap,
                      progress: ((Double) throws -> Void)? = nil) throws -> Tensor {
    guard image.rank == 4, (1...4).contains(image.shape[3]) else {
      throw UpscaleError.unsupportedChannels(count: image.rank == 4 ? image.shape[3] : 0, shape: image.shape)
    }
    guard tileSize >= 0, tileOverlap >= 0 else { throw UpscaleError.badTileSize(min(tileSize, tileOverlap)) }
    let input = image.toFloat32()
    let (count, height, width, channels) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let result = Tensor(uninitialized: [count, height * scale, width * scale, channels])  // [N,H,W,C] -> [N,sH,sW,C]
    let passes = channels % 2 == 0 ? 2 : 1  // colour, then alpha
    var done = 0
    let tiles = tileCount(height: height, width: width, tileSize: tileSize) * passes * count
    for item in 0..<count {
      let pixels = input.slice(outer: item..<(item + 1))
      let output = result.slice(outer: item..<(item + 1))
      for pass in 0..<passes {
        let colour = pass == 0 ? (channels >= 3 ? [0, 1, 2] : [0, 0, 0]) : [channels - 1, channels - 1, channels - 1]
        let planes = planarRGB(pixels, channels: colour)  // [1,H,W,C] -> [1,3,H,W]
        let upscaled = try run(planes, tileSize: tileSize, overlap: tileOverlap) {
          done += 1
          try progress?(Double(done) / Double(tiles))
        }  // [1,3,H,W] -> [1,3,sH,sW]
        let targets = pass == 1 ? [channels - 1] : channels >= 3 ? [0, 1, 2] : [0]
        storeInterleaved(upscaled, into: output, channels: targets, luma: targets.count == 1)
      }
    }
    return result
  }

  private func tileCount(height: Int, width: Int, tileSize: Int) -> Int {
    guard tileSize > 0 else { return 1 }
    return ((height + tileSize - 1) / tileSize) * ((width + tileSize - 1) / tileSize)
  }

  /// The network on one planar RGB image, pre-padded and tiled: [1,3,H,W] -> [1,3,sH,sW], unclamped.
  func run(_ planes: Tensor, tileSize: Int, overlap: Int, tileDone: () throws -> Void) throws -> Tensor {
    let (height, width) = (planes.shape[2], planes.shape[3])
    let padding = max(0, min(Self.prePad, height - 1, width - 1))
    let padded = pad(planes, top: padding, bottom: padding, left: padding, right: padding, mode: .reflect)
    let (paddedHeight, paddedWidth) = (padded.shape[2], padded.shape[3])  // [1,3,H+2p,W+2p]
    let tile = tileSize == 0 ? max(height, width) : tileSize
    let context = max(overlap, padding)  // a tile always sees the pre-padding: one tile = the whole image
    let output = Tensor(uninitialized: [1, 3, height * scale, width * scale])
    for top in stride(from: 0, to: height, by: tile) {
      for left in stride(from: 0, to: width, by: tile) {
        let (bottom, right) = (min(top + tile, height), min(left + tile, width))
        // The core plus up to `overlap` context pixels, in padded coordinates.
        let rows = max(0, top + padding - context)..<min(paddedHeight, bottom + padding + context)
        let columns = max(0, left + padding - context)..<min(paddedWidth, right + padding + context)
        let whole = rows.count == paddedHeight && columns.count == paddedWidth
        let region = whole ? padded : slice(slice(padded, axis: 2, range: rows), axis: 3, range: columns)
        let upscaled = forward(region)  // [1,3,h,w] -> [1,3,sh,sw]
        copyRegion(upscaled, fromRow: (top + padding - rows.lowerBound) * scale,
                   column: (left + padding - columns.lowerBound) * scale,
                   into: output, row: top * scale, column: left * scale,
                   height: (bottom - top) * scale, width: (right - left) * scale)
        try tileDone()
      }
    }
    return output
  }

  /// The bare network: [1,3,h,w] -> [1,3,sh,sw].
  func forward(_ x: Tensor) -> Tensor {
    switch network {
    case let .rrdb(net): net(x)
    case let .srvgg(net): net(x)
    }
  }
}

/// Copies a height × width window of every channel of `source` into `destination` (both [1,C,·,·]).
func copyRegion(_ source: Tensor, fromRow: Int, column: Int, into destination: Tensor, row: Int, column toColumn: Int,
                        height: Int, width: Int) {
  let (channels, sourceHeight, sourceWidth) = (source.shape[1], source.shape[2], source.shape[3])
  let (targetHeight, targetWidth) = (destination.shape[2], destination.shape[3])
  let from = source.floats
  let to = destination.mutableFloats
  for channel in 0..<channels {
    for line in 0..<height {
      (to + (channel * targetHeight + row + line) * targetWidth + toColumn)
        .update(from: from + (channel * sourceHeight + fromRow + line) * sourceWidth + column, count: width)
    }
  }
}

/// Channels `channels` (three indices) of an interleaved [1,H,W,C] image as planes [1,3,H,W].
private func planarRGB(_ pixels: Tensor, channels: [Int]) -> Tensor {
  let (height, width, stride) = (pixels.shape[1], pixels.shape[2], pixels.shape[3])
  let result = Tensor(uninitialized: [1, 3, height, width])  // [1,H,W,C] -> [1,3,H,W]
  let source = pixels.floats
  let target = result.mutableFloats
  let plane = height * width
  for (output, channel) in channels.enumerated() {
    for index in 0..<plane { target[output * plane + index] = source[index * stride + channel] }
  }
  return result
}

/// Writes clamped planes [1,3,H,W] into channels `channels` of interleaved [1,H,W,C]; with `luma`, the
/// one target channel gets 0.299 R + 0.587 G + 0.114 B (OpenCV's RGB2GRAY, as Real-ESRGAN converts back).
private func storeInterleaved(_ planes: Tensor, into pixels: Tensor, channels: [Int], luma: Bool) {
  let (height, width, stride) = (pixels.shape[1], pixels.shape[2], pixels.shape[3])
  let source = planes.floats
  let target = pixels.mutableFloats
  let plane = height * width
  for index in 0..<plane {
    let (red, green, blue) = (source[index], source[plane + index], source[2 * plane + index])
    if luma {
      target[index * stride + channels[0]] = min(max(0.299 * red + 0.587 * green + 0.114 * blue, 0), 1)
    } else {
      target[index * stride + channels[0]] = min(max(red, 0), 1)
      target[index * stride + channels[1]] = min(max(green, 0), 1)
      target[index * stride + channels[2]] = min(max(blue, 0), 1)
    }
  }
}
