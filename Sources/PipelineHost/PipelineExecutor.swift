// Runs a checked pipeline: creates every stage once (weights load once), then runs the graph once
// per job item (prompt × count index, seed = base seed + index) and writes each output through its
// sink. Items whose outputs already exist with the same job provenance are skipped.
import EaselPluginSDK
import Foundation
import MediaIO
import TensorCore

/// What a run did.
public struct RunSummary: Sendable {
  /// Files written.
  public var written: [String] = []
  /// Files left as they were because the same job had written them.
  public var skipped: [String] = []
}

/// Runs a pipeline plan.
public final class PipelineExecutor {
  let plan: PipelinePlan
  let options: RunOptions
  let cancellation: CancellationFlag
  let reporter: any ProgressReporter
  private var instances: [String: StageInstance] = [:]
  private var models: [String: String] = [:]

  /// An executor for `plan`.
  public init(plan: PipelinePlan, options: RunOptions, cancellation: CancellationFlag = CancellationFlag(),
              reporter: any ProgressReporter = SilentProgress()) {
    self.plan = plan
    self.options = options
    self.cancellation = cancellation
    self.reporter = reporter
  }

  /// The items of this run.
  public func items() throws(HostError) -> [JobItem] {
    let inputs = plan.file.inputs
    let textInput = inputs.first { $0.kind == .text }
    var prompts: [String?] = options.prompts
    if let textInput {
      if prompts.isEmpty {
        guard let fallback = textInput.defaultValue, !textInput.isRequired else {
          throw .usage("this pipeline needs a prompt (input '\(textInput.name)'); pass --prompt TEXT or --prompts FILE")
        }
        prompts = [fallback]
      }
    } else {
      if !prompts.isEmpty { throw .usage("this pipeline takes no prompt; drop --prompt/--prompts") }
      prompts = [nil]
    }
    if let imageInput = inputs.first(where: { $0.kind == .image }), imageInput.isRequired || imageInput.defaultValue == nil,
       options.imagePath == nil {
      throw .usage("this pipeline needs an image (input '\(imageInput.name)'); pass --image FILE")
    }
    if options.imagePath != nil && !inputs.contains(where: { $0.kind == .image }) {
      throw .usage("this pipeline takes no image; drop --image")
    }
    let count = options.count ?? inputs.first { $0.kind == .count }.flatMap { $0.defaultValue.flatMap(Int.init) } ?? 1
    guard count >= 1 else { throw .usage("--count must be at least 1") }
    let seed = options.seed ?? inputs.first { $0.kind == .seed }.flatMap { $0.defaultValue.flatMap(Int.init) } ?? 0
    guard seed >= 0, seed <= Int(Int32.max) - count else { throw .usage("--seed must be in 0...\(Int(Int32.max) - count)") }
    return prompts.flatMap { prompt in (0..<count).map { JobItem(prompt: prompt, index: $0, seed: seed + $0) } }
  }

  /// Runs every item not already finished.
  public func run() throws(HostError) -> RunSummary {
    let items = try items()
    try prepareOutDirectory()
    let image = try loadInputImage()
    var summary = RunSummary()
    for item in items {
      if cancellation.isCancelled { throw .interrupted }
      let jobs = plan.outputs.indices.map { output in
        Provenance.job(plan: plan, output: output, prompt: item.prompt, seed: item.seed, index: item.index,
                       inputImage: image.map { ($0.path, $0.sha256) })
      }
      let primaryPaths = plan.outputs.indices.map { primaryPath(output: $0, item: item) }
      if !options.force && zip(primaryPaths, jobs).allSatisfy({ Provenance.isFinished($0, job: $1) }) {
        summary.skipped += primaryPaths
        reporter.note("skip \(primaryPaths.joined(separator: ", ")) (already written by the same job; --force redoes it)")
        continue
      }
      try createStagesIfNeeded()
      let values = try runGraph(item: item, image: image?.value)
      for (output, declaration) in plan.outputs.enumerated() {
        if cancellation.isCancelled { throw .interrupted }
        reporter.begin("write \(declaration.sink.value)")
        let sources = declaration.from.compactMap { source in values[source.value.description].map { (source.value.description, $0) } }
        let metadata = Self.notes(values)
        let writer = OutputWriter(sink: SinkKind(rawValue: declaration.sink.value) ?? .png,
                                  parameters: plan.sinkParameters[output], cancellation: cancellation, reporter: reporter)
        let job = jobs[output]
        let models = self.models
        let files = try writer.write(
          sources, template: template(output: output), fields: fields(output: output, item: item),
          outDirectory: options.outDirectory,
          provenance: { Provenance.record(job: job, models: models, image: $0, metadata: metadata) })
        summary.written += files
        for file in files { reporter.note("wrote \(file)") }
      }
    }
    reporter.finish()
    return summary
  }

  func template(output: Int) -> String {
    let declaration = plan.outputs[output]
    if let path = declaration.path?.value, !path.isEmpty { return path }
    let ext = SinkKind(rawValue: declaration.sink.value)?.fileExtension ?? "out"
    let hasPrompt = plan.file.inputs.contains { $0.kind == .text }
    let suffix = plan.outputs.count > 1 ? "-{stage}" : ""
    return (hasPrompt ? "{prompt_slug}-{seed}-{index}" : "{name}-{seed}-{index}") + suffix + "." + ext
  }

  func fields(output: Int, item: JobItem) -> [String: String] {
    let stem = URL(fileURLWithPath: plan.file.path).deletingPathExtension().lastPathComponent
    var fields = ["name": stem, "index": String(item.index), "seed": String(item.seed),
                  "prompt_slug": PathTemplate.slug(item.prompt ?? stem)]
    if case .stage(let id, let port)? = plan.outputs[output].from.first?.value {
      fields["stage"] = id
      fields["port"] = port
    }
    return fields
  }

  func primaryPath(output: Int, item: JobItem) -> String {
    OutputWriter.path(template: template(output: output), fields: fields(output: output, item: item), image: 0,
                      outDirectory: options.outDirectory)
  }

  private func prepareOutDirectory() throws(HostError) {
    let folder = options.outDirectory
    do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
      throw .cannotWrite(path: folder, reason: "cannot create the output directory")
    }
    guard access(folder, W_OK) == 0 else { throw .cannotWrite(path: folder, reason: "the output directory is not writable") }
  }

  private func loadInputImage() throws(HostError) -> (path: String, sha256: String, value: StageValue)? {
    guard let path = options.imagePath else { return nil }
    guard FileManager.default.isReadableFile(atPath: path) else { throw .missingFile(path: path, what: "image") }
    do {
      let raster = try ImageFile.read(path)
      return (path, try ProvenanceHash.hex(ofFile: path), StageValue.image(ValueConversion.tensor(from: raster)))
    } catch let error as HostError {
      throw error
    } catch {
      throw .usage("\(path): \(error)")
    }
  }

  private func createStagesIfNeeded() throws(HostError) {
    guard instances.isEmpty else { return }
    for planned in plan.stages {
      if cancellation.isCancelled { throw .interrupted }
      let id = planned.declaration.id
      reporter.begin("load \(id) (\(planned.stage.description.name))")
      let adapter = StageHostAdapter(stageID: id, cancellation: cancellation, reporter: reporter)
      do {
        instances[id] = try StageInstance(planned.stage.description, parameters: planned.parameters,
                                          context: HostContext(host: adapter))
      } catch {
        throw Self.hostError(error, stage: id)
      }
      for file in adapter.recordedFiles { models[planned.writtenPath(of: file)] = try FileHashCache.sha256(ofFile: file) }
    }
  }

  static func hostError(_ error: StageError, stage: String) -> HostError {
    switch error {
    case .cancelled: .interrupted
    case .fileNotFound: .missingModel(stage: stage, message: error.description)
    default: .stageFailed(stage: stage, message: error.description)
    }
  }

  /// Runs every stage for one item; values by "STAGEID.PORT".
  private func runGraph(item: JobItem, image: StageValue?) throws(HostError) -> [String: StageValue] {
    var values: [String: StageValue] = [:]
    for planned in plan.stages {
      if cancellation.isCancelled { throw .interrupted }
      let id = planned.declaration.id
      guard let instance = instances[id] else { continue }
      var inputs: [String: StageValue] = [:]
      for (port, connection) in planned.declaration.inputs {
        switch connection.value {
        case .stage(let source, let output): inputs[port] = values["\(source).\(output)"]
        case .input(let name):
          guard let input = plan.file.inputs.first(where: { $0.name == name }) else { continue }
          switch input.kind {
          case .text: inputs[port] = .text(item.prompt ?? input.defaultValue ?? "")
          case .image: inputs[port] = image
          case .seed: inputs[port] = .tensor(Tensor(shape: [1], dtype: .i32, storage: Self.int32Storage(Int32(item.seed))))
          case .count: break
          }
        }
      }
      reporter.begin("\(id) [\(item.prompt.map { PathTemplate.slug($0) + " " } ?? "")seed \(item.seed)]")
      let outputs: [String: StageValue]
      do { outputs = try instance.run(inputs) } catch { throw Self.hostError(error, stage: id) }
      for (port, value) in outputs { values["\(id).\(port)"] = value }
    }
    return values
  }

  /// What stages noted on their values, for provenance; `sample_rate` is layout, not a note.
  static func notes(_ values: [String: StageValue]) -> [String: JSONValue] {
    var notes: [String: JSONValue] = [:]
    for (key, value) in values {
      let metadata = value.metadata.filter { $0.key != "sample_rate" }
      if !metadata.isEmpty { notes[key] = .object(metadata) }
    }
    return notes
  }

  static func int32Storage(_ value: Int32) -> TensorStorage {
    let storage = TensorStorage(uninitializedByteCount: 4)
    storage.base.storeBytes(of: value, as: Int32.self)
    return storage
  }
}
