// Packing for the SGEMM driver: copies a block of A or B into the panel layout the micro-kernel
// streams, widening f16/bf16 to f32 on the way.
// M rows of A and C, N columns of B and C, K the reduction; MR = gemmMR, NR = gemmNR.
// Packed A block: [M/MR panels][K][MR]; packed B block: [N/NR panels][K][NR]; padding lanes are 0.

/// A strided matrix in memory: element (row, column) is at
/// `base + (row * rowStride + column * columnStride) * dtype.byteSize`.
struct GEMMMatrix: Equatable {
  var base: UnsafeRawPointer
  var dtype: DType
  var rowStride: Int
  var columnStride: Int
  /// 0 for the strided layout above; K when the matrix is stored in panels instead (`GEMMPanels`,
  /// the strides then unused): an A as [⌈M/MR⌉][K][MR], a B as [⌈N/NR⌉][K][NR].
  var panelDepth = 0

  /// The matrix with rows and columns swapped (no copy).
  var transposed: GEMMMatrix {
    precondition(panelDepth == 0, "a panel-laid-out matrix has no transpose view")
    return GEMMMatrix(base: base, dtype: dtype, rowStride: columnStride, columnStride: rowStride)
  }
}

/// Copies `count` elements read `sourceStride` apart (in elements of `dtype`) to `destination`,
/// written `destinationStride` floats apart, widening to f32.
@inline(__always)
func gemmWiden(
  _ source: UnsafeRawPointer, _ sourceStride: Int, _ dtype: DType, _ count: Int,
  _ destination: UnsafeMutablePointer<Float>, _ destinationStride: Int
) {
  switch dtype {
  case .f32:
    let from = source.assumingMemoryBound(to: Float.self)
    if sourceStride == 1 && destinationStride == 1 {
      destination.update(from: from, count: count)
    } else {
      for index in 0..<count { destination[index * destinationStride] = from[index * sourceStride] }
    }
  case .f16:
    let from = source.assumingMemoryBound(to: Float16.self)
    for index in 0..<count { destination[index * destinationStride] = Float(from[index * sourceStride]) }
  case .bf16:
    let from = source.assumingMemoryBound(to: UInt16.self)
    for index in 0..<count {
      destination[index * destinationStride] = Float(bitPattern: UInt32(from[index * sourceStride]) << 16)
    }
  default:
    preconditionFailure("GEMM operands must be f32, f16 or bf16, not \(dtype)")
  }
}

/// Packs rows `rows` x columns `columns` (the K range) of `a` into MR-row panels at `packed`.
func gemmPackA(_ a: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  if a.panelDepth > 0 { return gemmPackAFromPanels(a, rows: rows, columns: columns, into: packed) }
  guard a.columnStride == 1 else { return gemmPackAElementwise(a, rows: rows, columns: columns, into: packed) }
  let kc = columns.count
  let size = a.dtype.byteSize
  let blocked = kc / 16 * 16
  var panel = packed
  var row = rows.lowerBound
  while row + gemmMR <= rows.upperBound {
    // Contiguous rows: MR rows × 16 k widened and transposed in registers, one panel row (MR
    // floats) stored per k; the last kc mod 16 k element by element.
    let source = a.base + (row * a.rowStride + columns.lowerBound) * size
    var k = 0
    while k < blocked {
      let block = transposed16x16(source + k * size, columnStride: a.rowStride * size, dtype: a.dtype, count: gemmMR)
      gemmStoreBlock16(block, to: panel + k * gemmMR, rowStride: gemmMR, lastRowLanes: k + 16 < kc ? 16 : gemmMR)
      k += 16
    }
    if blocked < kc {
      gemmPackAElementwise(a, rows: row..<row + gemmMR, columns: columns.lowerBound + blocked..<columns.upperBound,
                           into: panel + blocked * gemmMR)
    }
    panel += kc * gemmMR
    row += gemmMR
  }
  if row < rows.upperBound { gemmPackAElementwise(a, rows: row..<rows.upperBound, columns: columns, into: panel) }
}

/// The element-by-element packing of any `a` (the scalar twin of `gemmPackA`'s vector path). The
/// panel rows are MR floats apart, so `columns` may be the tail of a wider panel.
func gemmPackAElementwise(_ a: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  let kc = columns.count
  let size = a.dtype.byteSize
  var panel = packed
  var row = rows.lowerBound
  while row < rows.upperBound {
    let height = min(gemmMR, rows.upperBound - row)
    if height < gemmMR { panel.update(repeating: 0, count: kc * gemmMR) }
    for r in 0..<height {
      let source = a.base + ((row + r) * a.rowStride + columns.lowerBound * a.columnStride) * size
      gemmWiden(source, a.columnStride, a.dtype, kc, panel + r, gemmMR)
    }
    panel += kc * gemmMR
    row += gemmMR
  }
}

/// Packs rows `rows` (the K range) x columns `columns` of `b` into NR-column panels at `packed`.
func gemmPackB(_ b: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  if b.panelDepth > 0 { return gemmPackBFromPanels(b, rows: rows, columns: columns, into: packed) }
  let kc = rows.count
  let fullPanels = columns.count / gemmNR
  if b.dtype == .f32 && b.columnStride == 1 && fullPanels > 0 {
    // The common case, an f32 row-major B: read each k row once, left to right, spreading it over
    // the panels with vector copies. Walking one panel at a time instead would touch kc rows
    // (pages) per 128 bytes.
    let chunks = gemmNR / 16
    for k in 0..<kc {
      let source = b.base + ((rows.lowerBound + k) * b.rowStride + columns.lowerBound) * 4
      for p in 0..<fullPanels {
        let target = UnsafeMutableRawPointer(packed + (p * kc + k) * gemmNR)
        for v in 0..<chunks {
          target.storeBytes(of: source.loadUnaligned(fromByteOffset: (p * gemmNR + v * 16) * 4, as: SIMD16<Float>.self),
                            toByteOffset: v * 64, as: SIMD16<Float>.self)
        }
      }
    }
    if fullPanels * gemmNR < columns.count {
      gemmPackB(b, rows: rows, columns: columns.lowerBound + fullPanels * gemmNR..<columns.upperBound,
                into: packed + fullPanels * kc * gemmNR)
    }
    return
  }
  if b.columnStride != 1 && b.rowStride == 1 {
    gemmPackBTransposed(b, rows: rows, columns: columns, into: packed)
    return
  }
  gemmPackBElementwise(b, rows: rows, columns: columns, into: packed)
}

/// The element-by-element packing of any `b` (the scalar twin of the vector paths above).
func gemmPackBElementwise(_ b: GEMMMatrix, rows: Range<Int>, columns: Range<Int>, into packed: UnsafeMutablePointer<Float>) {
  let kc = rows.count
  let size = b.dtype.byteSize
  var panel = packed
  var column = columns.lowerBound
  while column < columns.upperBound {
    let width = min(gemmNR, columns.upperBound - column)
    if width < gemmNR { panel.update(repeating: 0, count: kc * gemmNR) }
    if b.columnStride == 1 {
      // Rows of B are contiguous: copy each k row of the panel at once.
      for k in 0..<kc {
        let source = b.base + ((rows.lowerBound + k) * b.rowStride + column) * size
        gemmWiden(source, 1, b.dtype, width, panel + k * gemmNR, 1)
      }
    } else {
      // Columns are contiguous (a transposed operand such as nn.Linear's weight): read down each.
      for j in 0..<width {
        let source = b.base + (rows.lowerBound * b.rowStride + (column + j) * b.columnStride) * size
        gemmWiden(source, b.rowStride, b.dtype, kc, panel + j, gemmNR)
      }
    }
    panel += kc * gemmNR
    column += gemmNR
  }
}
