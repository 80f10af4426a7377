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
    forEachChunk(panels, work: depth * width) { range in
      for panel in range {
        let panelRows = min(width, rows - panel * width)
        let source = matrix + panel * width * rowStride * size
        let destination = target + panel * depth * width * size
        // 16 k × 16 rows at a time, transposed in registers (widened and narrowed back exactly),
        // each stored as 16 lanes of a panel row: with W = 14 its last two lanes (rows 14 and 15,
        // zeros) land on the next panel row, which is stored after it. The last row (and the last
        // depth mod 16) goes element by element, so no store leaves the panel.
        let blocked = (depth - 1) / 16 * 16
        for k in stride(from: 0, to: blocked, by: 16) {
          for first in stride(from: 0, to: panelRows, by: 16) {
            let block = transposed16x16(source + (first * rowStride + k) * size, columnStride: rowStride * size,
                                        dtype: dtype, count: min(16, panelRows - first))
            @inline(__always) func put(_ j: Int, _ v: SIMD16<Float>) {
              gemmStoreNarrowed16(v, destination + ((k + j) * width + first) * size, dtype)
            }
            put(0, block.0); put(1, block.1); put(2, block.2); put(3, block.3)
            put(4, block.4); put(5, block.5); put(6, block.6); put(7, block.7)
            put(8, block.8); put(9, block.9); put(10, block.10); put(11, block.11)
            put(12, block.12); put(13, block.13); put(14, block.14); put(15, block.15)
          }
        }
        for r in 0..<panelRows {
          for k in blocked..<depth {
            (destination + (k * width + r) * size).copyMemory(from: source + (r * rowStride + k) * size, byteCount: size)
          }
        }
      }
    }
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
    if releasingSource { weight.releaseMappedPages() }
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
    if releasingSource { weight.releaseMappedPages() }
  }
}

/// Stores the 16 lanes of `v` at `target` as `dtype` (values that came from `dtype`, so exactly).
@inline(__always)
func gemmStoreNarrowed16(_ v: SIMD16<Float>, _ target: UnsafeMutableRawPointer, _ dtype: DType) {
  switch dtype {
  case .f16:
    // Lane by lane: one vcvtps2ph (the generic SIMD conversion initialiser is an outlined loop).
    let h = SIMD16<Float16>(Float16(v[0]), Float16(v[1]), Float16(v[2]), Float16(v[3]), Float16(v[4]), Float16(v[5]),
                            Float16(v[6]), Float16(v[7]), Float16(v[8]), Float16(v[9]), Float16(v[10]), Float16(v[11]),
                            Float16(v[12]), Float16(v[13]), Float16(v[14]), Float16(v[15]))
    target.storeBytes(of: h, as: SIMD16<Float16>.self)
  case .bf16:
    let bits = unsafeBitCast(v, to: SIMD16<UInt32>.self) &>> 16
    target.storeBytes(of: SIMD16<UInt16>(UInt16(truncatingIfNeeded: bits[0]), UInt16(truncatingIfNeeded: bits[1]),
                                         UInt16(truncatingIfNeeded: bits[2]), UInt16(truncatingIfNeeded: bits[3]),
                                         UInt16(truncatingIfNeeded: bits[4]), UInt16(truncatingIfNeeded: bits[5]),
                                         UInt16(truncatingIfNeeded: bits[6]), UInt16(truncatingIfNeeded: bits[7]),
                                         UInt16(truncatingIfNeeded: bits[8]), UInt16(truncatingIfNeeded: bits[9]),
                                         UInt16(truncatingIfNeeded: bits[10]), UInt16(truncatingIfNeeded: bits[11]),
                                         UInt16(truncatingIfNeeded: bits[12]), UInt16(truncatingIfNeeded: bits[13]),
                                         UInt16(truncatingIfNeeded: bits[14]), UInt16(truncatingIfNeeded: bits[15])),
                      as: SIMD16<UInt16>.self)
  default:
    target.storeBytes(of: v, as: SIMD16<Float>.self)
  }
}

extension Tensor {
  /// Gives this tensor's whole pages back to the system when it views a read-only file mapping
  /// (`TensorStorage.releasePages`); a no-op for allocated memory.
  func releaseMappedPages() { storage.releasePages(byteOffset: byteOffset, byteCount: count * dtype.byteSize) }
}
