// Ports basicsr 1.4.2 `basicsr.archs.rrdbnet_arch.RRDBNet` (scale 4), the Real-ESRGAN x4plus network,
// reading its weights from the ncnn export (`realesrgan-x4plus.{param,bin}`), where convolutions
// appear in exactly the order of ``RRDBNet/keyTable(blocks:)``.
// F features (num_feat, 64), G growth channels (num_grow_ch, 32), H, W image size.
import TensorCore
import WeightIO

/// One 3×3 convolution's weights, repacked for ``conv3x3(_:_:epilogue:)``.
struct ConvWeights {
  /// Packed weight [O, I, 3, 3] and bias [O].
  let packed: Conv3x3Weights
  /// Whether the ncnn graph fuses a LeakyReLU(0.2) after it (`9=2 -23310=1,0.2`).
  let leaky: Bool

  init(weight: Tensor, bias: Tensor, leaky: Bool) {
    packed = Conv3x3Weights(weight: weight, bias: bias)
    self.leaky = leaky
  }

  /// The convolution and its fused activation: [1,I,H,W] -> [1,O,H,W].
  func callAsFunction(_ x: Tensor) -> Tensor {
    conv3x3(x, packed, epilogue: leaky ? .leaky(0.2) : .none)
  }
}

/// RRDBNet ×4: conv_first, `blocks` RRDBs of three residual dense blocks, conv_body, two
/// nearest-2× + conv stages, conv_hr, conv_last. LeakyReLU 0.2, residual scaling 0.2.
struct RRDBNet {
  let features: Int
  let growth: Int
  let convFirst: ConvWeights
  /// [block][rdb 0..<3][conv 0..<5]
  let body: [[[ConvWeights]]]
  let convBody: ConvWeights
  let convUp1: ConvWeights
  let convUp2: ConvWeights
  let convHR: ConvWeights
  let convLast: ConvWeights

  /// basicsr state-dict prefixes in ncnn convolution order, with whether LeakyReLU follows.
  static func keyTable(blocks: Int) -> [(key: String, leaky: Bool)] {
    var table: [(key: String, leaky: Bool)] = [("conv_first", false)]
    for block in 0..<blocks {
      for rdb in 1...3 {
        for conv in 1...5 { table.append(("body.\(block).rdb\(rdb).conv\(conv)", conv < 5)) }
      }
    }
    return table + [("conv_body", false), ("conv_up1", true), ("conv_up2", true), ("conv_hr", true), ("conv_last", false)]
  }

  /// Expected weight shape of `key` for `features` F and `growth` G.
  static func expectedShape(_ key: String, features: Int, growth: Int) -> [Int] {
    if key == "conv_first" { return [features, 3, 3, 3] }
    if key == "conv_last" { return [3, features, 3, 3] }
    if let last = key.last, key.hasPrefix("body."), let conv = Int(String(last)) {
      return conv == 5 ? [features, features + 4 * growth, 3, 3] : [growth, features + (conv - 1) * growth, 3, 3]
    }
    return [features, features, 3, 3]
  }

  /// Maps the ncnn convolutions of `model` onto the key table; reports every mismatch at once.
  init(model: NCNNModel, file: String) throws {
    let convs = model.graph.layers.filter { $0.type == "Convolution" }
    guard convs.count >= 21, (convs.count - 6) % 15 == 0 else {
      throw UpscaleError.architectureMismatch(
        file: file, problems: ["\(convs.count) convolutions, RRDBNet has 6 + 15 per block"])
    }
    let blocks = (convs.count - 6) / 15
    features = convs[0].int(0)
    growth = convs[1].int(0)
    var problems: [String] = []
    var weights: [ConvWeights] = []
    for ((key, leaky), layer) in zip(Self.keyTable(blocks: blocks), convs) {
      let tensors = model.tensors(of: layer.name)
      let expected = Self.expectedShape(key, features: features, growth: growth)
      let fusedLeaky = layer.int(9) == 2 && layer.array(10) == [0.2]
      if tensors.count != 2 || tensors[0].shape != expected || tensors[1].count != expected[0] {
        problems.append("\(key) (\(layer.name)) has \(tensors.first?.shape ?? []), expected \(expected) with bias")
      } else if fusedLeaky != leaky {
        problems.append("\(key) (\(layer.name)) \(leaky ? "lacks" : "has") a LeakyReLU(0.2)")
      } else {
        weights.append(ConvWeights(weight: tensors[0], bias: tensors[1], leaky: leaky))
      }
    }
    let upsamples = model.graph.layers.filter { $0.type == "Interp" }
    if upsamples.count != 2 || !upsamples.allSatisfy({ $0.int(0) == 1 && $0.float(1) == 2 && $0.float(2) == 2 }) {
      problems.append("expected two nearest ×2 Interp layers, found \(upsamples.count) Interp layers")
    }
    guard problems.isEmpty else { throw UpscaleError.architectureMismatch(file: file, problems: problems) }
    convFirst = weights[0]
    body = (0..<blocks).map { block in
      (0..<3).map { rdb in Array(weights[(1 + block * 15 + rdb * 5)..<(1 + block * 15 + rdb * 5 + 5)]) }
    }
    (convBody, convUp1, convUp2, convHR, convLast) =
      (weights[weights.count - 5], weights[weights.count - 4], weights[weights.count - 3],
       weights[weights.count - 2], weights[weights.count - 1])
  }

  /// Rows and columns of trunk features the ×4 tail processes at once (bounds its memory).
  static let tailTile = 64
  /// Trunk pixels of context a tail tile needs for exact results: conv_up1 reads ±1 pixel at 2×,
  /// conv_up2, conv_hr and conv_last ±1 each at 4×, which is under 2 trunk pixels; 3 for margin.
  static let tailContext = 3

  /// [1,3,H,W] -> [1,3,4H,4W], unclamped. The trunk runs on the whole input; the ×4 tail in tiles
  /// of ``tailTile`` trunk pixels with ``tailContext`` pixels of context, which is exact (the tail's
  /// receptive field is smaller than the context) and keeps the 64-channel ×4 tensors small.
  func callAsFunction(_ x: Tensor, tailTile: Int = tailTile) -> Tensor {
    let feature = trunk(x)  // [1,3,H,W] -> [1,F,H,W]
    let (height, width) = (x.shape[2], x.shape[3])
    if tailTile >= height && tailTile >= width { return tail(feature) }
    let output = Tensor(uninitialized: [1, 3, 4 * height, 4 * width])
    for top in stride(from: 0, to: height, by: tailTile) {
      for left in stride(from: 0, to: width, by: tailTile) {
        let (bottom, right) = (min(top + tailTile, height), min(left + tailTile, width))
        let rows = max(0, top - Self.tailContext)..<min(height, bottom + Self.tailContext)
        let columns = max(0, left - Self.tailContext)..<min(width, right + Self.tailContext)
        let region = slice(slice(feature, axis: 2, range: rows), axis: 3, range: columns)  // [1,F,h,w]
        let upscaled = tail(region)  // [1,F,h,w] -> [1,3,4h,4w]
        copyRegion(upscaled, fromRow: 4 * (top - rows.lowerBound), column: 4 * (left - columns.lowerBound),
                   into: output, row: 4 * top, column: 4 * left, height: 4 * (bottom - top), width: 4 * (right - left))
      }
    }
    return output
  }

  /// conv_first, the RRDB body and conv_body with the long skip: [1,3,H,W] -> [1,F,H,W].
  func trunk(_ x: Tensor) -> Tensor {
    let (height, width) = (x.shape[2], x.shape[3])
    let input = PaddedPlanes(x)  // [1,3,H,W]
    // The dense blocks' inputs are channel prefixes of one slab: x, then x1…x4 written behind it.
    let slab = PaddedPlanes(channels: features + 4 * growth, height: height, width: width)
    let feat = PaddedPlanes(channels: features, height: height, width: width)
    let blockInput = PaddedPlanes(channels: features, height: height, width: width)
    let x5 = PaddedPlanes(channels: features, height: height, width: width)
    let trunkFloats = features * slab.planeStride
    conv3x3(input, channels: 3, convFirst.packed, epilogue: .none, into: feat, at: 0)  // [1,3,H,W] -> [1,F,H,W]
    slab.base.update(from: feat.base, count: trunkFloats)
    for block in body {
      blockInput.base.update(from: slab.base, count: trunkFloats)
      for rdb in block {
        for index in 0..<4 {
          let channels = features + index * growth
          // [1,F+iG,H,W] -> slab channels F+iG..<F+(i+1)G
          conv3x3(slab, channels: channels, rdb[index].packed, epilogue: .leaky(0.2), into: slab, at: channels)
        }
        conv3x3(slab, channels: features + 4 * growth, rdb[4].packed, epilogue: .none, into: x5, at: 0)  // [1,F+4G,H,W] -> [1,F,H,W]
        scaledResidual(x5.base, scale: 0.2, slab.base, slab.base, count: trunkFloats)
      }
      scaledResidual(slab.base, scale: 0.2, blockInput.base, slab.base, count: trunkFloats)
    }
    conv3x3(slab, channels: features, convBody.packed, epilogue: .none, into: x5, at: 0)
    scaledResidual(x5.base, scale: 1, feat.base, x5.base, count: trunkFloats)
    return x5.tensor(channels: 0..<features)  // [1,F,H,W]
  }

  /// Two nearest ×2 + conv stages, conv_hr, conv_last: [1,F,H,W] -> [1,3,4H,4W].
  func tail(_ feature: Tensor) -> Tensor {
    let up1 = convUp1(upsampleNearest2x(feature))  // [1,F,H,W] -> [1,F,2H,2W]
    let up2 = convUp2(upsampleNearest2x(up1))  // [1,F,2H,2W] -> [1,F,4H,4W]
    return convLast(convHR(up2))  // [1,F,4H,4W] -> [1,3,4H,4W]
  }
}
