// A broken model folder fails up front with one error naming every problem: a missing component, a
// missing key, a mis-shaped key and a bad config.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite("unCLIP model folder checks")
struct ModelFolderTests {
  /// A copy of the tiny folder in a fresh temporary directory.
  func copyOfTinyFolder() throws -> URL {
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("unclip-folder-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: try UnCLIPGolden.tinyFolder, to: target)
    return target
  }

  @Test func reportsEveryProblemAtOnce() throws {
    let folder = try copyOfTinyFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.removeItem(at: folder.appendingPathComponent("prior"))
    let weightsPath = folder.appendingPathComponent("decoder/diffusion_pytorch_model.safetensors").path
    let original = try SafeTensorsFile(path: weightsPath)
    var tensors: [String: Tensor] = [:]
    for name in original.tensorNames where name != "conv_in.bias" {
      tensors[name] = try original.tensor(name).toFloat32()
    }
    tensors["conv_out.weight"] = Tensor(zeros: [6, 32, 1, 1])
    try FileManager.default.removeItem(atPath: weightsPath)
    try SafeTensorsWriter.write(tensors, to: weightsPath)
    try Data("{\"variance_type\": \"fixed_large\"}".utf8)
      .write(to: folder.appendingPathComponent("super_res_scheduler/scheduler_config.json"))

    do {
      _ = try UnCLIPPipeline(folder: try ModelFolder(path: folder.path))
      Issue.record("a broken folder loaded")
    } catch let UnCLIPError.invalidModel(_, problems) {
      let text = problems.joined(separator: "\n")
      #expect(text.contains("prior: component folder is missing"), "\(text)")
      #expect(text.contains("decoder: missing key 'conv_in.bias'"), "\(text)")
      #expect(text.contains("decoder: key 'conv_out.weight' has shape [6, 32, 1, 1], expected [6, 32, 3, 3]"), "\(text)")
      #expect(text.contains("super_res_scheduler: scheduler_config.json variance_type = fixed_large"), "\(text)")
      #expect(problems.count == 4, "\(text)")
    }
  }

  @Test func fp16VariantFilesAreFound() throws {
    let folder = try copyOfTinyFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for component in ["prior", "decoder", "text_proj", "super_res_first", "super_res_last"] {
      let directory = folder.appendingPathComponent(component)
      try FileManager.default.moveItem(at: directory.appendingPathComponent("diffusion_pytorch_model.safetensors"),
                                       to: directory.appendingPathComponent("diffusion_pytorch_model.fp16.safetensors"))
    }
    let golden = try UnCLIPGolden.file("unclip_components")
    for variant in [nil, "fp16"] as [String?] {
      let pipeline = try UnCLIPPipeline(folder: try ModelFolder(path: folder.path, variant: variant))
      let output = pipeline.prior(hiddenStates: try golden.float("prior.hidden_states"), timestep: 17,
                                  projEmbedding: try golden.float("prior.proj_embedding"),
                                  encoderHiddenStates: try golden.float("prior.encoder_hidden_states"),
                                  attentionMask: try golden.float("prior.attention_mask"))
      expectNear(output, try golden.float("prior.predicted_image_embedding"), tolerance: 1e-4, "prior from fp16 file")
    }
  }

  @Test func missingFolderIsAnError() {
    #expect(throws: UnCLIPError.folderNotFound(path: "/nonexistent/unclip")) {
      try ModelFolder(path: "/nonexistent/unclip")
    }
  }

  @Test func unsupportedBlockTypeIsReported() throws {
    let folder = try copyOfTinyFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let configURL = folder.appendingPathComponent("decoder/config.json")
    let text = try String(contentsOf: configURL, encoding: .utf8)
      .replacingOccurrences(of: "\"SimpleCrossAttnDownBlock2D\"", with: "\"CrossAttnDownBlock2D\"")
    try Data(text.utf8).write(to: configURL)
    do {
      _ = try UnCLIPImageVariationPipeline(folder: try ModelFolder(path: folder.path))
      Issue.record("an unsupported config loaded")
    } catch let UnCLIPError.invalidModel(_, problems) {
      #expect(problems.contains { $0.contains("CrossAttnDownBlock2D, which this port does not implement") }, "\(problems)")
    }
  }
}
