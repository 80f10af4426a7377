// Public lane-wise unary ops and activations. Any float input dtype is widened to f32 first; the
// output is a new f32 tensor of the same shape.
//
// N batch, C channels, H height, W width.

/// Elements per parallel task of a flat lane-wise op: big enough that waking a thread pays.
let flatBlock = 16_384

/// y = kind(x) over all elements, split into blocks over threads.
func mapElements(_ x: Tensor, _ kind: UnaryOpKind) -> Tensor {
  let input = x.toFloat32()
  let result = Tensor(uninitialized: input.shape)
  let count = input.count
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk((count + flatBlock - 1) / flatBlock, work: flatBlock) { blocks in
    let start = blocks.lowerBound * flatBlock
    let end = Swift.min(blocks.upperBound * flatBlock, count)
    unaryRow(kind, source + start, destination + start, end - start)
  }
  return withExtendedLifetime(input) { result }
}

/// e^x element-wise.
public func exp(_ a: Tensor) -> Tensor { mapElements(a, .exp) }
/// Natural logarithm element-wise.
public func log(_ a: Tensor) -> Tensor { mapElements(a, .log) }
/// Square root element-wise.
public func sqrt(_ a: Tensor) -> Tensor { mapElements(a, .sqrt) }
/// 1/√x element-wise.
public func rsqrt(_ a: Tensor) -> Tensor { mapElements(a, .rsqrt) }
/// Hyperbolic tangent element-wise.
public func tanh(_ a: Tensor) -> Tensor { mapElements(a, .tanh) }
/// |x| element-wise.
public func abs(_ a: Tensor) -> Tensor { mapElements(a, .abs) }
/// max(x, 0) element-wise.
public func relu(_ a: Tensor) -> Tensor { mapElements(a, .relu) }
/// 1 / (1 + e^−x) element-wise.
public func sigmoid(_ a: Tensor) -> Tensor { mapElements(a, .sigmoid) }
/// x · sigmoid(x) (also called swish) element-wise.
public func silu(_ a: Tensor) -> Tensor { mapElements(a, .silu) }
/// Exact GELU, x/2 · (1 + erf(x/√2)): torch's `F.gelu` default. Within 1e-6 of it.
public func gelu(_ a: Tensor) -> Tensor { mapElements(a, .gelu) }
/// The tanh approximation of GELU: torch's `F.gelu(x, approximate="tanh")`.
public func geluTanh(_ a: Tensor) -> Tensor { mapElements(a, .geluTanh) }
/// x · sigmoid(1.702 x), the activation of OpenAI CLIP (`quick_gelu`).
public func quickGELU(_ a: Tensor) -> Tensor { mapElements(a, .quickGELU) }
/// x for x ≥ 0, slope · x below.
public func leakyReLU(_ a: Tensor, slope: Float) -> Tensor { mapElements(a, .leakyReLU(slope: slope)) }

/// Every element limited to `min...max` (NaN passes through).
public func clamp(_ a: Tensor, min: Float, max: Float) -> Tensor {
  precondition(min <= max, "clamp bounds \(min) > \(max)")
  return mapElements(a, .clamp(min: min, max: max))
}

/// Parametric ReLU as `torch.nn.PReLU`: x for x ≥ 0, slope[c] · x below, c the channel (axis 1).
///
/// `x` is `[N, C, ...]` (or `[N, C]`); `slopes` has C elements or a single one shared by all channels.
public func prelu(_ x: Tensor, slopes: Tensor) -> Tensor {
  let input = x.toFloat32()
  let slopeValues = slopes.toFloat32()
  precondition(input.rank >= 2 || slopeValues.count == 1, "prelu needs [N, C, ...], got \(input.shape)")
  let channels = input.rank >= 2 ? input.shape[1] : 1
  precondition(slopeValues.count == 1 || slopeValues.count == channels,
               "prelu has \(slopeValues.count) slopes for \(channels) channels")
  let plane = input.rank >= 2 ? input.shape.dropFirst(2).reduce(1, *) : input.count
  let planes = input.count / Swift.max(plane, 1)
  let result = Tensor(uninitialized: input.shape)
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  nonisolated(unsafe) let slope = slopeValues.floats
  let shared = slopeValues.count == 1
  // [N, C, plane]: one slope per (n, c) plane.
  forEachChunk(planes, work: plane) { range in
    for index in range {
      let value = shared ? slope[0] : slope[index % channels]
      let offset = index * plane
      unaryRow(LeakyReLUOp(slope: value), source + offset, destination + offset, plane)
    }
  }
  return withExtendedLifetime((input, slopeValues)) { result }
}
