// UnCLIPScheduler against diffusers: the schedule, timesteps and one step() of each configuration
// the tiny folder uses, with the noise diffusers drew from a generator seeded 1234.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite("UnCLIPScheduler")
struct UnCLIPSchedulerTests {
  static let configurations: [(String, String)] = [
    ("scheduler.prior", "prior_scheduler"), ("scheduler.decoder", "decoder_scheduler"),
    ("scheduler.super_res", "super_res_scheduler"),
  ]

  func scheduler(_ component: String) throws -> UnCLIPScheduler {
    var problems: [String] = []
    let folder = try UnCLIPGolden.folder()
    let config = try #require(folder.config(UnCLIPScheduler.Config.self, component: component, file: "scheduler_config.json",
                                            problems: &problems))
    #expect(problems.isEmpty && config.problems.isEmpty)
    return UnCLIPScheduler(config: config)
  }

  @Test(arguments: configurations)
  func stepMatchesDiffusers(prefix: String, component: String) throws {
    let golden = try UnCLIPGolden.file("unclip_components")
    let scheduler = try scheduler(component)
    expectNear(Tensor(scheduler.alphasCumprod, shape: [scheduler.alphasCumprod.count]),
               try golden.float("\(prefix).alphas_cumprod"), tolerance: 0, "\(prefix) alphas_cumprod")
    for steps in [2, 7, 25] {
      #expect(scheduler.timesteps(steps: steps) == (try golden.ints("\(prefix).timesteps.\(steps)")), "\(prefix) \(steps) steps")
    }
    let timesteps = scheduler.timesteps(steps: 2)
    let sample = try golden.float("\(prefix).sample")
    let modelOutput = try golden.float("\(prefix).model_output")
    for (index, t) in timesteps.enumerated() {
      let previous = index + 1 < timesteps.count ? timesteps[index + 1] : nil
      var generator = TorchGenerator(seed: 1234)
      let noise = scheduler.needsNoise(timestep: t) ? generator.randn(sample.shape) : nil
      let result = scheduler.step(modelOutput: modelOutput, timestep: t, sample: sample, previous: previous, noise: noise)
      expectNear(result, try golden.float("\(prefix).step\(index).prev_sample"), tolerance: 1e-5, "\(prefix) step \(index)")
    }
  }
}
