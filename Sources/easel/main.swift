// easel: run, check and inspect media pipelines. Exit codes: 0 ok, 1 runtime failure, 2 invalid
// pipeline or usage, 3 missing input file or model, 130 interrupted.
import ArgumentParser
import CCPUFeatures
import Foundation
import PipelineHost

// Before any kernel runs: a binary built for AVX-512 dies with SIGILL on a CPU without it.
let missingFeatures = String(cString: easel_missing_cpu_features())
if !missingFeatures.isEmpty {
  let target = String(cString: easel_built_target_cpu())
  FileHandle.standardError.write(Data(("easel: this binary was built for \(target) but this CPU lacks \(missingFeatures); "
    + "rebuild on this machine (swift build -c release) or with EASEL_TARGET_CPU=haswell|generic\n").utf8))
  exit(1)
}

do {
  var command = try Easel.parseAsRoot()
  try command.run()
} catch let error as HostError {
  FileHandle.standardError.write(Data((error.description.split(separator: "\n").map { "easel: \($0)" }
    .joined(separator: "\n") + "\n").utf8))
  exit(error.exitCode)
} catch {
  let code = Easel.exitCode(for: error)
  if code == .success { Easel.exit(withError: error) }
  if error is ExitCode { exit(code.rawValue) }
  FileHandle.standardError.write(Data((Easel.fullMessage(for: error) + "\n").utf8))
  exit(2)
}
