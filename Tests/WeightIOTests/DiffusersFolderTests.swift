// A folder written by diffusers' save_pretrained (sharded UNet plus fp16 variant, a transformers
// text encoder), and the ways a model folder can be incomplete.

import Foundation
import TensorCore
import Testing
@testable import WeightIO

/// The subset of diffusers' UNet2DModel config the test reads, with the reference's own keys.
struct TinyUNetConfig: Decodable {
  let sampleSize: Int
  let blockOutChannels: [Int]
  let downBlockTypes: [String]
  enum CodingKeys: String, CodingKey {
    case sampleSize = "sample_size", blockOutChannels = "block_out_channels", downBlockTypes = "down_block_types"
  }
}

@Suite struct DiffusersFolderTests {
  @Test func readsSavePretrainedFolder() throws {
    guard let path = Fixtures.path("tiny-pipeline"), let expectedPath = Fixtures.path("tiny-pipeline-expected.safetensors")
    else { Issue.record("fixtures missing"); return }
    let expected = try SafeTensorsFile(path: expectedPath)
    let folder = try DiffusersFolder(path: path)
    #expect(folder.pipelineClassName == "DDPMPipeline")
    #expect(folder.componentNames == ["scheduler", "text_encoder", "unet"], "[null, null] entries are skipped")
    #expect(folder.entries["text_encoder"] == .init(library: "transformers", className: "CLIPTextModel"))

    let unet = try folder.component("unet")
    #expect(unet.className == "UNet2DModel")
    let config = try unet.decodeConfig(TinyUNetConfig.self)
    #expect(config.sampleSize == 8 && config.blockOutChannels == [8, 16])
    #expect(config.downBlockTypes == ["DownBlock2D", "AttnDownBlock2D"])
    #expect(try unet.configObject()["_class_name"] as? String == "UNet2DModel")

    let sharded = try unet.weights()
    #expect(sharded.files.count == 5, "sharded weights come before the fp16 variant by default")
    #expect(sharded.keys.count == Int(expected.metadata["unet_key_count"] ?? ""))
    for key in expected.tensorNames {
      let difference = compare(try sharded.tensor(key), try expected.tensor(key), tolerance: 0)
      #expect(difference.isWithinTolerance, "\(key): \(difference)")
    }

    let halfUNet = try DiffusersFolder(path: path, prefersFP16: true).component("unet")
    let half = try halfUNet.weights()
    #expect(half.files.count == 1 && half.files[0].path.hasSuffix("diffusion_pytorch_model.fp16.safetensors"))
    #expect(half.dtype(of: "conv_in.weight") == .f16)
    #expect(half.keys == sharded.keys)
    let difference = compare(try half.tensor("conv_in.weight"), try expected.tensor("conv_in.weight"),
                             tolerance: 0, relativeTolerance: 1e-3)
    #expect(difference.isWithinTolerance, "fp16 variant: \(difference)")

    let textEncoder = try folder.component("text_encoder")
    let textWeights = try textEncoder.weights()
    #expect(textWeights.source.hasSuffix("text_encoder/model.safetensors"))
    // transformers 5 drops the "text_model." prefix older checkpoints have.
    #expect(textWeights.shape(of: "embeddings.token_embedding.weight") == [50, 8])

    let scheduler = try folder.component("scheduler")
    #expect(scheduler.configPath.hasSuffix("scheduler_config.json"))
    #expect(try scheduler.configObject()["num_train_timesteps"] as? Int == 10)
    #expect(folder.problems(models: ["unet", "text_encoder"], others: ["scheduler"]).isEmpty)
  }

  @Test func incompleteFolderReportsEverything() throws {
    let temporary = try TemporaryFolder()
    try temporary.write(text: #"{"_class_name": "UnCLIPPipeline", "prior": ["diffusers", "PriorTransformer"],"#
      + #" "decoder": ["diffusers", "UNet2DConditionModel"], "text_encoder": ["transformers", "CLIPTextModel"]}"#,
      to: "model_index.json")
    try temporary.write(text: "{not json", to: "prior/config.json")
    try temporary.write(text: #"{"in_channels": 3}"#, to: "decoder/config.json")
    try temporary.write(text: "x", to: "decoder/diffusion_pytorch_model.bin")
    let folder = try DiffusersFolder(path: temporary.path)
    let problems = folder.problems(models: ["prior", "decoder", "text_encoder"], others: ["scheduler"])
    let descriptions = problems.map(\.description)
    #expect(problems.count == 5, "\(descriptions)")
    #expect(problems.contains(.missingComponent(name: "text_encoder", folder: temporary.path)))
    #expect(problems.contains(.missingComponent(name: "scheduler", folder: temporary.path)))
    #expect(descriptions.contains { $0.hasPrefix("config of component 'prior'") })
    #expect(descriptions.contains { $0.hasPrefix("weights of component 'prior'") })
    #expect(descriptions.contains { $0.hasPrefix("weights of component 'decoder'") && $0.contains("safetensors") })

    #expect(throws: WeightError.missingComponent(folder: temporary.path, component: "vae")) { try folder.component("vae") }
    let decoder = try folder.component("decoder")
    #expect(throws: WeightError.missingWeights(folder: decoder.path, candidates: decoder.weightCandidates)) {
      try decoder.weights()
    }
    guard case .invalidConfig(_, let reason)? = WeightSetTests.error({ _ = try decoder.decodeConfig(TinyUNetConfig.self) })
    else { Issue.record("expected invalidConfig"); return }
    #expect(reason == "key 'sample_size' is missing")
  }

  @Test func notAModelFolder() throws {
    let temporary = try TemporaryFolder()
    guard case .invalidConfig(let file, _)? = WeightSetTests.error({ _ = try DiffusersFolder(path: temporary.path) })
    else { Issue.record("expected invalidConfig"); return }
    #expect(file.hasSuffix("model_index.json"))
    let absent = temporary.file("absent")
    #expect(WeightSetTests.error({ _ = try DiffusersFolder(path: absent) }) == .fileNotFound(file: absent))
    let plain = try temporary.write(text: "{}", to: "plain.json")
    guard case .invalidConfig? = WeightSetTests.error({ _ = try DiffusersFolder(path: plain) })
    else { Issue.record("expected invalidConfig for a file"); return }
    try temporary.write(text: "[1, 2]", to: "array/model_index.json")
    guard case .invalidConfig? = WeightSetTests.error({ _ = try DiffusersFolder(path: temporary.file("array")) })
    else { Issue.record("expected invalidConfig for a non-object index"); return }
  }
}
