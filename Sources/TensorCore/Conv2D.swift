// 2-D convolution (NCHW) as one GEMM per image and group: out[O, OH*OW] = W[O, C*KH*KW] x im2col(x).
// N batch, C input channels, O output channels, G groups, H, W input size, KH, KW kernel size,
// OH, OW output size. A 1×1 stride-1 unpadded convolution reads x directly as B [C, H*W].

/// Convolution of `x` [N, C, H, W] (f32) with `weight` [O, C/groups, KH, KW] (f32, f16 or bf16) and
/// optional `bias` [O], zero `padding` on every side. Returns [N, O, OH, OW] with
/// OH = (H + 2·padding − KH) / stride + 1 (likewise OW).
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, groups: Int = 1) -> Tensor {
  let g = Conv2DGeometry(x, weight: weight.shape, dtype: weight.dtype, bias: bias, stride: stride, padding: padding,
                         groups: groups)
  if let tile = g.winogradTile(stride: stride, padding: padding, groups: groups) {
    return conv2dWinograd(x, weight: weight, bias: bias, tile: tile)
  }
  let weightBase = UnsafeRawPointer(weight.rawPointer)
  let groupBytes = g.groupOutChannels * g.groupK * weight.dtype.byteSize
  return withExtendedLifetime(weight) {
    conv2dGEMM(x, g, bias: bias, stride: stride, padding: padding, groups: groups) { group in
      GEMMMatrix(base: weightBase + group * groupBytes, dtype: weight.dtype, rowStride: g.groupK, columnStride: 1)
    }
  }
}

/// ``conv2d(_:weight:bias:stride:padding:groups:)`` with weights laid out beforehand (`ConvWeights`,
/// their groups the convolution's): the same result bit for bit.
public func conv2d(_ x: Tensor, weights: ConvWeights, bias: Tensor?, stride: Int = 1, padding: Int = 0) -> Tensor {
  let g = Conv2DGeometry(x, weight: weights.shape, dtype: weights.dtype, bias: bias, stride: stride, padding: padding,
                         groups: weights.groups)
  if let tile = g.winogradTile(stride: stride, padding: padding, groups: weights.groups) {
    return withExtendedLifetime(weights) {
      conv2dWinograd(x, weight: weights.panels[0].matrix, outputs: g.outChannels, bias: bias, tile: tile)
    }
  }
  return withExtendedLifetime(weights) {
    conv2dGEMM(x, g, bias: bias, stride: stride, padding: padding, groups: weights.groups) { weights.panels[$0].matrix }
  }
}

/// The GEMM path of `conv2d`: one product per image and group, A = `groupWeights(group)`
/// [O/G, C/G·KH·KW] (kept alive by the caller).
private func conv2dGEMM(
  _ x: Tensor, _ g: Conv2DGeometry, bias: Tensor?, stride: Int, padding: Int, groups: Int,
  groupWeights: (Int) -> GEMMMatrix
) -> Tensor {
  let result = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])  // [N,C,H,W] -> [N,O,OH,OW]
  let biasValues = bias?.toFloat32()
  // A padded convolution reads a zero-bordered copy of x, so that every im2col run is a plain copy.
  let (height, width) = (g.height + 2 * padding, g.width + 2 * padding)
  let inPlane = height * width
  let bordered = padding > 0 ? zeroBorderedPlanes(x, border: padding, rowStride: width, planeStride: inPlane) : x.storage
  let input = padding > 0 ? UnsafePointer(bordered.base.assumingMemoryBound(to: Float.self)) : x.floats
  let output = result.mutableFloats
  let outPlane = g.outHeight * g.outWidth
  let pointwise = g.kernelHeight == 1 && g.kernelWidth == 1 && stride == 1 && padding == 0
  func image(_ item: Int) -> Im2colImage {
    let (image, group) = (item / groups, item % groups)
    return Im2colImage(base: input + (image * g.inChannels + group * g.groupInChannels) * inPlane, height: height,
                       width: width, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, stride: stride,
                       outputHeight: g.outHeight, outputWidth: g.outWidth)
  }
  let items = g.batch * groups
  let im2col = pointwise || !Im2colPanels.pays(items: items, k: g.groupK, n: outPlane)
    ? nil : Im2colPanels(items: items, k: g.groupK, n: outPlane, image: image)
  withExtendedLifetime((biasValues, bordered, im2col)) {
    let biasPointer = biasValues?.floats
    gemmBatched(items) { item in
      let group = item % groups
      let source: GEMMSourceB
      if let im2col {
        source = .packed(im2col.panels(item), rows: g.groupK)
      } else if pointwise {
        source = .matrix(GEMMMatrix(base: UnsafeRawPointer(image(item).base), dtype: .f32, rowStride: inPlane, columnStride: 1))
      } else {
        source = .image(image(item))
      }
      return GEMMProblem(
        m: g.groupOutChannels, n: outPlane, k: g.groupK, a: groupWeights(group), b: source,
        c: output + ((item / groups) * g.outChannels + group * g.groupOutChannels) * outPlane, ldc: outPlane,
        rowBias: biasPointer.map { $0 + group * g.groupOutChannels })
    }
  }
  return withExtendedLifetime(x) { result }
}

/// The scalar twin of ``conv2d(_:weight:bias:stride:padding:groups:)``: direct loops.
public func conv2dReference(
  _ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, groups: Int = 1
) -> Tensor {
  let g = Conv2DGeometry(x, weight: weight.shape, dtype: weight.dtype, bias: bias, stride: stride, padding: padding,
                         groups: groups)
  let xValues = x.scalars
  let wValues = weight.scalars
  let bValues = bias?.scalars
  var output = [Float](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
  for n in 0..<g.batch {
    for o in 0..<g.outChannels {
      let group = o / g.groupOutChannels
      for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
          var sum: Float = bValues?[o] ?? 0
          for c in 0..<g.groupInChannels {
            let channel = group * g.groupInChannels + c
            for kh in 0..<g.kernelHeight {
              let ih = oh * stride - padding + kh
              if ih < 0 || ih >= g.height { continue }
              for kw in 0..<g.kernelWidth {
                let iw = ow * stride - padding + kw
                if iw < 0 || iw >= g.width { continue }
                let xIndex = ((n * g.inChannels + channel) * g.height + ih) * g.width + iw
                let wIndex = ((o * g.groupInChannels + c) * g.kernelHeight + kh) * g.kernelWidth + kw
                sum += xValues[xIndex] * wValues[wIndex]
              }
            }
          }
          output[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow] = sum
        }
      }
    }
  }
  return Tensor(output, shape: [g.batch, g.outChannels, g.outHeight, g.outWidth])
}

/// Sizes of one convolution, checked.
private struct Conv2DGeometry {
  var batch, inChannels, height, width: Int
  var outChannels, groupInChannels, groupOutChannels, kernelHeight, kernelWidth: Int
  var outHeight, outWidth: Int
  /// Each group's GEMM K: C/G·KH·KW.
  var groupK: Int { groupInChannels * kernelHeight * kernelWidth }

  /// The Winograd tile this convolution runs with, if any.
  func winogradTile(stride: Int, padding: Int, groups: Int) -> WinogradTile? {
    conv2dWinogradTile(inChannels: inChannels, outChannels: outChannels, height: height, width: width,
                       kernel: (kernelHeight, kernelWidth), stride: stride, padding: padding, groups: groups)
  }

  init(_ x: Tensor, weight: [Int], dtype: DType, bias: Tensor?, stride: Int, padding: Int, groups: Int) {
    precondition(x.rank == 4 && weight.count == 4, "conv2d: x \(x.shape) and weight \(weight) must be 4-D")
    precondition(x.dtype == .f32 && dtype.isFloatingPoint, "conv2d: x f32, weight f32/f16/bf16")
    precondition(stride >= 1 && padding >= 0 && groups >= 1, "conv2d: stride \(stride), padding \(padding), groups \(groups)")
    (batch, inChannels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    (outChannels, groupInChannels, kernelHeight, kernelWidth) = (weight[0], weight[1], weight[2], weight[3])
    precondition(inChannels % groups == 0 && outChannels % groups == 0 && inChannels / groups == groupInChannels,
                 "conv2d: x \(x.shape), weight \(weight) and groups \(groups) disagree")
    if let bias { precondition(bias.count == outChannels, "conv2d: bias \(bias.shape) for \(outChannels) channels") }
    groupOutChannels = outChannels / groups
    outHeight = (height + 2 * padding - kernelHeight) / stride + 1
    outWidth = (width + 2 * padding - kernelWidth) / stride + 1
    precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                 "conv2d: kernel \(kernelHeight)x\(kernelWidth) larger than padded input \(x.shape)")
  }
}
