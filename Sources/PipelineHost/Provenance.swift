// What made an output file, stored in it under "easel:provenance" as JSON with sorted keys and no
// timestamps, so the same run gives the same bytes. The "job" part decides whether a rerun may skip.
import EaselPluginSDK
import MediaIO

/// The provenance text key in PNG, WAV and MP4 files.
public let provenanceKey = "easel:provenance"

/// This Easel's version, recorded in every output.
public let easelVersion = "0.1.0"

/// Builds and compares provenance records.
public enum Provenance {
  /// What identifies one item of one output: same job → same file, so a rerun may skip it.
  public static func job(plan: PipelinePlan, output: Int, prompt: String?, seed: Int, index: Int,
                         inputImage: (path: String, sha256: String)?) -> JSONValue {
    var parameters: [String: JSONValue] = [:]
    var stages: [String: JSONValue] = [:]
    for stage in plan.stages {
      parameters[stage.declaration.id] = .object(stage.writtenParameters.mapValues { .string($0) })
      stages[stage.declaration.id] = .object([
        "stage": .string(stage.stage.description.name), "version": .string(stage.stage.description.version),
        "plugin": .string("\(stage.stage.pluginName) \(stage.stage.pluginVersion)"),
      ])
    }
    let declaration = plan.outputs[output]
    var job: [String: JSONValue] = [
      "easel": .string(easelVersion),
      "pipeline": .object(["path": .string(plan.file.path), "sha256": .string(plan.file.sha256)]),
      "parameters": .object(parameters),
      "stages": .object(stages),
      "seed": .number(Double(seed)),
      "index": .number(Double(index)),
      "output": .object([
        "from": .array(declaration.from.map { .string($0.value.description) }), "sink": .string(declaration.sink.value),
        "params": .object(plan.sinkParameters[output].mapValues { .string($0) }),
      ]),
    ]
    if let prompt { job["prompt"] = .string(prompt) }
    if let inputImage { job["image"] = .object(["path": .string(inputImage.path), "sha256": .string(inputImage.sha256)]) }
    return .object(job)
  }

  /// The full record: the job, the model files' hashes, the batch element and what stages noted.
  public static func record(job: JSONValue, models: [String: String], image: Int?, metadata: [String: JSONValue]) -> String {
    var record: [String: JSONValue] = ["job": job, "models": .object(models.mapValues { .string($0) })]
    if let image { record["image"] = .number(Double(image)) }
    if !metadata.isEmpty { record["metadata"] = .object(metadata) }
    return JSONValue.object(record).jsonText
  }

  /// Whether `path` exists and was written by the same job.
  public static func isFinished(_ path: String, job: JSONValue) -> Bool {
    guard let text = try? MediaMetadata.readText(path), let stored = text[provenanceKey],
          case .object(let record)? = JSONValue(jsonText: stored)
    else { return false }
    return record["job"] == job
  }
}
