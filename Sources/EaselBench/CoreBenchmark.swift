// `easel-bench core`: times the tensor core's four headline workloads at each requested thread count.
// Lines starting with "RESULT" are read by scripts/bench/core.sh.
import Foundation
import TensorCore

enum CoreBenchmark {
  struct Workload {
    var name: String
    var detail: String
    var flops: Double
    var run: () -> Tensor
  }

  static func run(arguments: [String]) {
    var threadCounts = [1]
    var repeats = 7
    var only: Set<String>? = nil
    var useCPUTime = false
    var index = 0
    while index < arguments.count {
      let value = index + 1 < arguments.count ? arguments[index + 1] : ""
      switch arguments[index] {
      case "--threads": threadCounts = value.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
      case "--repeats": repeats = max(1, Int(value) ?? repeats)
      case "--only": only = Set(value.split(separator: ",").map(String.init))
      case "--cpu-time":
        // Process CPU time instead of wall time: on a shared machine a single-threaded run is then
        // not charged for the time other processes hold the core (cache sharing still shows).
        useCPUTime = true
        index -= 1
      default:
        print("easel-bench core: unknown option \(arguments[index]); see `easel-bench` for usage")
        exit(2)
      }
      index += 2
    }
    let workloads = makeWorkloads().filter { only?.contains($0.name) ?? true }
      + makeDecoderWorkloads().filter { only?.contains($0.name) ?? false }
    for threads in threadCounts {
      ComputePool.shared.setThreadCount(threads)
      let peak = FMAPeak.measure(threads: threads, cpuTime: useCPUTime)
      print(String(format: "RESULT fma-peak threads=%d seconds=0 gflops=%.1f", threads, peak))
      for workload in workloads {
        _ = workload.run()  // warm-up: page in buffers, grow the allocator
        var best = Double.infinity
        for _ in 0..<repeats {
          let start = now(cpu: useCPUTime)
          let output = workload.run()
          best = min(best, now(cpu: useCPUTime) - start)
          withExtendedLifetime(output) {}
        }
        print(String(format: "RESULT %@ threads=%d seconds=%.5f gflops=%.1f  # %@", workload.name, threads, best,
                     workload.flops / best / 1e9, workload.detail))
      }
    }
  }

  /// Seconds of wall time, or of this process's CPU time.
  static func now(cpu: Bool) -> Double {
    var spec = timespec()
    clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  static func random(_ shape: [Int], seed: UInt64) -> Tensor {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    let count = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: count)
    for index in 0..<count {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      values[index] = Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    }
    return Tensor(values, shape: shape)
  }

  /// The Karlo decoder's 3×3 convolutions at each resolution (guided batch of 2, f16 weights as the
  /// model folder has them, laid out as the UNet loads them), run only when `--only` names them:
  /// conv-karlo-64, -32, -16, -8; with a suffix -tensor, the same weights as a row-major tensor; and
  /// its attention projections (linear-karlo-32, -16, -8: [2·S·S, C] × [C, C], f16 weights laid out)
  /// and its attention at 32×32 (attention-karlo-32).
  static func makeDecoderWorkloads() -> [Workload] {
    [decoderAttentionWorkload()] + [(32, 640), (16, 960), (8, 1280)].map { size, channels in
      let x = random([2 * size * size, channels], seed: 14)
      let weights = LinearWeights(half(random([channels, channels], seed: 15)))
      return Workload(name: "linear-karlo-\(size)", detail: "linear", flops: Double(2 * 2 * size * size * channels * channels)) {
        linear(x, weights: weights, bias: nil)
      }
    } + [(64, 320), (32, 640), (16, 960), (8, 1280)].flatMap { size, channels in
      let image = random([2, channels, size, size], seed: 11)
      let filters = half(random([channels, channels, 3, 3], seed: 12))
      let weights = ConvWeights(filters)
      let bias = random([channels], seed: 13)
      let detail = "conv2d 3x3 pad 1, [2,\(channels),\(size),\(size)] -> [2,\(channels),\(size),\(size)], f16 weights"
      let flops = Double(2 * 2 * channels * channels * 9 * size * size)
      return [
        Workload(name: "conv-karlo-\(size)", detail: detail, flops: flops) {
          conv2d(image, weights: weights, bias: bias, padding: 1)
        },
        Workload(name: "conv-karlo-\(size)-tensor", detail: detail + " (row-major)", flops: flops) {
          conv2d(image, weight: filters, bias: bias, padding: 1)
        },
      ]
    }
  }

  /// The decoder's attention at 32×32: 10 heads, 1024 queries, 81 text + 1024 pixel keys, the text
  /// padding masked as UNet2DConditionModel masks it (−10000 on the key).
  static func decoderAttentionWorkload() -> Workload {
    let (heads, queries, keys, text) = (10, 1024, 1024 + 81, 81)
    let q = random([2, heads, queries, 64], seed: 16)
    let k = random([2, heads, keys, 64], seed: 17)
    let v = random([2, heads, keys, 64], seed: 18)
    // [2, 1, 1, S]: the unconditional prompt keeps 4 + 2 text tokens, the conditional one 4 + 12.
    var maskValues = [Float](repeating: 0, count: 2 * keys)
    for (row, kept) in [6, 16].enumerated() {
      for j in kept..<text { maskValues[row * keys + j] = -10_000 }
    }
    let mask = Tensor(maskValues, shape: [2, 1, 1, keys])
    return Workload(name: "attention-karlo-32", detail: "SDPA B=2 H=10 T=1024 S=1105 D=64, padding mask",
                    flops: Double(4 * 2 * heads * queries * keys * 64)) {
      scaledDotProductAttention(query: q, key: k, value: v, mask: mask)
    }
  }

  /// `tensor` (f32) rounded to f16.
  static func half(_ tensor: Tensor) -> Tensor {
    let storage = TensorStorage(uninitializedByteCount: tensor.count * 2)
    let target = storage.base.assumingMemoryBound(to: Float16.self)
    for index in 0..<tensor.count { target[index] = Float16(tensor.floats[index]) }
    return Tensor(shape: tensor.shape, dtype: .f16, storage: storage)
  }

  static func makeWorkloads() -> [Workload] {
    let a1024 = random([1024, 1024], seed: 1)
    let b1024 = random([1024, 1024], seed: 2)
    let aTall = random([4096, 2880], seed: 3)
    let bTall = random([2880, 320], seed: 4)
    let image = random([1, 320, 64, 64], seed: 5)
    let filters = random([320, 320, 3, 3], seed: 6)
    let bias = random([320], seed: 7)
    let q = random([1, 8, 4096, 64], seed: 8)
    let k = random([1, 8, 4096, 64], seed: 9)
    let v = random([1, 8, 4096, 64], seed: 10)
    return [
      Workload(name: "gemm", detail: "SGEMM M=N=K=1024", flops: 2 * 1024 * 1024 * 1024) { matmul(a1024, b1024) },
      Workload(name: "gemm-tall", detail: "SGEMM M=4096 N=320 K=2880", flops: 2 * 4096 * 320 * 2880) {
        matmul(aTall, bTall)
      },
      Workload(name: "conv", detail: "conv2d 3x3 pad 1, [1,320,64,64] -> [1,320,64,64], bias",
               flops: 2 * 320 * 320 * 9 * 64 * 64) {
        conv2d(image, weight: filters, bias: bias, padding: 1)
      },
      Workload(name: "attention", detail: "SDPA B=1 H=8 T=S=4096 D=64, no mask",
               flops: 4 * 8 * 4096 * 4096 * 64) {
        scaledDotProductAttention(query: q, key: k, value: v)
      },
    ]
  }
}
