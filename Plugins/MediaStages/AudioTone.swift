// audio.tone: a sine, square, sawtooth or triangle tone with a linear attack/release envelope.
// C channels, S samples.
import EaselPluginSDK
import Foundation
import TensorCore

/// Generates a test tone.
public struct AudioTone: Stage {
  public static let name = "audio.tone"
  public static let summary = "A sine/square/saw/triangle tone with attack and release"
  public static let inputs: [PortSpec] = []
  public static let outputs = [PortSpec("audio", .audio, shape: "[C,S]", description: "the tone")]
  public static let parameters: [ParamSpec] = [
    .choice("waveform", ["sine", "square", "saw", "triangle"], default: "sine", description: "wave shape"),
    .float("frequency", default: 440, range: 1...48000, description: "Hz"),
    .float("duration", default: 1, range: 0.001...3600, description: "seconds"),
    .int("sample_rate", default: 44100, range: 1000...384000, description: "samples per second"),
    .float("amplitude", default: 0.5, range: 0...1, description: "peak level"),
    .float("attack", default: 0.01, range: 0...60, description: "seconds of fade-in"),
    .float("release", default: 0.05, range: 0...60, description: "seconds of fade-out"),
    .int("channels", default: 1, range: 1...8, description: "identical channels"),
  ]

  let waveform: String
  let frequency: Double
  let sampleCount: Int
  let sampleRate: Int
  let amplitude: Double
  let attack: Double
  let release: Double
  let channels: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    waveform = try parameters.string("waveform")
    frequency = try parameters.float("frequency")
    sampleRate = try parameters.int("sample_rate")
    sampleCount = max(1, Int((try parameters.float("duration") * Double(sampleRate)).rounded()))
    amplitude = try parameters.float("amplitude")
    attack = try parameters.float("attack")
    release = try parameters.float("release")
    channels = try parameters.int("channels")
  }

  /// The envelope gain at sample `index`.
  static func envelope(_ index: Int, count: Int, rate: Int, attack: Double, release: Double) -> Double {
    let time = Double(index) / Double(rate)
    let remaining = Double(count - 1 - index) / Double(rate)
    var gain = 1.0
    if attack > 0 { gain = min(gain, time / attack) }
    if release > 0 { gain = min(gain, remaining / release) }
    return max(0, gain)
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let result = Tensor(uninitialized: [channels, sampleCount])  // [C,S]
    let output = result.mutableFloats
    for index in 0..<sampleCount {
      // Phase from the integer sample index, so long tones do not drift.
      let phase = (Double(index) * frequency / Double(sampleRate)).truncatingRemainder(dividingBy: 1)
      let wave: Double
      switch waveform {
      case "square": wave = phase < 0.5 ? 1 : -1
      case "saw": wave = 2 * phase - 1
      case "triangle": wave = phase < 0.5 ? 4 * phase - 1 : 3 - 4 * phase
      default: wave = sin(2 * Double.pi * phase)
      }
      let gain = Self.envelope(index, count: sampleCount, rate: sampleRate, attack: attack, release: release)
      output[index] = Float(amplitude * gain * wave)
    }
    for channel in 1..<max(channels, 1) { (output + channel * sampleCount).update(from: output, count: sampleCount) }
    return StageOutputs(["audio": .audio(result, sampleRate: sampleRate)])
  }
}
