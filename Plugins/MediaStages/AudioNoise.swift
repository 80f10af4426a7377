// audio.noise: white or pink noise from a seeded generator, so the same seed gives the same samples.
// C channels, S samples.
import EaselPluginSDK
import TensorCore

/// Generates seeded noise.
public struct AudioNoise: Stage {
  public static let name = "audio.noise"
  public static let summary = "White or pink noise from a seed (same seed, same samples)"
  public static let inputs = [
    PortSpec("seed", .tensor, dtype: .i32, shape: "[1]", description: "seed; the 'seed' parameter when unconnected",
             optional: true)
  ]
  public static let outputs = [PortSpec("audio", .audio, shape: "[C,S]", description: "the noise")]
  public static let parameters: [ParamSpec] = [
    .choice("color", ["white", "pink"], default: "white", description: "spectrum"),
    .float("duration", default: 1, range: 0.001...3600, description: "seconds"),
    .int("sample_rate", default: 44100, range: 1000...384000, description: "samples per second"),
    .float("amplitude", default: 0.25, range: 0...1, description: "peak level"),
    .int("channels", default: 1, range: 1...8, description: "independent channels"),
    .int("seed", default: 0, range: 0...2_147_483_647, description: "used when the seed input is unconnected"),
  ]

  let pink: Bool
  let sampleCount: Int
  let sampleRate: Int
  let amplitude: Float
  let channels: Int
  let seed: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    pink = try parameters.string("color") == "pink"
    sampleRate = try parameters.int("sample_rate")
    sampleCount = max(1, Int((try parameters.float("duration") * Double(sampleRate)).rounded()))
    amplitude = Float(try parameters.float("amplitude"))
    channels = try parameters.int("channels")
    seed = try parameters.int("seed")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    var seed = UInt64(self.seed)
    if let tensor = inputs["seed"]?.tensor {
      guard tensor.count >= 1 else { throw StageError.invalidInput(port: "seed", reason: "empty tensor") }
      seed = UInt64(UInt32(bitPattern: Int32(tensor.floatValue(at: 0))))
    }
    var generator = TorchGenerator(seed: seed)
    let result = Tensor(uninitialized: [channels, sampleCount])  // [C,S]
    let output = result.mutableFloats
    for channel in 0..<channels {
      // Paul Kellet's economy pink filter; its gain keeps pink noise near the white level.
      var (b0, b1, b2): (Float, Float, Float) = (0, 0, 0)
      for index in 0..<sampleCount {
        let white = Float(generator.nextUInt32()) / Float(UInt32.max) * 2 - 1
        var value = white
        if pink {
          b0 = 0.99765 * b0 + white * 0.0990460
          b1 = 0.96300 * b1 + white * 0.2965164
          b2 = 0.57000 * b2 + white * 1.0526913
          value = (b0 + b1 + b2 + white * 0.1848) * 0.25
        }
        output[channel * sampleCount + index] = max(-1, min(1, value)) * amplitude
      }
    }
    return StageOutputs(["audio": .audio(result, sampleRate: sampleRate, metadata: ["seed": .number(Double(seed))])])
  }
}
