import Foundation
import Testing
@testable import MediaIO

@Suite struct ErrorCaseTests {
  @Test func missingFileIsNamed() throws {
    let path = "/nonexistent-easel-dir/missing.png"
    for read in [{ _ = try ImageFile.read(path) }, { _ = try PNGFile.read(path) }, { _ = try WAVFile.read(path) },
                 { _ = try MediaMetadata.readText(path) }, { _ = try VideoFile.probe(path) }] {
      let error = #expect(throws: MediaError.self) { try read() }
      #expect(error == .fileNotFound(path: path))
      #expect(error?.description.contains(path) == true)
    }
  }

  @Test func truncatedPNGIsCorrupt() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("whole.png")
    try PNGFile.write(testPattern(width: 64, height: 64, channels: 3, phase: 3), to: path, text: ["k": "v"])
    let data = try bytes(of: path)
    let cut = scratch.file("cut.png")
    try Data(data[0..<data.count / 2]).write(to: URL(fileURLWithPath: cut))
    for read in [{ _ = try PNGFile.read(cut) }, { _ = try ImageFile.read(cut) }] {
      let error = #expect(throws: MediaError.self) { try read() }
      guard case .corrupt(let where_, _) = error else {
        Issue.record("expected .corrupt, got \(String(describing: error))")
        continue
      }
      #expect(where_ == cut)
    }
    // Only the signature: libpng must fail cleanly too.
    try Data(data[0..<8]).write(to: URL(fileURLWithPath: cut))
    #expect(throws: MediaError.self) { try PNGFile.read(cut) }
  }

  @Test func nonImageIsRejectedByMagicBytes() throws {
    let scratch = try ScratchDirectory()
    let path = scratch.file("notes.png")  // the extension lies
    try Data("just some text, not pixels\n".utf8).write(to: URL(fileURLWithPath: path))
    let error = #expect(throws: MediaError.self) { try ImageFile.read(path) }
    guard case .unsupportedFormat(let named, _) = error else {
      Issue.record("expected .unsupportedFormat, got \(String(describing: error))")
      return
    }
    #expect(named == path)
    #expect(throws: MediaError.self) { try PNGFile.read(path) }
    #expect(throws: MediaError.self) { try WAVFile.read(path) }
    #expect(throws: MediaError.self) { try MediaMetadata.readText(path) }
    let empty = scratch.file("empty.jpg")
    _ = FileManager.default.createFile(atPath: empty, contents: Data())
    #expect(throws: MediaError.self) { try ImageFile.read(empty) }
  }

  @Test func directoryIsUnreadable() throws {
    let scratch = try ScratchDirectory()
    let error = #expect(throws: MediaError.self) { try ImageFile.read(scratch.path) }
    guard case .unreadable = error else {
      Issue.record("expected .unreadable, got \(String(describing: error))")
      return
    }
  }

  /// Root ignores permission bits, so "unwritable" is a directory that cannot exist: one under a
  /// regular file (ENOTDIR), and one that is missing (ENOENT).
  @Test func unwritableDirectoryFailsCleanly() throws {
    let scratch = try ScratchDirectory()
    let blocker = scratch.file("plain-file")
    _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
    for directory in [blocker, scratch.file("missing-dir")] {
      let writes: [(String, () throws -> Void)] = [
        ("out.png", { try PNGFile.write(testPattern(width: 4, height: 4, channels: 3),
                                        to: directory + "/out.png", text: ["k": "v"]) }),
        ("out.wav", { try WAVFile.write(samples: [0, 0.5, -0.5, 0], channels: 1, sampleRate: 8000, format: .pcm16,
                                        to: directory + "/out.wav", text: ["k": "v"]) }),
        ("out.mp4", { _ = try VideoWriter(path: directory + "/out.mp4", width: 16, height: 16, framesPerSecond: 4,
                                          quality: 23, text: ["k": "v"]) }),
      ]
      for (name, write) in writes {
        let error = #expect(throws: MediaError.self) { try write() }
        guard case .cannotWrite(let named, let reason) = error else {
          Issue.record("\(name): expected .cannotWrite, got \(String(describing: error))")
          continue
        }
        #expect(named == directory + "/" + name)
        #expect(!reason.isEmpty)
      }
    }
    #expect(try scratch.leftoverTemporaries().isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["plain-file"])
  }

  @Test func messagesNameTheFileAndEndWithAdvice() {
    let errors: [MediaError] = [
      .fileNotFound(path: "/a"), .unreadable(path: "/a", reason: "r"), .unsupportedFormat(path: "/a", expected: "e"),
      .corrupt(path: "/a", reason: "r"), .cannotWrite(path: "/a", reason: "r"), .invalidInput(path: "/a", reason: "r"),
      .encoderUnavailable(path: "/a", tried: ["x"], reason: "r"), .encodingFailed(path: "/a", reason: "r"),
    ]
    for error in errors {
      #expect(error.description.hasPrefix("/a: "))
      #expect(error.description.hasSuffix("."))
      #expect(!error.description.contains("\n"))
      #expect(error.path == "/a")
    }
  }

  @Test func pendingTemporariesAreRemovedAtOnceButCommittedOnesStay() throws {
    let scratch = try ScratchDirectory()
    let (half, done) = (AtomicFile.temporaryPath(for: scratch.file("half.png")),
                        AtomicFile.temporaryPath(for: scratch.file("done.png")))
    for path in [half, done] { #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))) }
    try AtomicFile.commit(temporary: done, to: scratch.file("done.png"))
    // Only this directory's: other tests running meanwhile have writes in flight.
    #expect(AtomicFile.discardPending(in: scratch.path) == 1)
    #expect(try scratch.leftoverTemporaries().isEmpty)
    #expect(FileManager.default.fileExists(atPath: scratch.file("done.png")))
    #expect(!FileManager.default.fileExists(atPath: scratch.file("half.png")))
  }

  @Test func atomicTemporaryIsAHiddenSibling() throws {
    let temporary = AtomicFile.temporaryPath(for: "/some/dir/out.png")
    #expect(temporary.hasPrefix("/some/dir/.out.png.partial-\(getpid())-"))
    #expect(AtomicFile.temporaryPath(for: "out.png").hasPrefix("./.out.png.partial-"))
    #expect(AtomicFile.temporaryPath(for: "out.png") != AtomicFile.temporaryPath(for: "out.png"))
    let scratch = try ScratchDirectory()
    let error = #expect(throws: MediaError.self) {
      try AtomicFile.commit(temporary: scratch.file("never-written"), to: scratch.file("target"))
    }
    #expect(error?.path == scratch.file("target"))
  }
}
