// Plugins from outside the package: examples/plugin-hello built as its own package and loaded via
// EASEL_PLUGIN_PATH, and refused plugins (wrong ABI, no entry symbol, duplicate stage, not loadable).
import Foundation
import MediaIO
import Testing

@Suite(.serialized) struct PluginTests {
  static func shell(_ arguments: [String], in folder: URL = Fixtures.root) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
  }

  @Test func outOfTreePluginLoadsListsAndRuns() throws {
    try #require(Binary.isBuilt, "build the easel product first (looked at \(Binary.easel))")
    let scratch = Fixtures.root.appendingPathComponent(".build-plugin-hello").path
    var build = try Self.shell(["swift", "build", "--package-path", "examples/plugin-hello", "--scratch-path", scratch])
    if build.status != 0 {
      // A scratch folder from before a source file was added to the easel package keeps its old file
      // list (seen locally, never in a fresh clone): build once more from clean.
      try? FileManager.default.removeItem(atPath: scratch)
      build = try Self.shell(["swift", "build", "--package-path", "examples/plugin-hello", "--scratch-path", scratch])
    }
    try #require(build.status == 0, "building examples/plugin-hello failed:\n\(build.stdout)")
    let pluginFolder = scratch + "/debug"
    #expect(FileManager.default.fileExists(atPath: pluginFolder + "/libEaselHello.so"))
    let environment = ["EASEL_PLUGIN_PATH": pluginFolder]

    let stages = try Binary.run(["stages", "--brief"], environment: environment)
    #expect(stages.status == 0)
    #expect(stages.stdout.contains("hello.invert"), "\(stages.stdout)\n\(stages.stderr)")
    #expect(stages.stderr.isEmpty, "\(stages.stderr)")

    let pipeline = Fixtures.writeFile("""
      easel: 1
      inputs:
        image: {kind: image, required: true}
      stages:
        - id: invert
          stage: hello.invert
          inputs: {image: $inputs.image}
      outputs:
        - {from: invert.image, sink: png, path: inverted.png}
      """)
    let image = try Fixtures.testImage(width: 20, height: 10)
    let out = Fixtures.temporaryFolder()
    let run = try Binary.run(["run", pipeline, "--image", image, "--out", out, "--threads", "2"], environment: environment)
    #expect(run.status == 0, "\(run.stderr)")
    let original = try PNGFile.read(image)
    let inverted = try PNGFile.read(out + "/inverted.png")
    #expect(inverted.width == 20 && inverted.height == 10)
    #expect(zip(original.pixels, inverted.pixels).allSatisfy { Int($0) + Int($1) == 255 })

    let without = try Binary.run(["check", pipeline])
    #expect(without.status == 2)
    #expect(without.stderr.contains("unknown stage 'hello.invert'"))
  }

  @Test func mismatchedPluginsAreRefusedWithOneLineEach() throws {
    try #require(Binary.isBuilt, "build the easel product first (looked at \(Binary.easel))")
    let folder = Fixtures.temporaryFolder()
    let include = Fixtures.root.appendingPathComponent("Sources/CEaselPluginABI/include").path
    for (name, define) in [("libold.so", "WRONG_ABI"), ("libnoentry.so", "NO_ENTRY"), ("libimpostor.so", "DUPLICATE")] {
      let compiled = try Self.shell(["cc", "-shared", "-fPIC", "-D\(define)", "-I", include, "-o", folder + "/" + name,
                                     Fixtures.resource("bad_plugins.c")])
      try #require(compiled.status == 0, "cc failed: \(compiled.stdout)")
    }
    _ = FileManager.default.createFile(atPath: folder + "/libbroken.so", contents: Data("not an ELF file".utf8))

    let result = try Binary.run(["stages", "--brief"], environment: ["EASEL_PLUGIN_PATH": folder])
    #expect(result.status == 0, "refused plugins must not stop the built-in stages")
    #expect(result.stdout.contains("image.resize"))
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.count == 4, "\(result.stderr)")
    #expect(lines.contains { $0.contains("libold.so: plugin 'old' was built for plugin ABI 99, this easel speaks 1; rebuild") })
    #expect(lines.contains { $0.contains("libnoentry.so: not an Easel plugin (no easel_plugin_entry symbol)") })
    #expect(lines.contains { $0.contains("libimpostor.so: stage 'image.resize' is already provided by plugin 'media' (built-in)") })
    #expect(lines.contains { $0.contains("libbroken.so: cannot load plugin") })
    #expect(lines.allSatisfy { $0.hasPrefix("easel: warning: ") })
  }
}
