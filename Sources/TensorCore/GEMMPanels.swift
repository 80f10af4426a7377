// Weights laid out once, at load, in the SGEMM's packed order: packing a K block of them is then
// one contiguous widening pass, where a row-major weight is a gather over MR (or NR) rows a whole K
// apart (at the Karlo decoder's 8×8 convolutions, 11520 f16 apart: a TLB entry and a cache miss per
// row and block, which made `gemmPackA` a fifth of those convolutions' time).
// M rows of A (a convolution's output channels), N columns of B (a linear layer's outputs), K the
// reduction; MR = gemmMR, NR = gemmNR; W the panel width (MR for A, NR for B).

/// A matrix of `rows` rows of `depth` elements stored as ⌈rows/W⌉ panels of [depth][W] elements of
/// `dtype` (rows past the last are zero): an A operand [M, K] (W = MR) or the transpose of a B
/// operand, [N, K] (W = NR; nn.Linear's weight).
public struct GEMMPanels: @unchecked Sendable {
  /// M (or N).
  public let rows: Int
  /// K.
  public let depth: Int
  /// W: gemmMR or gemmNR.
  public let width: Int
  /// Element type as stored (f32, f16 or bf16; widened while the GEMM packs a K block).
  public let dtype: DType
  /// [⌈rows/W⌉][K][W]
  let storage: TensorStorage

  /// Lays out `matrix` (rows of `depth` contiguous elements, `rowStride` elements apart).
  init(_ matrix: UnsafeRawPointer, rows: Int, depth: Int, rowStride: Int, dtype: DType, width: Int = gemmMR) {
    precondition(dtype.isFloatingPoint, "GEMMPanels: \(dtype) is not f32, f16 or bf16")
    (self.rows, self.depth, self.dtype, self.width) = (rows, depth, dtype, width)
    let panels = (rows + width - 1) / width
    let size = dtype.byteSize
    // A panels get 64 bytes of slack: a 16-lane load of an MR-wide panel row may read past the last
    // (the Winograd kernel transform does, and discards those lanes).
    storage = TensorStorage(uninitializedByteCount: panels * depth * width * size + (width == gemmMR ? 64 : 0),
                            hugePages: false)
    let target = storage.base
    if rows % width != 0 {  // the last panel's rows past the matrix
      (target + (panels - 1) * depth * width * size).initializeMemory(as: UInt8.self, repeating: 0,
                                                                     count: depth * width * size)
    }
    /// [K] of row r -> column r of its panel's [K][W], 64 k at a time for all the panel's rows (the
    /// [64][W] target block stays in L1 while it fills).
    func layOut<Element>(_: Element.Type) {
      forEachChunk(panels, work: depth * width) { range in
        for panel in range {
          let source = (matrix + panel * width * rowStride * size).assumingMemoryBound(to: Element.self)
          let destination = (target + panel * depth * width * size).assumingMemoryBound(to: Element.self)
          for first in stride(from: 0, to: depth, by: 64) {
            for r in 0..<min(width, rows - panel * width) {
              for k in first..<min(depth, first + 64) { destination[k * width + r] = source[r * rowStride + k] }
            }
          }
        }
      }
    }
    if size == 2 { layOut(UInt16.self) } else { layOut(UInt32.self) }
  }

  /// The matrix as a GEMM operand: A [M, K] when W = MR, B [K, N] (the transpose) when W = NR.
  var matrix: GEMMMatrix {
    GEMMMatrix(base: UnsafeRawPointer(storage.base), dtype: dtype, rowStride: depth, columnStride: 1, panelDepth: depth)
  }
}

/// Packs rows `rows` x columns `columns` (the K range) of a panel-laid-out A (rows starting at a
/// panel) into the packed-A block: each panel's kc × MR elements are contiguous, so this is a
/// straight widening copy.
func gemmPackAFromPanels(_ a: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  precondition(rows.lowerBound % gemmMR == 0, "gemmPackAFromPanels: rows \(rows) do not start at a panel")
  gemmWidenPanels(a, panels: rows.lowerBound / gemmMR..<(rows.upperBound + gemmMR - 1) / gemmMR, width: gemmMR,
                  depth: columns, into: packed)
}

/// The same for a panel-laid-out B: rows `rows` (the K range) x columns `columns` (starting at a panel).
func gemmPackBFromPanels(_ b: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  precondition(columns.lowerBound % gemmNR == 0, "gemmPackBFromPanels: columns \(columns) do not start at a panel")
  gemmWidenPanels(b, panels: columns.lowerBound / gemmNR..<(columns.upperBound + gemmNR - 1) / gemmNR, width: gemmNR,
                  depth: rows, into: packed)
}

/// Widens K range `depth` of each of `panels` (of width W) of `matrix` into consecutive packed panels.
private func gemmWidenPanels(
  _ matrix: GEMMMatrix, panels: Range<Int>, width: Int, depth: Range<Int>, into packed: UnsafeMutablePointer<Float>
) {
  let size = matrix.dtype.byteSize
  let count = depth.count * width
  var target = packed
  for panel in panels {
    let source = matrix.base + (panel * matrix.panelDepth + depth.lowerBound) * width * size
    var index = 0
    while index + 16 <= count {
      UnsafeMutableRawPointer(target + index).storeBytes(of: gemmLoadWidened16(source + index * size, matrix.dtype),
                                                         as: SIMD16<Float>.self)
      index += 16
    }
    gemmWiden(source + index * size, 1, matrix.dtype, count - index, target + index, 1)
    target += count
  }
}

/// A convolution's weights [O, C/G, KH, KW] laid out once for `conv2d`: each group's
/// [O/G, C/G·KH·KW] matrix as `GEMMPanels`. Its `conv2d` gives bit for bit what the same weights as
/// a `Tensor` give (the GEMM packs the same panels), without gathering them from M rows per K block.
public struct ConvWeights: Sendable {
  /// [O, C/G, KH, KW]
  public let shape: [Int]
  public let groups: Int
  /// One per group.
  let panels: [GEMMPanels]

  public var dtype: DType { panels[0].dtype }

  /// Lays out `weight` [O, C/G, KH, KW] (f32, f16 or bf16). With `releasingSource`, the pages of a
  /// weight borrowed from a read-only file mapping are given back to the system afterwards (they are
  /// read again from the file if the tensor is read again), so the model's memory does not hold both
  /// layouts.
  public init(_ weight: Tensor, groups: Int = 1, releasingSource: Bool = false) {
    precondition(weight.rank == 4 && groups >= 1 && weight.shape[0] % groups == 0,
                 "ConvWeights: weight \(weight.shape) with \(groups) groups")
    shape = weight.shape
    self.groups = groups
    let (outputs, depth) = (weight.shape[0] / groups, weight.shape[1] * weight.shape[2] * weight.shape[3])
    let size = weight.dtype.byteSize
    panels = (0..<groups).map { group in
      GEMMPanels(UnsafeRawPointer(weight.rawPointer) + group * outputs * depth * size, rows: outputs, depth: depth,
                 rowStride: depth, dtype: weight.dtype)
    }
    if releasingSource { weight.storage.releasePages(byteOffset: weight.byteOffset, byteCount: weight.count * size) }
  }
}

/// A linear layer's weight [out, in] laid out once for `linear`: the B operand (its transpose) as
/// `GEMMPanels` of NR output features. Its `linear` gives bit for bit what the same weight as a
/// `Tensor` gives, without transposing it in registers per K block.
public struct LinearWeights: Sendable {
  /// [out, in]
  public let shape: [Int]
  let panels: GEMMPanels

  public var dtype: DType { panels.dtype }

  /// Lays out `weight` [out, in] (f32, f16 or bf16); `releasingSource` as for `ConvWeights`.
  public init(_ weight: Tensor, releasingSource: Bool = false) {
    precondition(weight.rank == 2, "LinearWeights: weight \(weight.shape) is not [out, in]")
    shape = weight.shape
    panels = GEMMPanels(UnsafeRawPointer(weight.rawPointer), rows: weight.shape[0], depth: weight.shape[1],
                        rowStride: weight.shape[1], dtype: weight.dtype, width: gemmNR)
    if releasingSource {
      weight.storage.releasePages(byteOffset: weight.byteOffset, byteCount: weight.count * weight.dtype.byteSize)
    }
  }
}
