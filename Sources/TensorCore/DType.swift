// Element types a tensor can be stored in. Compute is always f32; f16 and bf16 are storage formats
// for weights, widened to f32 on the fly by the kernels that read them.

/// The storage element type of a ``Tensor``.
public enum DType: String, Sendable, CaseIterable {
  case f32, f16, bf16, i32, u8

  /// Bytes per element.
  public var byteSize: Int {
    switch self {
    case .f32, .i32: 4
    case .f16, .bf16: 2
    case .u8: 1
    }
  }

  /// Whether ``Tensor/floatValue(at:)`` and the f32 conversion accept this type.
  public var isFloatingPoint: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// Widens one bf16 value (its 16 raw bits) to f32.
@inlinable
public func bfloat16ToFloat(_ bits: UInt16) -> Float {
  Float(bitPattern: UInt32(bits) << 16)
}

/// Narrows an f32 to bf16 with round-to-nearest-even, as torch does.
@inlinable
public func floatToBFloat16(_ value: Float) -> UInt16 {
  let bits = value.bitPattern
  if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
  let roundingBias = ((bits >> 16) & 1) &+ 0x7FFF
  return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
}
