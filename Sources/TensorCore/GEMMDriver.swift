// The SGEMM driver: C[M,N] (+bias) = A[M,K] x B[K,N], cache-blocked over K and tiled over M and N.
// M rows of C, N columns of C, K the reduction; MR x NR is the micro-kernel tile (GEMMMicroKernel).
// Threads split C into independent tiles; every tile walks K in the same blocks in the same order,
// so each element gets the same FMA chains and additions whatever the thread count or tiling.
import CCPUFeatures

/// K-block length: an A micro-panel (gemmKC x gemmMR floats, 14 KB) or a B micro-panel (32 KB)
/// stays in L1 while the other operand's panels stream from L2 (see `gemmTile`).
let gemmKC = 256
/// Largest tile height (rows of C) one task covers: its A rows (gemmMaxTileM x gemmKC floats) and
/// its packed B block stay in L2 together, and B is packed once per tile height. 37 panels: a
/// 1024-row product is two tiles (B packed twice, not three times).
let gemmMaxTileM = 37 * gemmMR
/// Largest tile width (columns of C) one task packs B for when B is read transposed (a linear
/// layer's weight): its packed block (gemmKC × 512 floats) stays in L2, and the weight is walked 512
/// rows, i.e. at most 512 pages, per K block, so its pages stay in the TLB from one K block to the next.
let gemmMaxTileNTransposedB = 16 * gemmNR
/// The same for any other B: wide, so that A is packed once per K block for up to 4096 columns (a
/// conv's f16 weights are widened while packing; measured on the Karlo-size decoder 17.9 s → 14.1 s
/// a step). The B block (up to 4 MB) then lives in L3 and each 32 KB micro-panel of it is read once
/// per sweep of A.
let gemmMaxTileN = 128 * gemmNR

/// Where B comes from: a strided matrix, an image read through im2col while packing, or panels
/// packed beforehand by `gemmPackB` over all `rows` rows (reused by many products, as attention's
/// keys and values are by every block of queries).
enum GEMMSourceB {
  case matrix(GEMMMatrix)
  case image(Im2colImage)
  case packed(UnsafePointer<Float>, rows: Int)
}

extension GEMMSourceB {
  /// Panels packed beforehand.
  var isPacked: Bool {
    if case .packed = self { return true }
    return false
  }

  /// A strided matrix whose columns, not rows, are contiguous.
  var isTransposedMatrix: Bool {
    if case .matrix(let b) = self { return b.columnStride != 1 }
    return false
  }
}

/// One C = A x B (+ bias) product.
struct GEMMProblem {
  var m: Int
  var n: Int
  var k: Int
  var a: GEMMMatrix
  var b: GEMMSourceB
  /// Row 0 of C; rows are `ldc` floats apart and columns contiguous.
  var c: UnsafeMutablePointer<Float>
  var ldc: Int
  /// Added to every element of row i (conv2d's per-channel bias), length m.
  var rowBias: UnsafePointer<Float>? = nil
  /// Added to every element of column j (linear's bias), length n.
  var columnBias: UnsafePointer<Float>? = nil
  /// C += A x B instead of C = A x B (no bias then).
  var accumulate = false

  var hasBias: Bool { rowBias != nil || columnBias != nil }
}

/// How a problem is cut into tiles.
struct GEMMTiling {
  var tileM: Int
  var tileN: Int
  var countM: Int
  var countN: Int
  var count: Int { countM * countN }

  /// Balanced tiles no larger than the cache-sized maximum, and enough of them for `threads`.
  init(m: Int, n: Int, threads: Int, maxTileN: Int = gemmMaxTileN) {
    var countM = max(1, (m + gemmMaxTileM - 1) / gemmMaxTileM)
    var countN = max(1, (n + maxTileN - 1) / maxTileN)
    let panelsM = max(1, (m + gemmMR - 1) / gemmMR)
    let panelsN = max(1, (n + gemmNR - 1) / gemmNR)
    // Aim for a few tiles per thread so a thread slowed by another process does not hold up the rest.
    while threads > 1 && countM * countN < 3 * threads && (countM < panelsM || countN < panelsN) {
      if countM < panelsM && (m >= n || countN >= panelsN) { countM += 1 } else { countN += 1 }
    }
    let panelsPerTileM = (panelsM + countM - 1) / countM
    let panelsPerTileN = (panelsN + countN - 1) / countN
    tileM = panelsPerTileM * gemmMR
    tileN = panelsPerTileN * gemmNR
    self.countM = (m + tileM - 1) / tileM
    self.countN = (n + tileN - 1) / tileN
  }
}

/// Runs `problem` on the shared pool (or on this thread when `parallel` is false).
func gemm(_ problem: GEMMProblem, parallel: Bool = true) {
  gemmBatched(1, parallel: parallel) { _ in problem }
}

/// Runs `batch` independent problems of the same shape, all tiles of all of them spread over the pool.
/// When every problem has the same A (a convolution's weights for each image of a batch), the batch
/// is cut into one group per thread instead of one per problem, and a task packs each block of A
/// once for its whole group. (Splitting tiles further instead would repack B, an im2col image, once
/// per row of tiles: measured on the main job, +25 % CPU time.)
func gemmBatched(_ batch: Int, parallel: Bool = true, _ problem: (Int) -> GEMMProblem) {
  if batch == 0 { return }
  let problems = (0..<batch).map(problem)
  let first = problems[0]
  let threads = parallel ? ComputePool.shared.threadCount : 1
  let sharedA = batch > 1 && problems.allSatisfy { $0.a == first.a }
  // With B packed beforehand nothing is repacked when tiles split M, so one group covers the batch.
  let groups = sharedA ? (first.b.isPacked ? 1 : min(batch, threads)) : batch  // group g: batch·g/groups ..< batch·(g+1)/groups
  let tiling = GEMMTiling(m: first.m, n: first.n, threads: max(1, threads / groups),
                          maxTileN: first.b.isTransposedMatrix ? gemmMaxTileNTransposedB : gemmMaxTileN)
  let tasks = groups * tiling.count
  func run(_ task: Int, _ scratch: UnsafeMutablePointer<Float>) {
    let group = task / tiling.count
    let items = problems[(batch * group / groups)..<(batch * (group + 1) / groups)]
    let tile = task % tiling.count
    let row = (tile / tiling.countN) * tiling.tileM
    let column = (tile % tiling.countN) * tiling.tileN
    if row >= first.m || column >= first.n { return }
    gemmTile(items, rows: row..<min(first.m, row + tiling.tileM), columns: column..<min(first.n, column + tiling.tileN),
             scratch: scratch, tileM: tiling.tileM, tileN: tiling.tileN)
  }
  if !parallel || threads == 1 {
    let scratch = GEMMScratch(tileM: tiling.tileM, tileN: tiling.tileN)
    for task in 0..<tasks { run(task, scratch.buffer) }
    scratch.release()
    return
  }
  ComputePool.shared.parallelFor(tasks) { task in
    let local = GEMMScratch(tileM: tiling.tileM, tileN: tiling.tileN)
    run(task, local.buffer)
    local.release()
  }
}

/// Packed A block, packed B block and one edge tile for one task.
private struct GEMMScratch {
  let buffer: UnsafeMutablePointer<Float>
  let floats: Int

  init(tileM: Int, tileN: Int) {
    floats = tileM * gemmKC + gemmKC * tileN + gemmMR * gemmNR
    buffer = allocateAlignedFloats(floats)
  }

  func release() { releaseAlignedFloats(buffer, count: floats) }
}

/// Computes C[rows, columns] of each of `problems` (which share A) completely: bias, then every K
/// block in order, each block of A packed once for all of them.
private func gemmTile(
  _ problems: ArraySlice<GEMMProblem>, rows: Range<Int>, columns: Range<Int>, scratch: UnsafeMutablePointer<Float>,
  tileM: Int, tileN: Int
) {
  let a = problems[problems.startIndex].a
  let k = problems[problems.startIndex].k
  for p in problems where !p.accumulate && (p.hasBias || p.k == 0) { gemmFillBias(p, rows: rows, columns: columns) }
  let packedA = scratch
  let packedB = scratch + tileM * gemmKC
  let edge = packedB + gemmKC * tileN
  // A row-major f32 A is read in place by the kernel; only a last partial panel is packed (padded).
  // Not when its rows are a multiple of 1 KB apart: the MR rows would then share a few L1 sets and
  // evict each other.
  let directA = a.dtype == .f32 && a.panelDepth == 0 && a.columnStride == 1 && a.rowStride % 256 != 0
  // f32 panels (a Winograd convolution's transformed kernels) are read in place, partial panel too.
  let panelsA = a.dtype == .f32 && a.panelDepth > 0
  let fullRowsEnd = rows.lowerBound + (rows.count / gemmMR) * gemmMR
  var k0 = 0
  while k0 < k {
    let kc = min(gemmKC, k - k0)
    if !directA && !panelsA {
      gemmPackA(a, rows: rows, columns: k0..<k0 + kc, into: packedA)
    } else if directA && fullRowsEnd < rows.upperBound {
      gemmPackA(a, rows: fullRowsEnd..<rows.upperBound, columns: k0..<k0 + kc, into: packedA)
    }
    for p in problems {
      let accumulate = p.accumulate || p.hasBias || k0 > 0
      let (firstPanelB, panelStrideB): (UnsafePointer<Float>, Int)
      switch p.b {
      case .matrix(let b):
        gemmPackB(b, rows: k0..<k0 + kc, columns: columns, into: packedB)
        (firstPanelB, panelStrideB) = (UnsafePointer(packedB), kc * gemmNR)
      case .image(let image):
        im2colPackB(image, rows: k0..<k0 + kc, columns: columns, into: packedB)
        (firstPanelB, panelStrideB) = (UnsafePointer(packedB), kc * gemmNR)
      case .packed(let base, let rows):
        (firstPanelB, panelStrideB) = (base + (columns.lowerBound / gemmNR) * rows * gemmNR + k0 * gemmNR, rows * gemmNR)
      }
      /// C[row ..< row + height, column ..< column + NR] += the K block's product, through `kernel`
      /// (`kernelRows` rows, C and its row stride as arguments). A partial tile runs the kernel on
      /// a scratch tile: the same arithmetic, copied back.
      func runTile(row: Int, column: Int, height: Int, kernelRows: Int,
                   _ kernel: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let width = min(gemmNR, columns.upperBound - column)
        let full = height == kernelRows && width == gemmNR
        let target = p.c + row * p.ldc + column
        if !full && accumulate {
          for r in 0..<height { (edge + r * gemmNR).update(from: target + r * p.ldc, count: width) }
        }
        // The kernel reads and writes C only after its K loop: asking for those lines now hides
        // their latency behind the loop (C of a large product lives in L3 or memory).
        if full {
          for r in 0..<kernelRows {
            easel_prefetch_for_write(target + r * p.ldc)
            easel_prefetch_for_write(target + r * p.ldc + 16)
          }
        }
        kernel(full ? target : edge, full ? p.ldc : gemmNR)
        if !full {
          for r in 0..<height { (target + r * p.ldc).update(from: edge + r * gemmNR, count: width) }
        }
      }
      // C[row ..< row + MR, column ..< column + NR] += the K block's product.
      func microTile(_ row: Int, _ column: Int) {
        let panelB = firstPanelB + (column - columns.lowerBound) / gemmNR * panelStrideB
        let height = min(gemmMR, rows.upperBound - row)
        if directA && height == gemmMR {
          let rowA = a.base.assumingMemoryBound(to: Float.self) + row * a.rowStride + k0
          runTile(row: row, column: column, height: height, kernelRows: gemmMR) {
            gemmMicroKernelDirectA(kc, rowA, a.rowStride, panelB, $0, $1, accumulate)
          }
          return
        }
        let panelA = panelsA
          ? a.base.assumingMemoryBound(to: Float.self) + ((row / gemmMR) * a.panelDepth + k0) * gemmMR
          : UnsafePointer(packedA + (directA ? 0 : (row - rows.lowerBound) / gemmMR) * kc * gemmMR)
        if height <= 3 * gemmTailMR {
          // A product's last rows, 4 at a time: up to 12 rows, fewer multiplications than 14.
          for first in stride(from: 0, to: height, by: gemmTailMR) {
            runTile(row: row + first, column: column, height: min(gemmTailMR, height - first), kernelRows: gemmTailMR) {
              gemmMicroKernel4(kc, panelA + first, gemmMR, panelB, $0, $1, accumulate)
            }
          }
        } else {
          runTile(row: row, column: column, height: height, kernelRows: gemmMR) {
            gemmMicroKernel(kc, panelA, gemmMR, panelB, $0, $1, accumulate)
          }
        }
      }
      if p.b.isPacked {
        // B packed beforehand lies in L3 (attention's keys, whole im2col panels, Winograd's
        // transformed input): each B micro-panel stays in L1 while the tile's A panels stream from L2.
        for column in stride(from: columns.lowerBound, to: columns.upperBound, by: gemmNR) {
          for row in stride(from: rows.lowerBound, to: rows.upperBound, by: gemmMR) { microTile(row, column) }
        }
      } else {
        // B just packed lies in L2: each A micro-panel (14 KB) stays in L1 while the B micro-panels
        // stream past it, BLIS's order (the broadcast operand resident, the vector operand streaming),
        // rather than a 32 KB B micro-panel filling most of L1 with A streaming through the rest.
        for row in stride(from: rows.lowerBound, to: rows.upperBound, by: gemmMR) {
          for column in stride(from: columns.lowerBound, to: columns.upperBound, by: gemmNR) { microTile(row, column) }
        }
      }
    }
    k0 += kc
  }
}

/// C[rows, columns] = rowBias[i] + columnBias[j] (0 where absent).
private func gemmFillBias(_ p: GEMMProblem, rows: Range<Int>, columns: Range<Int>) {
  for i in rows {
    let target = p.c + i * p.ldc
    let base = p.rowBias.map { $0[i] } ?? 0
    if let columnBias = p.columnBias {
      for j in columns { target[j] = base + columnBias[j] }
    } else {
      (target + columns.lowerBound).update(repeating: base, count: columns.count)
    }
  }
}
