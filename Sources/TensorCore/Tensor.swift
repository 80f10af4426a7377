// A dense, contiguous, row-major tensor. Compute tensors are f32; weights may be f16/bf16 views of a
// memory-mapped file. Ops never mutate their inputs; they allocate their output once.

/// An n-dimensional array of numbers in row-major order.
public struct Tensor: @unchecked Sendable {
  /// Extent of each dimension, outermost first.
  public let shape: [Int]
  /// Storage element type.
  public let dtype: DType
  /// The memory this tensor views.
  public let storage: TensorStorage
  /// Byte offset of element 0 inside `storage`.
  public let byteOffset: Int

  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }
  /// Number of dimensions.
  public var rank: Int { shape.count }

  /// Views `storage` from `byteOffset` with the given shape and type.
  public init(shape: [Int], dtype: DType, storage: TensorStorage, byteOffset: Int = 0) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    precondition(byteOffset + shape.reduce(1, *) * dtype.byteSize <= storage.byteCount,
                 "tensor \(shape) \(dtype) does not fit its storage")
    self.shape = shape
    self.dtype = dtype
    self.storage = storage
    self.byteOffset = byteOffset
  }

  /// A zero-filled tensor.
  public init(zeros shape: [Int], dtype: DType = .f32) {
    let storage = TensorStorage(zeroedByteCount: shape.reduce(1, *) * dtype.byteSize)
    self.init(shape: shape, dtype: dtype, storage: storage)
  }

  /// An f32 tensor whose every element the caller must write (outputs of ops).
  public init(uninitialized shape: [Int]) {
    let storage = TensorStorage(uninitializedByteCount: shape.reduce(1, *) * 4)
    self.init(shape: shape, dtype: .f32, storage: storage)
  }

  /// An f32 tensor holding `values`.
  public init(_ values: [Float], shape: [Int]) {
    precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape)")
    self.init(uninitialized: shape)
    values.withUnsafeBufferPointer { source in
      if let source = source.baseAddress { mutableFloats.update(from: source, count: values.count) }
    }
  }

  /// An f32 tensor filled with one value.
  public init(repeating value: Float, shape: [Int]) {
    self.init(uninitialized: shape)
    mutableFloats.update(repeating: value, count: count)
  }

  /// The raw first byte.
  public var rawPointer: UnsafeMutableRawPointer { storage.base + byteOffset }

  /// The elements of an f32 tensor.
  public var floats: UnsafePointer<Float> {
    precondition(dtype == .f32, "floats needs an f32 tensor, this one is \(dtype)")
    return UnsafePointer(rawPointer.assumingMemoryBound(to: Float.self))
  }

  /// The elements of an f32 tensor, for the op that just allocated it.
  public var mutableFloats: UnsafeMutablePointer<Float> {
    precondition(dtype == .f32, "mutableFloats needs an f32 tensor, this one is \(dtype)")
    return rawPointer.assumingMemoryBound(to: Float.self)
  }

  /// The elements of an i32 tensor.
  public var int32s: UnsafePointer<Int32> {
    precondition(dtype == .i32, "int32s needs an i32 tensor, this one is \(dtype)")
    return UnsafePointer(rawPointer.assumingMemoryBound(to: Int32.self))
  }

  /// Element `index` (flat) widened to f32, whatever the storage type. Slow: for tests and setup.
  public func floatValue(at index: Int) -> Float {
    precondition(index >= 0 && index < count, "index \(index) out of \(count)")
    switch dtype {
    case .f32: return rawPointer.load(fromByteOffset: index * 4, as: Float.self)
    case .f16: return Float(rawPointer.load(fromByteOffset: index * 2, as: Float16.self))
    case .bf16: return bfloat16ToFloat(rawPointer.load(fromByteOffset: index * 2, as: UInt16.self))
    case .i32: return Float(rawPointer.load(fromByteOffset: index * 4, as: Int32.self))
    case .u8: return Float(rawPointer.load(fromByteOffset: index, as: UInt8.self))
    }
  }

  /// All elements widened to f32, as an array. Slow: for tests and small parameters.
  public var scalars: [Float] { (0..<count).map(floatValue(at:)) }

  /// This tensor as f32: itself when already f32, otherwise a widened copy.
  public func toFloat32() -> Tensor {
    if dtype == .f32 { return self }
    precondition(dtype.isFloatingPoint || dtype == .i32 || dtype == .u8, "cannot widen \(dtype)")
    let result = Tensor(uninitialized: shape)
    let output = result.mutableFloats
    switch dtype {
    case .f16:
      let source = rawPointer.assumingMemoryBound(to: Float16.self)
      for index in 0..<count { output[index] = Float(source[index]) }
    case .bf16:
      let source = rawPointer.assumingMemoryBound(to: UInt16.self)
      for index in 0..<count { output[index] = bfloat16ToFloat(source[index]) }
    default:
      for index in 0..<count { output[index] = floatValue(at: index) }
    }
    return result
  }

  /// The same elements under another shape with the same count (no copy). One dimension may be -1.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      let known = newShape.filter { $0 != -1 }.reduce(1, *)
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[inferred] = count / known
    }
    precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
    return Tensor(shape: resolved, dtype: dtype, storage: storage, byteOffset: byteOffset)
  }

  /// Rows `range` of the outermost dimension (no copy).
  public func slice(outer range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice \(range) of \(shape)")
    let rowBytes = shape.dropFirst().reduce(1, *) * dtype.byteSize
    var newShape = shape
    newShape[0] = range.count
    return Tensor(shape: newShape, dtype: dtype, storage: storage, byteOffset: byteOffset + range.lowerBound * rowBytes)
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor(\(shape), \(dtype))" }
}
