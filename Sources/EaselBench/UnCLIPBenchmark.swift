// `easel-bench unclip`: one denoising step (batch 2, classifier-free guidance) of the unCLIP prior or
// decoder UNet loaded from a diffusers-layout folder (f16 safetensors, memory-mapped), e.g. the
// random-weight Karlo-sized folder of scripts/bench/unclip_fixture.py. Prints one "RESULT" line read by
// scripts/bench/unclip.sh: load time, first (warm-up) and best forward time, peak RSS (VmHWM).
import Foundation
import TensorCore
import UnCLIPStages
import WeightIO

enum UnCLIPBenchmark {
  static let usage = """
    easel-bench unclip --folder DIR --component prior|decoder [--threads N] [--repeats N] [--prompt-tokens N]
      DIR holds prior/, decoder/ (config.json + diffusion_pytorch_model.safetensors) and inputs.safetensors;
      --prompt-tokens N (1...77) makes the conditional prompt N tokens long instead of the fixture's 12
    """

  static func run(arguments: [String]) {
    var folderPath = ".bench/unclip-karlo"
    var component = "decoder"
    var threads = 1
    var repeats = 2
    var promptTokens: Int? = nil
    var index = 0
    while index < arguments.count {
      let value = index + 1 < arguments.count ? arguments[index + 1] : ""
      switch arguments[index] {
      case "--folder": folderPath = value
      case "--component": component = value
      case "--threads": threads = max(1, Int(value) ?? threads)
      case "--repeats": repeats = max(1, Int(value) ?? repeats)
      case "--prompt-tokens": promptTokens = Int(value).map { min(77, max(1, $0)) }
      default: fail("unknown option \(arguments[index]); usage:\n\(usage)")
      }
      index += 2
    }
    guard component == "prior" || component == "decoder" else { fail("unknown component \(component); use prior or decoder") }
    ComputePool.shared.setThreadCount(threads)
    do {
      let folder = try ModelFolder(path: folderPath)
      let inputs = try SafeTensorsFile(path: folder.url.appendingPathComponent("inputs.safetensors").path)
      let loadStart = CoreBenchmark.now(cpu: false)
      let step = try makeStep(component, folder: folder, inputs: inputs, promptTokens: promptTokens)
      let loadSeconds = CoreBenchmark.now(cpu: false) - loadStart
      let firstStart = CoreBenchmark.now(cpu: false)
      var output = step()  // warm-up (not in best_s): pages the mapped weights in, grows the allocator
      let first = CoreBenchmark.now(cpu: false) - firstStart
      var best = Double.infinity
      var bestCPU = Double.infinity  // process CPU time: on a shared machine not charged for waiting
      for _ in 0..<repeats {
        let start = CoreBenchmark.now(cpu: false)
        let startCPU = CoreBenchmark.now(cpu: true)
        output = step()
        bestCPU = min(bestCPU, CoreBenchmark.now(cpu: true) - startCPU)
        best = min(best, CoreBenchmark.now(cpu: false) - start)
      }
      let values = output.toFloat32().scalars
      let meanAbs = values.reduce(0) { $0 + Double(Swift.abs($1)) } / Double(max(1, values.count))
      print(String(format: "RESULT unclip side=easel component=%@ threads=%d prompt_tokens=%d load_s=%.2f first_s=%.3f best_s=%.3f best_cpu_s=%.3f peak_rss_mb=%d out_shape=%@ out_mean_abs=%.6f",
                   component, threads, promptTokens ?? 12, loadSeconds, first, best, bestCPU, peakRSSMegabytes(),
                   output.shape.map(String.init).joined(separator: "x"), meanAbs))
    } catch {
      fail("\(error)")
    }
  }

  /// Builds the component and returns one forward pass over the fixture's inputs (the conditional
  /// prompt `promptTokens` long when given).
  static func makeStep(_ component: String, folder: ModelFolder, inputs: SafeTensorsFile, promptTokens: Int?) throws -> () -> Tensor {
    var problems: [String] = []
    func input(_ key: String) throws -> Tensor { try inputs.tensor("\(component).\(key)").toFloat32() }
    /// The fixture's mask [2, T] with row 1 (the conditional prompt, after `extra` context tokens)
    /// covering `promptTokens` tokens.
    func mask(extra: Int) throws -> Tensor {
      let fixture = try input("attention_mask")
      guard let promptTokens else { return fixture }
      let length = fixture.shape[1]
      var values = fixture.scalars
      for t in 0..<length { values[length + t] = t < extra + promptTokens ? 1 : 0 }
      return Tensor(values, shape: fixture.shape)
    }
    let timestep = Int(try input("timestep").scalars[0])
    switch component {
    case "prior":
      guard let config = folder.config(PriorTransformer.Config.self, component: "prior", problems: &problems) else {
        fail(problems.joined(separator: "\n"))
      }
      let reader = folder.weights("prior", problems: &problems)
      let model = PriorTransformer(config: config, reader: reader)
      check(problems + reader.problems)
      let hidden = try input("hidden_states"), proj = try input("proj_embedding")
      let text = try input("encoder_hidden_states"), mask = try mask(extra: 0)
      return { model(hiddenStates: hidden, timestep: timestep, projEmbedding: proj, encoderHiddenStates: text, attentionMask: mask) }
    default:
      guard let config = folder.config(UNet2DConditionModel.Config.self, component: "decoder", problems: &problems) else {
        fail(problems.joined(separator: "\n"))
      }
      let reader = folder.weights("decoder", problems: &problems)
      let model = UNet2DConditionModel(config: config, reader: reader)
      check(problems + reader.problems)
      let sample = try input("sample"), context = try input("encoder_hidden_states")
      let classLabels = try input("class_labels"), mask = try mask(extra: 4)
      return { model(sample: sample, timestep: timestep, encoderHiddenStates: context, classLabels: classLabels, attentionMask: mask) }
    }
  }

  static func check(_ problems: [String]) {
    if !problems.isEmpty { fail("the folder does not load:\n" + problems.joined(separator: "\n")) }
  }

  /// Peak resident set size of this process (VmHWM of /proc/self/status), in MiB.
  static func peakRSSMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? -1
      return kilobytes < 0 ? -1 : kilobytes / 1024
    }
    return -1
  }

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("easel-bench unclip: \(message)\nRun scripts/bench/unclip_fixture.py to (re)write the folder.\n".utf8))
    exit(1)
  }
}
