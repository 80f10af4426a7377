// swift-tools-version:6.1
import Foundation
import PackageDescription

/// The CPU the SIMD kernels are compiled for. `EASEL_TARGET_CPU` overrides it (an LLVM CPU name such
/// as `haswell`, or `generic` for the portable SIMD path); otherwise the build machine decides:
/// AVX-512 (F/BW/DQ/VL) → `skylake-avx512`, AVX2 + FMA → `haswell`. Without a target CPU, Swift turns
/// SIMD fused multiply-adds into `fmaf` calls (~100× slower), so release and debug builds both get it.
/// The binary checks at start-up that the CPU it runs on has what it was built for (`CPUFeatures`).
func simdTargetCPU() -> String? {
  if let forced = Context.environment["EASEL_TARGET_CPU"], !forced.isEmpty {
    return forced == "generic" ? nil : forced
  }
  guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
  else { return nil }
  let flags = Set(flagsLine.split(separator: " ").map(String.init))
  if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "fma"].allSatisfy(flags.contains) { return "skylake-avx512" }
  if ["avx2", "fma", "f16c"].allSatisfy(flags.contains) { return "haswell" }
  return nil
}

let targetCPU = simdTargetCPU()
let simdSettings: [SwiftSetting] = targetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
let cpuDefine: [CSetting] = [.define("EASEL_TARGET_CPU", to: "\"\(targetCPU ?? "generic")\"")]
/// Kernel targets are optimised in every configuration: at -Onone SIMD code is ~100× slower and the
/// golden tests of the models would crawl.
let kernelSettings: [SwiftSetting] = simdSettings + [
  .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
  .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
  name: "Easel",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "easel", targets: ["easel"]),
    .executable(name: "easel-bench", targets: ["EaselBench"]),
    .library(name: "EaselPluginSDK", targets: ["EaselPluginSDK"]),
    .library(name: "TensorCore", targets: ["TensorCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
  ],
  targets: [
    // Core: tensors, kernels, thread pool, torch-compatible RNG. Standard library + Foundation only.
    .target(name: "CCPUFeatures", cSettings: cpuDefine),
    .target(name: "TensorCore", dependencies: ["CCPUFeatures"], swiftSettings: kernelSettings),
    // Weight files: safetensors (mmap), diffusers folders, ncnn param/bin.
    .target(name: "WeightIO", dependencies: ["TensorCore"], swiftSettings: kernelSettings),

    // Media: C system libraries behind shims; only MediaIO imports them.
    .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
    .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                   providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev"])]),
    .target(name: "CMediaShims", dependencies: ["CPNG", "CFFmpeg"]),
    .target(name: "MediaIO", dependencies: ["CPNG", "CSndFile", "CFFmpeg", "CMediaShims"]),

    // Plugin ABI (C) and the Swift SDK that plugins (built in or out of tree) use to describe stages.
    .target(name: "CEaselPluginABI"),
    .target(name: "EaselPluginSDK", dependencies: ["CEaselPluginABI", "TensorCore"], swiftSettings: simdSettings),

    // Stage plugins. Built-in ones are linked into `easel` and register through the same C descriptor
    // that dlopen'ed plugins export.
    .target(name: "MediaStages", dependencies: ["EaselPluginSDK", "TensorCore"], path: "Plugins/MediaStages",
            swiftSettings: simdSettings),
    .target(name: "UnCLIPStages", dependencies: ["EaselPluginSDK", "TensorCore", "WeightIO"], path: "Plugins/UnCLIPStages",
            swiftSettings: kernelSettings),
    .target(name: "UpscaleStages", dependencies: ["EaselPluginSDK", "TensorCore", "WeightIO"], path: "Plugins/UpscaleStages",
            swiftSettings: kernelSettings),

    // Host: pipeline files, plugin registry and loader, executor, sinks.
    .target(name: "PipelineHost",
            dependencies: ["EaselPluginSDK", "CEaselPluginABI", "MediaIO", "TensorCore", "WeightIO", "Yams"],
            swiftSettings: simdSettings),
    .executableTarget(name: "easel",
                      dependencies: ["PipelineHost", "MediaStages", "UnCLIPStages", "UpscaleStages",
                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                      swiftSettings: simdSettings),
    .executableTarget(name: "EaselBench", dependencies: ["TensorCore", "WeightIO", "UnCLIPStages", "UpscaleStages"],
                      swiftSettings: kernelSettings),

    .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "WeightIO"],
                resources: [.copy("Resources")], swiftSettings: simdSettings),
    .testTarget(name: "WeightIOTests", dependencies: ["WeightIO", "TensorCore"],
                resources: [.copy("Resources")], swiftSettings: simdSettings),
    .testTarget(name: "MediaIOTests", dependencies: ["MediaIO"], swiftSettings: simdSettings),
    .testTarget(name: "PipelineHostTests", dependencies: ["PipelineHost", "MediaStages", "MediaIO"],
                resources: [.copy("Resources")], swiftSettings: simdSettings),
    .testTarget(name: "UnCLIPStagesTests", dependencies: ["UnCLIPStages", "TensorCore", "WeightIO"],
                resources: [.copy("Resources")], swiftSettings: simdSettings),
    .testTarget(name: "UpscaleStagesTests", dependencies: ["UpscaleStages", "TensorCore", "WeightIO"],
                resources: [.copy("Resources")], swiftSettings: simdSettings),
  ],
  swiftLanguageModes: [.v6]
)
