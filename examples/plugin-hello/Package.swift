// swift-tools-version:6.1
// An Easel stage plugin built outside the Easel package: a shared object exporting
// `easel_plugin_entry`. It links its own copy of the SDK and tensor core with -Bsymbolic so they
// never mix with the host's; the host hands it its thread pool through the plugin ABI.
//
//   swift build -c release --package-path examples/plugin-hello
//   EASEL_PLUGIN_PATH=examples/plugin-hello/.build/release easel stages hello.invert
import PackageDescription

let package = Package(
  name: "EaselHello",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "EaselHello", type: .dynamic, targets: ["EaselHello"])
  ],
  dependencies: [
    .package(name: "Easel", path: "../..")
  ],
  targets: [
    .target(
      name: "EaselHello",
      dependencies: [.product(name: "EaselPluginSDK", package: "Easel")],
      linkerSettings: [.unsafeFlags(["-Xlinker", "-Bsymbolic"])])
  ],
  swiftLanguageModes: [.v6]
)
