// audio.mix: a weighted sum of two audio values at the same sample rate; the shorter is padded with
// silence. C channels, S samples.
import EaselPluginSDK
import TensorCore

/// Mixes two sounds.
public struct AudioMix: Stage {
  public static let name = "audio.mix"
  public static let summary = "Mix two sounds (gains a and b); the shorter one is padded with silence"
  public static let inputs = [
    PortSpec("a", .audio, shape: "[C,S]", description: "first sound"),
    PortSpec("b", .audio, shape: "[C,S']", description: "second sound (same sample rate)"),
  ]
  public static let outputs = [PortSpec("audio", .audio, shape: "[C,max(S,S')]", description: "the mix")]
  public static let parameters: [ParamSpec] = [
    .float("gain_a", default: 0.5, range: 0...4, description: "gain of a"),
    .float("gain_b", default: 0.5, range: 0...4, description: "gain of b"),
    .bool("clip", default: true, description: "clamp the result to -1...1"),
  ]

  let gainA: Float
  let gainB: Float
  let clip: Bool

  public init(parameters: StageParameters, context: StageContext) throws {
    gainA = Float(try parameters.float("gain_a"))
    gainB = Float(try parameters.float("gain_b"))
    clip = try parameters.bool("clip")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    guard let a = inputs["a"], let b = inputs["b"], let ta = a.tensor, let tb = b.tensor else {
      throw StageError.invalidInput(port: "a/b", reason: "both inputs must be audio")
    }
    guard let rate = a.sampleRate, rate == b.sampleRate else {
      throw StageError.invalidInput(port: "b", reason: "sample rates differ (\(a.sampleRate ?? 0) vs \(b.sampleRate ?? 0)); "
        + "generate both at the same sample_rate")
    }
    let channels = max(ta.shape[0], tb.shape[0])
    let length = max(ta.shape[1], tb.shape[1])
    let result = Tensor(zeros: [channels, length])  // [C,S] + [C,S'] -> [C,max(S,S')]
    let output = result.mutableFloats
    for (tensor, gain) in [(ta.toFloat32(), gainA), (tb.toFloat32(), gainB)] {
      let source = tensor.floats
      let samples = tensor.shape[1]
      for channel in 0..<channels {
        // A mono input is spread over every channel.
        let from = source + (channel % tensor.shape[0]) * samples
        let to = output + channel * length
        for index in 0..<samples { to[index] += gain * from[index] }
      }
      withExtendedLifetime(tensor) {}
    }
    if clip { for index in 0..<(channels * length) { output[index] = max(-1, min(1, output[index])) } }
    return StageOutputs(["audio": .audio(result, sampleRate: rate)])
  }
}
