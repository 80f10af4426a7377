// Ports diffusers 0.42 UnCLIPScheduler (schedulers/scheduling_unclip.py): squaredcos_cap_v2 betas,
// variance types fixed_small_log / learned_range, prediction types epsilon / sample, clip_sample.
// Scalar coefficients are computed in f32 in torch's order (its 0-d f32 tensors); alphas_cumprod
// accumulates in double like torch's CPU cumprod.
import Foundation
import TensorCore

/// The unCLIP DDPM-style scheduler.
public struct UnCLIPScheduler: Sendable {
  /// `*_scheduler/scheduler_config.json`, keys verbatim.
  public struct Config: Codable, Sendable {
    public var numTrainTimesteps: Int = 1000
    public var varianceType: String = "fixed_small_log"
    public var clipSample: Bool = true
    public var clipSampleRange: Float = 1
    public var predictionType: String = "epsilon"
    public var betaSchedule: String = "squaredcos_cap_v2"

    enum CodingKeys: String, CodingKey {
      case numTrainTimesteps = "num_train_timesteps", varianceType = "variance_type", clipSample = "clip_sample"
      case clipSampleRange = "clip_sample_range", predictionType = "prediction_type", betaSchedule = "beta_schedule"
    }

    public init(numTrainTimesteps: Int = 1000, varianceType: String = "fixed_small_log", clipSample: Bool = true,
                clipSampleRange: Float = 1, predictionType: String = "epsilon") {
      self.numTrainTimesteps = numTrainTimesteps
      self.varianceType = varianceType
      self.clipSample = clipSample
      self.clipSampleRange = clipSampleRange
      self.predictionType = predictionType
    }

    public init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      numTrainTimesteps = try c.decodeIfPresent(Int.self, forKey: .numTrainTimesteps) ?? numTrainTimesteps
      varianceType = try c.decodeIfPresent(String.self, forKey: .varianceType) ?? varianceType
      clipSample = try c.decodeIfPresent(Bool.self, forKey: .clipSample) ?? clipSample
      clipSampleRange = try c.decodeIfPresent(Float.self, forKey: .clipSampleRange) ?? clipSampleRange
      predictionType = try c.decodeIfPresent(String.self, forKey: .predictionType) ?? predictionType
      betaSchedule = try c.decodeIfPresent(String.self, forKey: .betaSchedule) ?? betaSchedule
    }

    /// Problems with values this port does not implement (empty when fine).
    public var problems: [String] {
      var found: [String] = []
      if !["fixed_small_log", "learned_range"].contains(varianceType) { found.append("variance_type = \(varianceType) is not supported") }
      if !["epsilon", "sample"].contains(predictionType) { found.append("prediction_type = \(predictionType) is not supported") }
      if betaSchedule != "squaredcos_cap_v2" { found.append("beta_schedule = \(betaSchedule) is not supported") }
      if numTrainTimesteps < 2 { found.append("num_train_timesteps = \(numTrainTimesteps) is too small") }
      return found
    }
  }

  public let config: Config
  /// β_t (f32).
  public let betas: [Float]
  /// α_t = 1 − β_t (f32).
  public let alphas: [Float]
  /// ∏ α (f32 values of a double running product).
  public let alphasCumprod: [Float]

  /// The schedule of `config` (call ``Config/problems`` first for user-given configs).
  public init(config: Config) {
    self.config = config
    let count = config.numTrainTimesteps
    func alphaBar(_ t: Double) -> Double {
      let c = Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2)
      return c * c
    }
    betas = (0..<count).map { i in
      Float(min(1 - alphaBar(Double(i + 1) / Double(count)) / alphaBar(Double(i) / Double(count)), 0.999))
    }
    alphas = betas.map { 1 - $0 }
    var product = 1.0
    alphasCumprod = alphas.map { alpha in
      product *= Double(alpha)
      return Float(product)
    }
  }

  /// `set_timesteps(n)`: n timesteps from T−1 down to 0, evenly spaced, rounded half to even.
  public func timesteps(steps: Int) -> [Int] {
    precondition(steps >= 2, "UnCLIPScheduler needs at least 2 steps")
    let ratio = Double(config.numTrainTimesteps - 1) / Double(steps - 1)
    return (0..<steps).reversed().map { Int((Double($0) * ratio).rounded(.toNearestOrEven)) }
  }

  /// One `step()`: `modelOutput` [N, C or 2C, …] at `timestep`, `sample` [N, C, …], `previous` the next
  /// timestep (nil: t − 1). `noise` (same shape as `sample`) is drawn by the caller exactly when
  /// ``needsNoise(timestep:)`` is true, as diffusers draws it from the generator.
  public func step(modelOutput: Tensor, timestep t: Int, sample: Tensor, previous: Int?, noise: Tensor?) -> Tensor {
    var output = modelOutput
    var predictedVariance: Tensor?
    if modelOutput.shape[1] == sample.shape[1] * 2 && config.varianceType == "learned_range" {
      let halves = split(modelOutput, sizes: [sample.shape[1], sample.shape[1]], axis: 1)
      output = halves[0]
      predictedVariance = halves[1]
    }
    let previousT = previous ?? t - 1
    let alphaProd = alphasCumprod[t]
    let alphaProdPrevious: Float = previousT >= 0 ? alphasCumprod[previousT] : 1
    let betaProd = 1 - alphaProd
    let betaProdPrevious = 1 - alphaProdPrevious
    let (beta, alpha): (Float, Float)
    if previousT == t - 1 {
      (beta, alpha) = (betas[t], alphas[t])
    } else {
      let b = 1 - alphaProd / alphaProdPrevious
      (beta, alpha) = (b, 1 - b)
    }
    var original: Tensor
    if config.predictionType == "sample" {
      original = output
    } else {
      // (sample − √β̄_t · ε) / √ᾱ_t
      original = div(sub(sample, mul(output, betaProd.squareRoot())), Tensor([alphaProd.squareRoot()], shape: []))
    }
    if config.clipSample { original = clamp(original, min: -config.clipSampleRange, max: config.clipSampleRange) }
    let originalCoefficient = (alphaProdPrevious.squareRoot() * beta) / betaProd
    let sampleCoefficient = alpha.squareRoot() * betaProdPrevious / betaProd
    var previousSample = add(mul(original, originalCoefficient), mul(sample, sampleCoefficient))
    if t > 0, let noise {
      let variance = betaProdPrevious / betaProd * beta
      let scaled: Tensor
      if config.varianceType == "learned_range", let predictedVariance {
        // frac · log β + (1 − frac) · log σ², frac = (v + 1) / 2, then exp(½ ·).
        let minLog = Foundation.log(variance)
        let maxLog = Foundation.log(beta)
        let fraction = mul(add(predictedVariance, 1), 0.5)
        let logVariance = add(mul(fraction, maxLog), mul(sub(Tensor([1], shape: []), fraction), minLog))
        scaled = mul(exp(mul(logVariance, 0.5)), noise)
      } else {
        let standardDeviation = Foundation.exp(0.5 * Foundation.log(max(variance, 1e-20)))
        scaled = mul(noise, standardDeviation)
      }
      previousSample = add(previousSample, scaled)
    }
    return previousSample
  }

  /// Whether `step` at `timestep` draws variance noise (diffusers draws it only for t > 0).
  public func needsNoise(timestep: Int) -> Bool { timestep > 0 }
}
