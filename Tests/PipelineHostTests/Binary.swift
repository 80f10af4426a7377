// Runs the real `easel` binary built next to this test bundle.
import Foundation
import Testing

struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum Binary {
  /// `<build dir>/debug/easel`: the folder holding this test bundle's resources.
  static var easel: String {
    let folder = Bundle.module.bundleURL.deletingLastPathComponent()
    return folder.appendingPathComponent("easel").path
  }

  static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: easel) }

  /// Starts `easel` with arguments; the caller waits.
  static func start(_ arguments: [String], environment: [String: String] = [:], stdout: Pipe, stderr: Pipe) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: easel)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["EASEL_PLUGIN_PATH"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.currentDirectoryURL = Fixtures.root
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    return process
  }

  /// Runs `easel` to the end.
  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let out = Pipe()
    let err = Pipe()
    let process = try start(arguments, environment: environment, stdout: out, stderr: err)
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
  }
}
