// Ports Real-ESRGAN 0.3.0 `realesrgan.archs.srvgg_arch.SRVGGNetCompact` (act_type "prelu"), the
// realesr-animevideov3 network, from its ncnn export. The ncnn graphs of the x2 and x3 variants are
// the x4 network with the same weights followed by a bicubic Interp (scale 0.5 / 0.75).
// F features (64), S network scale (4), H, W image size.
import TensorCore
import WeightIO

/// SRVGGNetCompact: conv + PReLU, `num_conv` × (conv + PReLU), conv to 3·S² channels, pixel shuffle,
/// plus the nearest-upsampled input; optionally a bicubic resize by `resize` afterwards.
struct SRVGGNetCompact {
  /// Convolutions in order: body.0, body.2, …, body.(2·num_conv+2) in the PyTorch module list.
  let convs: [ConvWeights]
  /// PReLU slopes [F] after every convolution but the last: body.1, body.3, …
  let slopes: [Tensor]
  /// Scale of the network itself (pixel shuffle factor).
  let networkScale: Int
  /// Bicubic factor applied after the network (0.5 for x2, 0.75 for x3), nil for x4.
  let resize: Float?

  /// The scale of the whole graph: 4, or 4 · resize.
  var scale: Int { resize.map { Int(($0 * Float(networkScale)).rounded()) } ?? networkScale }

  /// Maps the ncnn layers of `model`; reports every mismatch at once.
  init(model: NCNNModel, file: String) throws {
    var problems: [String] = []
    var convs: [ConvWeights] = []
    var slopes: [Tensor] = []
    let weighted = model.graph.layers.filter { $0.type == "Convolution" || $0.type == "PReLU" }
    for (index, layer) in weighted.enumerated() {
      let expectedType = index == weighted.count - 1 || index % 2 == 0 ? "Convolution" : "PReLU"
      let tensors = model.tensors(of: layer.name)
      guard layer.type == expectedType else {
        problems.append("body.\(index) is \(layer.type) (\(layer.name)), expected \(expectedType)")
        continue
      }
      if layer.type == "PReLU" {
        slopes.append(tensors[0])
      } else if tensors.count == 2, tensors[0].rank == 4, tensors[0].shape[2] == 3, tensors[0].shape[3] == 3,
                layer.int(9) == 0 {
        convs.append(ConvWeights(weight: tensors[0], bias: tensors[1], leaky: false))
      } else {
        problems.append("body.\(index) (\(layer.name)) is not a plain 3×3 convolution with bias")
      }
    }
    let outChannels = convs.last?.packed.outChannels ?? 0
    let shuffle = Int(Double(outChannels / 3).squareRoot().rounded())
    if convs.count < 2 || shuffle * shuffle * 3 != outChannels || (shuffle != 2 && shuffle != 4) {
      problems.append("last convolution has \(outChannels) outputs, not 3·S² for S = 2 or 4")
    }
    if convs.first?.packed.inChannels != 3 { problems.append("first convolution does not take 3 channels") }
    for (index, slope) in slopes.enumerated() where slope.count != convs[index].packed.outChannels {
      problems.append("PReLU body.\(2 * index + 1) has \(slope.count) slopes for \(convs[index].packed.outChannels) channels")
    }
    let shuffles = model.graph.layers.filter { $0.type == "PixelShuffle" }
    if shuffles.count != 1 || shuffles[0].int(0) != shuffle { problems.append("expected one PixelShuffle ×\(shuffle)") }
    let interps = model.graph.layers.filter { $0.type == "Interp" }
    let nearest = interps.filter { $0.int(0) == 1 }
    let bicubic = interps.filter { $0.int(0) == 3 }
    if nearest.count != 1 || nearest[0].float(1) != Float(shuffle) { problems.append("expected one nearest ×\(shuffle) Interp of the input") }
    if bicubic.count > 1 || interps.count != nearest.count + bicubic.count { problems.append("unexpected Interp layers") }
    guard problems.isEmpty else { throw UpscaleError.architectureMismatch(file: file, problems: problems) }
    self.convs = convs
    self.slopes = slopes
    networkScale = shuffle
    resize = bicubic.first.map { $0.float(1) }
  }

  /// [1,3,H,W] -> [1,3,sH,sW] with s = ``scale``, unclamped.
  func callAsFunction(_ x: Tensor) -> Tensor {
    var feature = x
    for (index, conv) in convs.enumerated() {
      feature = conv(feature)  // [1,C,H,W] -> [1,F,H,W] (last: [1,3·S²,H,W])
      if index < slopes.count { feature = prelu(feature, slopes: slopes[index]) }
    }
    var output = pixelShuffle(feature, upscale: networkScale)  // [1,3·S²,H,W] -> [1,3,SH,SW]
    var base = upsampleNearest2x(x)  // [1,3,H,W] -> [1,3,2H,2W]
    if networkScale == 4 { base = upsampleNearest2x(base) }  // -> [1,3,4H,4W]
    output = add(output, base)  // [1,3,SH,SW]
    guard let resize else { return output }
    let height = Int(Float(output.shape[2]) * resize)
    let width = Int(Float(output.shape[3]) * resize)
    return resizeBicubic(output, height: height, width: width)  // [1,3,SH,SW] -> [1,3,sH,sW]
  }
}
