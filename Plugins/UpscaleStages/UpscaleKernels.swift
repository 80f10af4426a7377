// The element-wise kernel of the RRDB residual connections, run in place on padded channel slabs.
// E elements (a contiguous run of channels × H × W of an NCHW tensor with N = 1).
import TensorCore

private typealias Vector = SIMD16<Float>

/// Splits `count` elements into chunks of whole vectors over the shared pool.
private func forEachRange(_ count: Int, _ body: (Range<Int>) -> Void) {
  let threads = ComputePool.shared.threadCount
  let tasks = count < 65_536 || threads == 1 ? 1 : threads * 4
  if tasks == 1 {
    body(0..<count)
    return
  }
  let step = (count / tasks + Vector.scalarCount - 1) / Vector.scalarCount * Vector.scalarCount
  ComputePool.shared.parallelFor(tasks) { task in
    let lower = Swift.min(count, task * step)
    let upper = task == tasks - 1 ? count : Swift.min(count, lower + step)
    if lower < upper { body(lower..<upper) }
  }
}

/// destination[e] = a[e] · scale + b[e] for e in 0..<count (the residual scaling of an RDB / RRDB).
/// `destination` may equal `a` or `b`.
func scaledResidual(_ a: UnsafePointer<Float>, scale: Float, _ b: UnsafePointer<Float>,
                    _ destination: UnsafeMutablePointer<Float>, count: Int) {
  nonisolated(unsafe) let a = a
  nonisolated(unsafe) let b = b
  nonisolated(unsafe) let destination = destination
  forEachRange(count) { range in
    let scales = Vector(repeating: scale)
    var index = range.lowerBound
    while index + Vector.scalarCount <= range.upperBound {
      let x = UnsafeRawPointer(a + index).loadUnaligned(as: Vector.self)
      let y = UnsafeRawPointer(b + index).loadUnaligned(as: Vector.self)
      UnsafeMutableRawPointer(destination + index).storeBytes(of: x * scales + y, as: Vector.self)
      index += Vector.scalarCount
    }
    while index < range.upperBound {
      destination[index] = a[index] * scale + b[index]
      index += 1
    }
  }
}

/// The scalar twin of ``scaledResidual(_:scale:_:_:count:)``.
func scaledResidualReference(_ a: UnsafePointer<Float>, scale: Float, _ b: UnsafePointer<Float>,
                             _ destination: UnsafeMutablePointer<Float>, count: Int) {
  for index in 0..<count { destination[index] = a[index] * scale + b[index] }
}
