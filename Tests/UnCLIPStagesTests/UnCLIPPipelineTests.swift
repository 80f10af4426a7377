// End to end against diffusers: UnCLIPPipeline("horse", 2/2/2 steps, seed 0) and
// UnCLIPImageVariationPipeline(variation_input.png, 2/2 steps, seed 0) on the tiny folder, with the
// intermediates recorded by scripts/golden/unclip_tiny.py compared first so a mismatch shows where
// it starts; determinism across thread counts; embeddings passed in directly.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

/// Collects the named intermediates of one run.
final class TraceLog: @unchecked Sendable {
  var values: [String: Tensor] = [:]
  func record(_ name: String, _ tensor: Tensor) { values[name] = tensor }
}

@Suite("unCLIP pipelines end to end", .serialized)
struct UnCLIPPipelineTests {
  static let options = UnCLIPOptions(priorSteps: 2, decoderSteps: 2, superResSteps: 2)

  /// (our trace name, golden name) in pipeline order.
  static let textToImagePairs: [(String, String)] = [
    ("prior.initial_latents", "prepare_latents.0"),
    ("prior.model_output.0", "prior_scheduler.model_output.0"), ("prior.noise.0", "scheduler_noise.0"),
    ("prior.latents.0", "prior_scheduler.prev_sample.0"),
    ("prior.model_output.1", "prior_scheduler.model_output.1"), ("prior.latents.1", "prior_scheduler.prev_sample.1"),
    ("prior.image_embeddings", "text_proj.in.image_embeddings.0"),
    ("text_proj.hidden_states", "text_proj.out.0.0"), ("text_proj.time_embeddings", "text_proj.out.1.0"),
  ] + decoderPairs(decoderLatents: "prepare_latents.1", superResLatents: "prepare_latents.2", firstNoise: 1)

  static func decoderPairs(decoderLatents: String, superResLatents: String, firstNoise: Int) -> [(String, String)] {
    [
      ("decoder.initial_latents", decoderLatents),
      ("decoder.model_output.0", "decoder_scheduler.model_output.0"), ("decoder.noise.0", "scheduler_noise.\(firstNoise)"),
      ("decoder.latents.0", "decoder_scheduler.prev_sample.0"),
      ("decoder.model_output.1", "decoder_scheduler.model_output.1"), ("decoder.latents.1", "decoder_scheduler.prev_sample.1"),
      ("super_res.initial_latents", superResLatents),
      ("super_res.model_output.0", "super_res_first.out.sample.0"), ("super_res.noise.0", "scheduler_noise.\(firstNoise + 1)"),
      ("super_res.latents.0", "super_res_scheduler.prev_sample.0"),
      ("super_res.model_output.1", "super_res_last.out.sample.0"), ("super_res.latents.1", "super_res_scheduler.prev_sample.1"),
    ]
  }

  /// The super-resolution step from t = 999 straight to t = 0 divides ε's error by √ᾱ₉₉₉ = 4.9e-5
  /// (×20 291) wherever the predicted x₀ is not clamped: a 1e-6 float32 difference in the UNet output
  /// becomes 0.02 in those pixels (2 of 12 288 here), which super_res_last's convolutions then spread
  /// to their neighbours. From there on 99 % of the elements are held to 1e-3 and all to 0.05; the step
  /// and super_res_last are checked on diffusers' own inputs in `superResStepIsExactOnReferenceOutput`.
  static let illConditioned: Set<String> = ["super_res.latents.0", "super_res.model_output.1", "super_res.latents.1", "image"]

  func compare(_ log: TraceLog, _ image: Tensor, pairs: [(String, String)], golden: SafeTensorsFile) throws {
    for (ours, theirs) in pairs + [("image", "image")] {
      let actual = ours == "image" ? image : try #require(log.values[ours], "no trace \(ours)")
      let expected = try golden.float(theirs)
      if Self.illConditioned.contains(ours) {
        let (worst, outside) = mismatchStatistics(actual, expected, tolerance: 1e-3)
        print("unCLIP e2e \(ours): max-abs \(worst), \(outside) of \(actual.count) elements beyond 1e-3")
        #expect(actual.shape == expected.shape && worst <= 0.05 && Double(outside) <= 0.01 * Double(actual.count),
                "\(ours) vs \(theirs): max-abs \(worst), \(outside) elements beyond 1e-3")
      } else {
        let error = expectNear(actual, expected, tolerance: 1e-3, "\(ours) vs \(theirs)")
        print("unCLIP e2e \(ours): max-abs \(error)")
      }
    }
  }

  /// Max-abs error and how many elements exceed `tolerance`.
  func mismatchStatistics(_ actual: Tensor, _ expected: Tensor, tolerance: Float) -> (Float, Int) {
    guard actual.count == expected.count else { return (.infinity, actual.count) }
    let (a, e) = (actual.scalars, expected.scalars)
    var worst: Float = 0
    var outside = 0
    for index in 0..<a.count {
      let error = Swift.abs(a[index] - e[index])
      if !(error <= worst) { worst = error.isNaN ? .infinity : error }
      if !(error <= tolerance) { outside += 1 }
    }
    return (worst, outside)
  }

  @Test func superResStepIsExactOnReferenceOutput() throws {
    let golden = try UnCLIPGolden.file("unclip_text_to_image")
    let pipeline = try UnCLIPPipeline(folder: try UnCLIPGolden.folder())
    let scheduler = pipeline.stack.superResScheduler
    let latents = scheduler.step(modelOutput: try golden.float("super_res_first.out.sample.0"), timestep: 999,
                                 sample: try golden.float("prepare_latents.2"), previous: 0,
                                 noise: try golden.float("scheduler_noise.2"))
    expectNear(latents, try golden.float("super_res_scheduler.prev_sample.0"), tolerance: 1e-4, "super-res step on reference ε")
    let last = pipeline.stack.superResLast(sample: concat([latents, try golden.float("super_res.upscaled.0")], axis: 1), timestep: 0)
    expectNear(last, try golden.float("super_res_last.out.sample.0"), tolerance: 1e-4, "super_res_last on reference input")
  }

  @Test func textToImageMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_text_to_image")
    let pipeline = try UnCLIPPipeline(folder: try UnCLIPGolden.folder())
    let log = TraceLog()
    var generator = TorchGenerator(seed: 0)
    let image = try pipeline(prompt: "horse", options: Self.options, generator: &generator, trace: log.record)
    try compare(log, image, pairs: Self.textToImagePairs, golden: golden)
  }

  func variationInput(_ pipeline: UnCLIPImageVariationPipeline, golden: SafeTensorsFile) throws -> Tensor {
    let pixels = try golden.tensor("input_pixels")  // [32,32,3] u8
    let bytes = (0..<pixels.count).map { UInt8(pixels.floatValue(at: $0)) }
    let values = try pipeline.imageProcessor.preprocess(pixels: bytes, height: pixels.shape[0], width: pixels.shape[1], channels: 3)
    return values.reshaped([1] + values.shape)  // [3,S,S] -> [1,3,S,S]
  }

  @Test func imageVariationMatchesDiffusers() throws {
    let golden = try UnCLIPGolden.file("unclip_variations")
    let pipeline = try UnCLIPImageVariationPipeline(folder: try UnCLIPGolden.folder())
    let embeddings = try pipeline.imageEmbeddings(pixelValues: try variationInput(pipeline, golden: golden))
    expectNear(embeddings, try golden.float("image_encoder.out.image_embeds.0"), tolerance: 1e-4, "image embeddings")
    let log = TraceLog()
    var generator = TorchGenerator(seed: 0)
    let image = try pipeline.generate(imageEmbeddings: embeddings, options: Self.options, generator: &generator, trace: log.record)
    let pairs = [("text_proj.hidden_states", "text_proj.out.0.0"), ("text_proj.time_embeddings", "text_proj.out.1.0")]
      + Self.decoderPairs(decoderLatents: "prepare_latents.0", superResLatents: "prepare_latents.1", firstNoise: 0)
    try compare(log, image, pairs: pairs, golden: golden)
  }

  @Test func embeddingsPassedInDirectlyMatchTheImagePath() throws {
    let golden = try UnCLIPGolden.file("unclip_variations")
    let pipeline = try UnCLIPImageVariationPipeline(folder: try UnCLIPGolden.folder())
    let embeddings = try pipeline.imageEmbeddings(pixelValues: try variationInput(pipeline, golden: golden))
    var first = TorchGenerator(seed: 3)
    let direct = try pipeline.generate(imageEmbeddings: embeddings, options: Self.options, generator: &first)
    let other = mul(embeddings, -1)
    let start = slerp(embeddings, other.reshaped(embeddings.shape), t: 0)
    var second = TorchGenerator(seed: 3)
    let interpolated = try pipeline.generate(imageEmbeddings: start, options: Self.options, generator: &second)
    expectNear(interpolated, direct, tolerance: 1e-6, "slerp at t = 0 reproduces the embedding's image")
    var third = TorchGenerator(seed: 3)
    let halfway = try pipeline.generate(imageEmbeddings: slerp(embeddings, mul(embeddings, 0.5), t: 0.5), options: Self.options,
                                        generator: &third)
    #expect(halfway.shape == [1, 64, 64, 3])
  }

  @Test func runsAreBitIdenticalAcrossThreadCounts() throws {
    let pipeline = try UnCLIPPipeline(folder: try UnCLIPGolden.folder())
    let original = ComputePool.shared.threadCount
    defer { ComputePool.shared.setThreadCount(original) }
    var images: [[Float]] = []
    for threads in [1, 2] {
      ComputePool.shared.setThreadCount(threads)
      var generator = TorchGenerator(seed: 0)
      images.append(try pipeline(prompt: "horse", options: Self.options, generator: &generator).scalars)
    }
    #expect(images[0] == images[1], "1 and 2 threads differ")
  }

  @Test func rejectsTooFewSteps() throws {
    let pipeline = try UnCLIPPipeline(folder: try UnCLIPGolden.folder())
    var generator = TorchGenerator(seed: 0)
    #expect(throws: UnCLIPError.invalidSteps(stage: "prior", steps: 1)) {
      try pipeline(prompt: "horse", options: UnCLIPOptions(priorSteps: 1), generator: &generator)
    }
  }
}
