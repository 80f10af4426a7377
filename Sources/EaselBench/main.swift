// easel-bench: speed measurements. `easel-bench core [--threads 1,2] [--repeats N]` times the tensor
// core's kernels (see docs/performance.md).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "core":
  CoreBenchmark.run(arguments: Array(arguments.dropFirst()))
case "unclip":
  UnCLIPBenchmark.run(arguments: Array(arguments.dropFirst()))
default:
  print("""
    usage: easel-bench core [--threads 1,2] [--repeats N] [--cpu-time] [--only gemm,gemm-tall,conv,attention]
      core   FMA peak, SGEMM 1024³ and 4096×320×2880, conv 3×3 64×64×320→320, attention 8×4096×64;
             with --only also conv-karlo-64|32|16|8 (the Karlo decoder's convolutions), -tensor for row-major weights,
             linear-karlo-32|16|8 (its attention projections) and attention-karlo-32
    \(UnCLIPBenchmark.usage)
    """)
  exit(arguments.isEmpty ? 0 : 2)
}
