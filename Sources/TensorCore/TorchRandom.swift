// Ports torch.Generator (CPU) and torch.randn / torch.rand on float32 from PyTorch 2.13 ATen:
// CPUGeneratorImpl + at::mt19937, uniform_real_distribution, normal_distribution<double>
// (DistributionsHelper.h), normal_fill / normal_fill_AVX2 (native/cpu/DistributionTemplates.h) and
// log256_ps / sincos256_ps (native/cpu/avx_mathfun.h). Same seed, same calls → same bits as torch,
// so diffusers pipelines (whose schedulers draw from one generator several times) reproduce exactly.
//
// N element count.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A random generator that reproduces `torch.Generator().manual_seed(seed)` on the CPU bit for bit.
///
/// `randn` follows ATen: a tensor of fewer than 16 elements draws element by element from
/// `normal_distribution<double>` (Box–Muller in double, the second value of each pair cached in the
/// generator for the next draw); 16 or more elements are first filled with float uniforms, then
/// transformed 16 at a time (pairs i, i+8), and when N is not a multiple of 16 the last 16 are drawn
/// afresh and transformed again. Like torch, the cached normal survives between calls.
public struct TorchGenerator: Sendable {
  /// Which of ATen's two float32 `normal_fill` kernels to reproduce for N ≥ 16.
  public enum NormalKernel: Sendable {
    /// `normal_fill_AVX2`: Cephes polynomials in float with fused multiply-adds. What torch runs on
    /// every x86-64 CPU with AVX2 (AVX-512 machines included).
    case avx2
    /// `normal_fill`: Box–Muller with libm's float `logf`, `cosf`, `sinf`. What torch runs on CPUs
    /// without AVX2 (and on ARM, e.g. Apple silicon); `ATEN_CPU_CAPABILITY=default` forces it.
    /// Bit-exact only where this process's libm agrees with torch's (verified with glibc).
    case portable
  }

  /// The seed given to ``init(seed:normalKernel:)``.
  public let seed: UInt64
  /// The kernel used for N ≥ 16.
  public let normalKernel: NormalKernel
  private var engine: MersenneTwister
  /// The second value of the last double Box–Muller pair (`next_double_normal_sample`).
  private var cachedNormal: Double?

  /// `torch.Generator().manual_seed(seed)`. As in torch, only the low 32 bits seed the twister.
  public init(seed: UInt64, normalKernel: NormalKernel = .avx2) {
    self.seed = seed
    self.normalKernel = normalKernel
    engine = MersenneTwister(seed: UInt32(truncatingIfNeeded: seed))
    cachedNormal = nil
  }

  /// The next raw 32-bit output (`generator->random()`).
  public mutating func nextUInt32() -> UInt32 { engine.next() }

  /// `torch.randn(shape, generator=g, dtype=torch.float32)`: standard normal samples.
  public mutating func randn(_ shape: [Int]) -> Tensor {
    let result = Tensor(uninitialized: shape)
    fillNormal(UnsafeMutableBufferPointer(start: result.mutableFloats, count: result.count))
    return result
  }

  /// `torch.rand(shape, generator=g, dtype=torch.float32)`: uniform samples in [0, 1).
  public mutating func rand(_ shape: [Int]) -> Tensor {
    let result = Tensor(uninitialized: shape)
    let output = result.mutableFloats
    for index in 0..<result.count { output[index] = nextUniformFloat() }
    return result
  }

  /// Fills `buffer` as `torch.randn` fills a contiguous float32 tensor of that many elements.
  public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
    guard let data = buffer.baseAddress else { return }
    let count = buffer.count
    if count < 16 {
      for index in 0..<count { data[index] = Float(nextNormalDouble()) }
      return
    }
    for index in 0..<count { data[index] = nextUniformFloat() }
    var block = 0
    while block + 16 <= count {
      transform16(data + block)
      block += 16
    }
    if count % 16 != 0 {
      let tail = data + count - 16
      for index in 0..<16 { tail[index] = nextUniformFloat() }
      transform16(tail)
    }
  }

  /// `uniform_real_distribution<float>(0, 1)`: 24 random bits scaled by 2⁻²⁴.
  @inline(__always)
  private mutating func nextUniformFloat() -> Float {
    Float(engine.next() & 0xFF_FFFF) * (1.0 / 16_777_216.0)
  }

  /// `uniform_real_distribution<double>(0, 1)`: 53 bits of `random64()` (first draw high) × 2⁻⁵³.
  private mutating func nextUniformDouble() -> Double {
    let high = UInt64(engine.next())
    let low = UInt64(engine.next())
    return Double(((high << 32) | low) & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// `normal_distribution<double>(0, 1)` with the generator's cached second sample.
  private mutating func nextNormalDouble() -> Double {
    if let cached = cachedNormal {
      cachedNormal = nil
      return cached
    }
    let u1 = nextUniformDouble()
    let u2 = nextUniformDouble()
    let radius = (-2.0 * log1p(-u2)).squareRoot()
    let theta = 2.0 * Double.pi * u1
    cachedNormal = radius * sin(theta)
    return radius * cos(theta)
  }

  /// Box–Muller on 16 uniforms in place: pairs (j, j+8) become (r·cos θ, r·sin θ).
  private func transform16(_ data: UnsafeMutablePointer<Float>) {
    switch normalKernel {
    case .avx2:
      let twoPi = Float(2.0 * Double.pi)
      for lane in 0..<8 {
        let u1 = 1 - data[lane]  // [0, 1) -> (0, 1] for the log
        let u2 = data[lane + 8]
        let radius = (-2 * CephesFloat.log(u1)).squareRoot()
        let (sine, cosine) = CephesFloat.sinCos(twoPi * u2)
        data[lane] = Float(0).addingProduct(radius * cosine, 1)
        data[lane + 8] = Float(0).addingProduct(radius * sine, 1)
      }
    case .portable:
      for lane in 0..<8 {
        let u1 = 1 - data[lane]
        let u2 = data[lane + 8]
        let radius = sqrtf(-2 * logf(u1))
        let theta = Float(2.0 * Double.pi * Double(u2))  // computed in double, stored as float
        data[lane] = Float(0).addingProduct(radius * cosf(theta), 1)
        data[lane + 8] = Float(0).addingProduct(radius * sinf(theta), 1)
      }
    }
  }
}

/// The 32-bit Mersenne twister (MT19937) as `at::mt19937` seeds and runs it.
struct MersenneTwister: Sendable {
  private static let size = 624
  private static let shift = 397
  private var state: [UInt32]
  private var position: Int

  init(seed: UInt32) {
    var state = [UInt32](repeating: 0, count: Self.size)
    state[0] = seed
    for index in 1..<Self.size {
      let previous = state[index - 1]
      state[index] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(index)
    }
    self.state = state
    position = Self.size
  }

  mutating func next() -> UInt32 {
    if position >= Self.size { twist() }
    var value = state[position]
    position += 1
    value ^= value >> 11
    value ^= (value << 7) & 0x9D2C_5680
    value ^= (value << 15) & 0xEFC6_0000
    value ^= value >> 18
    return value
  }

  private mutating func twist() {
    state.withUnsafeMutableBufferPointer { words in
      for index in 0..<Self.size {
        let mixed = (words[index] & 0x8000_0000) | (words[(index + 1) % Self.size] & 0x7FFF_FFFF)
        var next = mixed >> 1
        if mixed & 1 != 0 { next ^= 0x9908_B0DF }
        words[index] = words[(index + Self.shift) % Self.size] ^ next
      }
    }
    position = 0
  }
}

/// One lane of avx_mathfun's `log256_ps` and `sincos256_ps` (Cephes polynomials in float), with the
/// multiply-adds fused where the shipped torch wheel's compiler fused them (GCC contracts each
/// multiply into the add that consumes it). Any other rounding changes the last bit of some samples.
enum CephesFloat {
  // Constants are double literals narrowed to float, as the C arrays initialise them.
  static let sqrtHalf = Float(0.707106781186547524 as Double)
  static let logP: [Float] = [
    7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
    -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1,
  ].map { (value: Double) in Float(value) }
  static let logQ1 = Float(-2.12194440e-4 as Double)
  static let logQ2 = Float(0.693359375 as Double)
  static let minusDP1 = Float(-0.78515625 as Double)
  static let minusDP2 = Float(-2.4187564849853515625e-4 as Double)
  static let minusDP3 = Float(-3.77489497744594108e-8 as Double)
  static let sinP0 = Float(-1.9515295891E-4 as Double)
  static let sinP1 = Float(8.3321608736E-3 as Double)
  static let sinP2 = Float(-1.6666654611E-1 as Double)
  static let cosP0 = Float(2.443315711809948E-005 as Double)
  static let cosP1 = Float(-1.388731625493765E-003 as Double)
  static let cosP2 = Float(4.166664568298827E-002 as Double)
  static let fourOverPi = Float(1.27323954473516 as Double)

  /// Natural logarithm of a positive float (`log256_ps`).
  static func log(_ input: Float) -> Float {
    var x = max(input, Float(bitPattern: 0x0080_0000))  // cut off denormals
    let exponent = Int32(bitPattern: x.bitPattern >> 23) - 0x7F
    x = Float(bitPattern: (x.bitPattern & ~0x7F80_0000) | Float(0.5).bitPattern)  // mantissa in [0.5, 1)
    var e = Float(exponent) + 1
    let below = x < sqrtHalf
    let extra: Float = below ? x : 0
    x -= 1
    if below { e -= 1 }
    x += extra

    let z = x * x
    var y = logP[0]
    for index in 1..<9 { y = logP[index].addingProduct(y, x) }
    y *= x
    y = (e * logQ1).addingProduct(y, z)
    y = y.addingProduct(z, -0.5)
    x += y
    return x.addingProduct(e, logQ2)
  }

  /// Sine and cosine of a float (`sincos256_ps`), accurate for |x| < 8192.
  static func sinCos(_ input: Float) -> (sin: Float, cos: Float) {
    var signSine = input.bitPattern & 0x8000_0000
    var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
    var octant = Int32(x * fourOverPi)  // truncation, as cvttps
    octant = (octant &+ 1) & ~1
    let y = Float(octant)
    signSine ^= UInt32(bitPattern: octant & 4) << 29
    let usesSinePolynomial = (octant & 2) == 0
    let signCosine = UInt32(bitPattern: ~(octant &- 2) & 4) << 29

    // Extended-precision modular arithmetic: x - y·π/4 in three parts.
    x = x.addingProduct(y, minusDP1)
    x = x.addingProduct(y, minusDP2)
    x = x.addingProduct(y, minusDP3)

    let z = x * x
    var cosine = cosP1.addingProduct(cosP0, z)
    cosine = cosP2.addingProduct(cosine, z)
    cosine *= z
    cosine = (-(z * 0.5)).addingProduct(cosine, z)
    cosine += 1

    var sine = sinP1.addingProduct(sinP0, z)
    sine = sinP2.addingProduct(sine, z)
    sine *= z
    sine = x.addingProduct(sine, x)

    let sinValue = usesSinePolynomial ? sine : cosine
    let cosValue = usesSinePolynomial ? cosine : sine
    return (Float(bitPattern: sinValue.bitPattern ^ signSine), Float(bitPattern: cosValue.bitPattern ^ signCosine))
  }
}
