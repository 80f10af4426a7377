// test.slow: passes audio through after a number of slow steps, checking cancellation between them.
// For the host's signal and progress tests.
import EaselPluginSDK
import Foundation

/// Sleeps in steps, then passes its input on.
public struct TestSlow: Stage {
  public static let name = "test.slow"
  public static let summary = "Testing: wait steps×step_ms (cancellable), then pass the audio on"
  public static let inputs = [PortSpec("audio", .audio, description: "passed through")]
  public static let outputs = [PortSpec("audio", .audio, description: "the same audio")]
  public static let parameters: [ParamSpec] = [
    .int("steps", default: 10, range: 0...100_000, description: "number of steps"),
    .int("step_ms", default: 100, range: 0...60_000, description: "milliseconds per step"),
  ]

  let steps: Int
  let stepMilliseconds: Int

  public init(parameters: StageParameters, context: StageContext) throws {
    steps = try parameters.int("steps")
    stepMilliseconds = try parameters.int("step_ms")
  }

  public func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    guard let audio = inputs["audio"] else { throw StageError.invalidInput(port: "audio", reason: "nothing is connected") }
    for step in 0..<steps {
      try context.checkCancellation()
      usleep(useconds_t(stepMilliseconds * 1000))
      context.progress(step: step + 1, total: steps, message: "waiting")
    }
    try context.checkCancellation()
    return StageOutputs(["audio": audio])
  }
}
