// The unCLIP plugin: the CLIP stages (tokenizer, encoders, reranker; CLIP/CLIPStages.swift) and the
// diffusion stages (UnCLIPPipeline/UnCLIPPipelineStages.swift). Registered by `easel` through the
// same C descriptor a dlopen'ed plugin would export.
import CEaselPluginABI
import EaselPluginSDK

/// The unCLIP stages' plugin descriptor.
public enum UnCLIPStagesPlugin {
  /// Every stage of this plugin.
  public static var stages: [any Stage.Type] {
    [
      CLIPTokenizerStage.self, CLIPTextEncoderStage.self, CLIPImageEncoderStage.self, CLIPRerankStage.self,
      UnCLIPTextToImageStage.self, UnCLIPVariationsStage.self, UnCLIPDecodeEmbeddingsStage.self,
    ]
  }

  /// The C descriptor, built once.
  nonisolated(unsafe) public static let descriptor: UnsafePointer<easel_plugin_descriptor> =
    PluginExport.descriptor(name: "unclip", version: "0.1.0", stages: stages)
}
