// Shape ops and broadcasting against naive index arithmetic, and the whole-tensor ops on sizes big
// enough to be split over threads against their row references.

import Foundation
import Testing
@testable import TensorCore

/// Row-major strides of a shape.
func opsStrides(_ shape: [Int]) -> [Int] {
  var strides = Array(repeating: 1, count: shape.count)
  for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
  return strides
}

/// The multi-index of flat position `index` in `shape`.
func opsIndex(_ index: Int, _ shape: [Int]) -> [Int] {
  var remainder = index
  var result = Array(repeating: 0, count: shape.count)
  for axis in stride(from: shape.count - 1, through: 0, by: -1) {
    result[axis] = remainder % shape[axis]
    remainder /= shape[axis]
  }
  return result
}

@Suite struct OpsShapeTests {
  static let broadcastCases: [([Int], [Int])] = [
    ([2, 3, 4, 5], [5]), ([2, 3, 4, 5], [1, 3, 1, 1]), ([2, 1, 4, 1], [1, 3, 1, 5]), ([], [3]), ([4, 1], [1, 4]),
    ([1], [7, 1, 17]), ([33], [33]), ([3, 17], [3, 1]), ([2, 40, 40, 17], [2, 1, 40, 17]),
  ]

  @Test("broadcasting matches naive indexing", arguments: broadcastCases)
  func broadcasting(shapes: ([Int], [Int])) {
    let (shapeA, shapeB) = shapes
    let a = opsRandomTensor(shapeA, seed: 1)
    let b = opsRandomTensor(shapeB, seed: 2, low: 0.5, high: 2)
    let outShape = broadcastShape(shapeA, shapeB)
    let (av, bv) = (a.scalars, b.scalars)
    let rank = outShape.count
    let paddedA = Array(repeating: 1, count: rank - shapeA.count) + shapeA
    let paddedB = Array(repeating: 1, count: rank - shapeB.count) + shapeB
    let (stridesA, stridesB) = (opsStrides(paddedA), opsStrides(paddedB))
    let count = outShape.reduce(1, *)
    let pairs = (0..<count).map { flat -> (Float, Float) in
      let index = opsIndex(flat, outShape)
      var (offsetA, offsetB) = (0, 0)
      for axis in 0..<rank {
        if paddedA[axis] != 1 { offsetA += index[axis] * stridesA[axis] }
        if paddedB[axis] != 1 { offsetB += index[axis] * stridesB[axis] }
      }
      return (av[offsetA], bv[offsetB])
    }
    let ops: [(BinaryOpKind, (Tensor, Tensor) -> Tensor, (Float, Float) -> Float)] = [
      (.add, add, +), (.sub, sub, -), (.mul, mul, *), (.div, div, /),
    ]
    for (kind, op, scalar) in ops {
      let result = op(a, b)
      #expect(result.shape == outShape)
      opsExpectClose(result, Tensor(pairs.map { scalar($0.0, $0.1) }, shape: outShape), tolerance: 0, "\(kind) \(shapeA) \(shapeB)")
      opsExpectClose(broadcastBinary(a, b, kind, reference: true), result, tolerance: 0, "\(kind) reference path")
    }
  }

  @Test func scalarOpsAndAddScaled() {
    let x = opsRandomTensor([3, 50_001], seed: 3)
    opsExpectClose(add(x, 2.5), Tensor(x.scalars.map { $0 + 2.5 }, shape: x.shape), tolerance: 0, "add scalar")
    opsExpectClose(mul(x, -0.5), Tensor(x.scalars.map { $0 * -0.5 }, shape: x.shape), tolerance: 0, "mul scalar")
    let y = opsRandomTensor([3, 50_001], seed: 4)
    let expected = zip(x.scalars, y.scalars).map { $0 + 0.3 * $1 }
    opsExpectClose(addScaled(x, y, scale: 0.3), Tensor(expected, shape: x.shape), tolerance: 1e-6, "addScaled")
  }

  @Test func concatSplitChunkSlice() {
    let a = opsRandomTensor([2, 3, 4], seed: 5)
    let b = opsRandomTensor([2, 5, 4], seed: 6)
    let joined = concat([a, b], axis: 1)
    #expect(joined.shape == [2, 8, 4])
    let parts = split(joined, sizes: [3, 5], axis: 1)
    #expect(parts[0].scalars == a.scalars && parts[1].scalars == b.scalars)
    let rows = concat([a, a], axis: 0)
    #expect(rows.shape == [4, 3, 4] && Array(rows.scalars[24...]) == a.scalars)
    let last = concat([a, a], axis: -1)
    #expect(last.shape == [2, 3, 8] && Array(last.scalars[4..<8]) == Array(a.scalars[0..<4]))
    let pieces = chunk(Tensor((0..<5).map(Float.init), shape: [5]), 4, axis: 0)
    #expect(pieces.map(\.shape) == [[2], [2], [1]] && pieces[2].scalars == [4])
    let halves = chunk(b, 2, axis: 1)
    #expect(halves.map(\.shape) == [[2, 3, 4], [2, 2, 4]])
    let middle = slice(b, axis: 1, range: 1..<3)
    #expect(middle.shape == [2, 2, 4] && Array(middle.scalars[0..<8]) == Array(b.scalars[4..<12]))
    let empty = slice(b, axis: 2, range: 2..<2)
    #expect(empty.shape == [2, 5, 0] && empty.count == 0)
  }

  @Test func repeats() {
    let x = Tensor([1, 2, 3, 4], shape: [2, 2])
    #expect(repeatBatch(x, 3).scalars == [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4])
    #expect(repeatInterleaveBatch(x, 2).scalars == [1, 2, 1, 2, 3, 4, 3, 4])
    #expect(repeatInterleaveBatch(x, 2).shape == [4, 2])
  }

  @Test func permuteEveryOrder() {
    let shape = [3, 4, 5, 37]
    let x = opsRandomTensor(shape, seed: 7)
    let values = x.scalars
    let strides = opsStrides(shape)
    var orders: [[Int]] = [[]]
    for _ in 0..<4 { orders = orders.flatMap { order in (0..<4).filter { !order.contains($0) }.map { order + [$0] } } }
    for order in orders {
      let result = permute(x, order)
      let outShape = order.map { shape[$0] }
      #expect(result.shape == outShape)
      let expected = (0..<x.count).map { flat -> Float in
        let index = opsIndex(flat, outShape)
        return values[(0..<4).reduce(0) { $0 + index[$1] * strides[order[$1]] }]
      }
      #expect(result.scalars == expected, "permute \(order)")
    }
    let half = x.toFloat16ForOpsTests()
    #expect(permute(half, [0, 3, 1, 2]).scalars == permute(x, [0, 3, 1, 2]).toFloat16ForOpsTests().scalars)
    let wide = opsRandomTensor([70, 90], seed: 8)
    #expect(transpose(wide, 0, 1).scalars == permute(wide, [1, 0]).scalars)
    #expect(transpose(transpose(wide, 0, 1), 0, 1).scalars == wide.scalars)
  }

  @Test func padModesByHand() {
    let x = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
    #expect(pad(x, top: 0, bottom: 0, left: 2, right: 2, mode: .reflect).scalars == [3, 2, 1, 2, 3, 2, 1, 6, 5, 4, 5, 6, 5, 4])
    #expect(pad(x, top: 1, bottom: 0, left: 0, right: 1, mode: .replicate).scalars == [1, 2, 3, 3, 1, 2, 3, 3, 4, 5, 6, 6])
    #expect(pad(x, top: 0, bottom: 1, left: 1, right: 0, mode: .zero).scalars == [0, 1, 2, 3, 0, 4, 5, 6, 0, 0, 0, 0])
  }

  @Test func nearestUpsampleAndShuffleByHand() {
    let x = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])
    #expect(upsampleNearest2x(x).scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    #expect(resizeNearest(x, height: 4, width: 4).scalars == upsampleNearest2x(x).scalars)
    let channels = Tensor([1, 2, 3, 4], shape: [1, 4, 1, 1])
    #expect(pixelShuffle(channels, upscale: 2).scalars == [1, 2, 3, 4])
    #expect(pixelShuffle(channels, upscale: 2).shape == [1, 1, 2, 2])
    let wide = opsRandomTensor([2, 3, 5, 37], seed: 9)
    let up = upsampleNearest2x(wide)
    let values = wide.scalars
    #expect(up.scalars == (0..<up.count).map { flat in
      let i = opsIndex(flat, up.shape)
      return values[((i[0] * 3 + i[1]) * 5 + i[2] / 2) * 37 + i[3] / 2]
    })
    #expect(resizeBilinear(wide, height: 5, width: 37).scalars == values)
    #expect(resizeBicubic(wide, height: 5, width: 37, antialias: true).scalars == values)
  }

  @Test func embeddingLookupDTypes() {
    let table = opsRandomTensor([10, 19], seed: 10)
    let ids: [Int32] = [3, 0, 9, 3]
    let expected = ids.flatMap { Array(table.scalars[Int($0) * 19..<(Int($0) + 1) * 19]) }
    #expect(embeddingLookup(table, ids: ids).scalars == expected)
    let half = table.toFloat16ForOpsTests()
    #expect(embeddingLookup(half, ids: ids).scalars == ids.flatMap { Array(half.scalars[Int($0) * 19..<(Int($0) + 1) * 19]) })
    let bf16Storage = TensorStorage(uninitializedByteCount: table.count * 2)
    let bits = bf16Storage.base.assumingMemoryBound(to: UInt16.self)
    for (index, value) in table.scalars.enumerated() { bits[index] = floatToBFloat16(value) }
    let brain = Tensor(shape: table.shape, dtype: .bf16, storage: bf16Storage)
    #expect(embeddingLookup(brain, ids: ids).scalars == ids.flatMap { Array(brain.scalars[Int($0) * 19..<(Int($0) + 1) * 19]) })
    #expect(embeddingLookup(table, ids: []).shape == [0, 19])
  }

  @Test func reductionsOverEveryAxis() {
    let shape = [3, 17, 5, 33]
    let x = opsRandomTensor(shape, seed: 11)
    let values = x.scalars
    for axis in 0..<4 {
      var outShape = shape
      outShape.remove(at: axis)
      var expected = [Double](repeating: 0, count: outShape.reduce(1, *))
      for flat in 0..<x.count {
        var index = opsIndex(flat, shape)
        index.remove(at: axis)
        expected[(0..<3).reduce(0) { $0 * outShape[$1] + index[$1] }] += Double(values[flat])
      }
      opsExpectClose(sum(x, axis: axis), Tensor(expected.map(Float.init), shape: outShape), tolerance: 2e-5, "sum axis \(axis)")
      let means = expected.map { Float($0 / Double(shape[axis])) }
      var kept = shape
      kept[axis] = 1
      opsExpectClose(mean(x, axis: axis, keepDims: true), Tensor(means, shape: kept), tolerance: 2e-6, "mean axis \(axis)")
    }
    let a = opsRandomTensor([1000], seed: 12)
    let b = opsRandomTensor([10, 100], seed: 13)
    let expected = zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(Swift.abs(Double(dot(a, b)) - expected) < 1e-3)
  }
}

extension Tensor {
  /// An f16 copy (test helper).
  func toFloat16ForOpsTests() -> Tensor {
    let storage = TensorStorage(uninitializedByteCount: count * 2)
    let out = storage.base.assumingMemoryBound(to: Float16.self)
    for (index, value) in scalars.enumerated() { out[index] = Float16(value) }
    return Tensor(shape: shape, dtype: .f16, storage: storage)
  }
}
