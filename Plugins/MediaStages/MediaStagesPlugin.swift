// The built-in plugin of model-free media stages: image resize and crop, audio tone, noise and mix,
// image-to-video frames. Registered by `easel` through the same C descriptor a .so would export.
import CEaselPluginABI
import EaselPluginSDK

/// The media stages' plugin descriptor.
public enum MediaStagesPlugin {
  /// Every stage of this plugin.
  public static var stages: [any Stage.Type] {
    [
      ImageResize.self, ImageCrop.self, AudioTone.self, AudioNoise.self, AudioMix.self, VideoFrames.self, TestSlow.self,
    ]
  }

  /// The C descriptor, built once.
  nonisolated(unsafe) public static let descriptor: UnsafePointer<easel_plugin_descriptor> =
    PluginExport.descriptor(name: "media", version: "0.1.0", stages: stages)
}
