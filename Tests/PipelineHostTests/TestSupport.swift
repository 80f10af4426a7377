// Shared helpers: a registry with the media stages and a recording test plugin, temporary folders,
// fixture paths and a runner for the real `easel` binary.
import CEaselPluginABI
import EaselPluginSDK
import Foundation
import MediaStages
import PipelineHost
import TensorCore

/// Counts creates, so tests can assert that validation creates nothing.
final class CreateLog: @unchecked Sendable {
  static let shared = CreateLog()
  private let lock = NSLock()
  private var names: [String] = []
  func record(_ name: String) {
    lock.lock()
    names.append(name)
    lock.unlock()
  }
  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return names.count
  }
}

/// A stage whose create is recorded; takes tokens and an optional image, emits scores.
struct RecordingStage: Stage {
  static let name = "test.record"
  static let summary = "records its creation"
  static let inputs = [
    PortSpec("tokens", .tokens, shape: "[N,T]"),
    PortSpec("image", .image, optional: true),
  ]
  static let outputs = [PortSpec("scores", .scores, shape: "[N]")]
  static let parameters: [ParamSpec] = [
    .int("steps", default: 10, range: 1...100),
    .choice("mode", ["a", "b"], default: "a"),
  ]
  init(parameters: StageParameters, context: StageContext) throws { CreateLog.shared.record(Self.name) }
  func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    StageOutputs(["scores": .scores(Tensor([1], shape: [1]))])
  }
}

/// A stage that turns text into tokens (to connect prompts to `test.record`).
struct TokenizeStage: Stage {
  static let name = "test.tokenize"
  static let summary = "text to tokens"
  static let inputs = [PortSpec("text", .text)]
  static let outputs = [PortSpec("tokens", .tokens, shape: "[N,T]")]
  init(parameters: StageParameters, context: StageContext) throws { CreateLog.shared.record(Self.name) }
  func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    let text = try inputs.text("text")
    let storage = TensorStorage(zeroedByteCount: 4 * max(1, text.utf8.count))
    return StageOutputs(["tokens": .tokens(Tensor(shape: [1, max(1, text.utf8.count)], dtype: .i32, storage: storage))])
  }
}

/// A stage that "loads" a weights file (reports it through recordFile) and emits a short sound.
struct WeightsStage: Stage {
  static let name = "test.weights"
  static let summary = "reports a file it read"
  static let inputs: [PortSpec] = []
  static let outputs = [PortSpec("audio", .audio)]
  static let parameters: [ParamSpec] = [.path("file", default: nil)]
  init(parameters: StageParameters, context: StageContext) throws {
    let path = try parameters.string("file")
    guard FileManager.default.fileExists(atPath: path) else {
      throw StageError.fileNotFound(path: path, hint: "download the weights first")
    }
    context.recordFile(path)
  }
  func run(inputs: StageInputs, context: StageContext) throws -> StageOutputs {
    StageOutputs(["audio": .audio(Tensor([0, 0.5], shape: [1, 2]), sampleRate: 8000, metadata: ["score": 0.75])])
  }
}

enum TestPlugin {
  nonisolated(unsafe) static let descriptor = PluginExport.descriptor(
    name: "testing", version: "0", stages: [RecordingStage.self, TokenizeStage.self, WeightsStage.self])
}

enum Fixtures {
  static let registry: StageRegistry = {
    let registry = StageRegistry()
    try? registry.register(MediaStagesPlugin.descriptor, source: "built-in")
    try? registry.register(TestPlugin.descriptor, source: "test")
    return registry
  }()

  /// The repository root.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func resource(_ name: String) -> String {
    Bundle.module.url(forResource: "Resources/\(name)", withExtension: nil)?.path
      ?? root.appendingPathComponent("Tests/PipelineHostTests/Resources/\(name)").path
  }

  /// A fresh temporary folder.
  static func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "easel-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Writes `text` to a file in a fresh folder and returns its path.
  static func writeFile(_ text: String, name: String = "pipeline.yaml") -> String {
    let path = temporaryFolder() + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
  }

  /// A small test image (a gradient with a square), written as PNG.
  static func testImage(width: Int = 64, height: Int = 48) throws -> String {
    let tensor = Tensor(uninitialized: [1, height, width, 3])
    for y in 0..<height {
      for x in 0..<width {
        let base = (y * width + x) * 3
        let inSquare = x > width / 4 && x < width / 2 && y > height / 4 && y < height / 2
        tensor.mutableFloats[base] = Float(x) / Float(width - 1)
        tensor.mutableFloats[base + 1] = Float(y) / Float(height - 1)
        tensor.mutableFloats[base + 2] = inSquare ? 1 : 0.2
      }
    }
    let path = temporaryFolder() + "/input.png"
    try MediaIOBridge.writePNG(tensor, to: path)
    return path
  }
}
