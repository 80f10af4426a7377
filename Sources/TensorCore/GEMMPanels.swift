// Weights laid out once, at load, in the SGEMM's packed-A order: packing a K block of them is then
// one contiguous widening pass, where a row-major weight is a gather over MR rows a whole K apart
// (at the Karlo decoder's 8×8 convolutions, 11520 f16 apart: a TLB entry and a cache miss per row
// and block, which made `gemmPackA` a fifth of those convolutions' time).
// M rows (a convolution's output channels), K the reduction; MR = gemmMR.

#if canImport(Glibc)
import Glibc
#endif

/// A matrix [M, K] stored as ⌈M/MR⌉ panels of [K][MR] elements of `dtype` (rows past M are zero).
public struct GEMMPanels: @unchecked Sendable {
  /// M.
  public let rows: Int
  /// K.
  public let depth: Int
  /// Element type as stored (f32, f16 or bf16; widened while the GEMM packs a K block).
  public let dtype: DType
  /// [⌈M/MR⌉][K][MR]
  let storage: TensorStorage

  /// Lays out `matrix` (rows of `depth` contiguous elements, `rowStride` elements apart).
  init(_ matrix: UnsafeRawPointer, rows: Int, depth: Int, rowStride: Int, dtype: DType) {
    precondition(dtype.isFloatingPoint, "GEMMPanels: \(dtype) is not f32, f16 or bf16")
    (self.rows, self.depth, self.dtype) = (rows, depth, dtype)
    let panels = (rows + gemmMR - 1) / gemmMR
    let size = dtype.byteSize
    storage = TensorStorage(uninitializedByteCount: max(1, panels * depth * gemmMR * size))
    let target = storage.base
    if rows % gemmMR != 0 {  // the last panel's rows past M
      (target + (panels - 1) * depth * gemmMR * size).initializeMemory(as: UInt8.self, repeating: 0,
                                                                       count: depth * gemmMR * size)
    }
    /// Row by row: [K] -> column r of its panel's [K][MR].
    func layOut<Element>(_: Element.Type) {
      forEachChunk(panels, work: depth * gemmMR) { range in
        for panel in range {
          for r in 0..<min(gemmMR, rows - panel * gemmMR) {
            let source = (matrix + (panel * gemmMR + r) * rowStride * size).assumingMemoryBound(to: Element.self)
            let destination = (target + (panel * depth * gemmMR + r) * size).assumingMemoryBound(to: Element.self)
            for k in 0..<depth { destination[k * gemmMR] = source[k] }
          }
        }
      }
    }
    if size == 2 { layOut(UInt16.self) } else { layOut(UInt32.self) }
  }

  /// The matrix as a GEMM operand (A).
  var matrix: GEMMMatrix {
    GEMMMatrix(base: UnsafeRawPointer(storage.base), dtype: dtype, rowStride: depth, columnStride: 1, panelDepth: depth)
  }
}

/// Packs rows `rows` x columns `columns` of a panel-laid-out `a` (rows starting at a panel) into the
/// packed-A block: each panel's kc × MR elements are contiguous, so this is a straight widening copy.
func gemmPackAFromPanels(_ a: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  precondition(rows.lowerBound % gemmMR == 0, "gemmPackAFromPanels: rows \(rows) do not start at a panel")
  let kc = columns.count
  let size = a.dtype.byteSize
  var panel = rows.lowerBound / gemmMR
  var target = packed
  while panel * gemmMR < rows.upperBound {
    let source = a.base + (panel * a.panelDepth + columns.lowerBound) * gemmMR * size
    let count = kc * gemmMR
    var index = 0
    while index + 16 <= count {
      UnsafeMutableRawPointer(target + index).storeBytes(of: gemmLoadWidened16(source + index * size, a.dtype),
                                                         as: SIMD16<Float>.self)
      index += 16
    }
    gemmWiden(source + index * size, 1, a.dtype, count - index, target + index, 1)
    target += count
    panel += 1
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
