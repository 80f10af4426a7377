// The real `easel` binary on real files: determinism across runs and thread counts, provenance via
// `easel info`, exit codes of every user error, and Ctrl-C / SIGTERM leaving no partial output.
import Foundation
import MediaIO
import Testing

@Suite(.serialized) struct CLITests {
  init() throws {
    try #require(Binary.isBuilt, "build the easel product first: swift build --product easel (looked at \(Binary.easel))")
  }

  func files(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  @Test func wavAndPNGAreByteIdenticalAcrossRunsAndThreadCounts() throws {
    let image = try Fixtures.testImage(width: 90, height: 60)
    var wavs: [Data] = []
    var pngs: [Data] = []
    for threads in ["1", "2", "2"] {
      let out = Fixtures.temporaryFolder()
      let tone = try Binary.run(["run", "pipelines/tone.yaml", "--seed", "9", "--out", out, "--quiet"],
                                environment: ["EASEL_THREADS": threads])
      #expect(tone.status == 0, "\(tone.stderr)")
      let resize = try Binary.run(["run", "pipelines/resize-image.yaml", "--image", image, "--out", out, "--quiet",
                                   "--set", "resize.width=40", "--set", "resize.height=40"],
                                  environment: ["EASEL_THREADS": threads])
      #expect(resize.status == 0, "\(resize.stderr)")
      #expect(files(out) == ["resize-image-0.png", "tone-9.wav"])
      wavs.append(try Data(contentsOf: URL(fileURLWithPath: out + "/tone-9.wav")))
      pngs.append(try Data(contentsOf: URL(fileURLWithPath: out + "/resize-image-0.png")))
      let png = try PNGFile.read(out + "/resize-image-0.png")
      #expect(png.width == 40 && png.height == 40)
      let (_, channels, rate) = try WAVFile.read(out + "/tone-9.wav")
      #expect(channels == 1 && rate == 44100)
    }
    #expect(Set(wavs).count == 1)
    #expect(Set(pngs).count == 1)
  }

  @Test func infoPrintsProvenanceOfPNGWAVAndMP4() throws {
    let image = try Fixtures.testImage()
    let out = Fixtures.temporaryFolder()
    let video = try Binary.run(["run", "pipelines/zoom-video.yaml", "--image", image, "--out", out, "--quiet",
                                "--set", "frames.frames=12", "--set", "resize.width=64", "--set", "resize.height=48"])
    #expect(video.status == 0, "\(video.stderr)")
    let tone = try Binary.run(["run", "pipelines/tone.yaml", "--out", out, "--quiet", "--set", "tone.duration=0.1",
                               "--set", "noise.duration=0.1"])
    #expect(tone.status == 0, "\(tone.stderr)")
    let sheet = try Binary.run(["run", "pipelines/contact-sheet.yaml", "--image", image, "--out", out, "--quiet"])
    #expect(sheet.status == 0, "\(sheet.stderr)")
    #expect(files(out) == ["contact-sheet-sheet.png", "tone-0.wav", "zoom-video-0.mp4"])

    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
    probe.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                       "stream=width,height,nb_read_frames", "-of", "csv=p=0", out + "/zoom-video-0.mp4"]
    let pipe = Pipe()
    probe.standardOutput = pipe
    try probe.run()
    let probed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    probe.waitUntilExit()
    #expect(probed.trimmingCharacters(in: .whitespacesAndNewlines) == "64,48,12")

    for (file, stage) in [("zoom-video-0.mp4", "video.frames"), ("tone-0.wav", "audio.noise"),
                          ("contact-sheet-sheet.png", "image.crop")] {
      let info = try Binary.run(["info", out + "/" + file])
      #expect(info.status == 0, "\(info.stderr)")
      #expect(info.stdout.contains("\"stage\" : \"\(stage)\""), "\(info.stdout)")
      #expect(info.stdout.contains("\"sha256\""))
    }
  }

  @Test func checkReportsEveryProblemAndExitsTwo() throws {
    let file = Fixtures.writeFile("""
      easel: 1
      stages:
        - id: tone
          stage: audio.tone
          params: {frequency: 0}
        - id: mix
          stage: audio.mixer
      outputs:
        - {from: tone.audio, sink: gif}
      """)
    let result = try Binary.run(["check", file])
    #expect(result.status == 2)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 3, "\(result.stderr)")
    #expect(lines.allSatisfy { $0.hasPrefix("easel: \(file):") })
    #expect(try Binary.run(["check", "pipelines/tone.yaml"]).status == 0)
  }

  @Test func userErrorsGiveOneLineAndTheDocumentedExitCode() throws {
    let out = Fixtures.temporaryFolder()
    let missingPipeline = try Binary.run(["run", "no/such/pipeline.yaml", "--out", out])
    #expect(missingPipeline.status == 3)
    #expect(missingPipeline.stderr.contains("no/such/pipeline.yaml: pipeline file not found"))

    let missingImage = try Binary.run(["run", "pipelines/resize-image.yaml", "--image", "/no/such.png", "--out", out])
    #expect(missingImage.status == 3)
    #expect(missingImage.stderr.split(separator: "\n").count == 1, "\(missingImage.stderr)")

    let noImage = try Binary.run(["run", "pipelines/resize-image.yaml", "--out", out])
    #expect(noImage.status == 2)
    #expect(noImage.stderr.contains("pass --image FILE"))

    let blocker = Fixtures.writeFile("not a folder", name: "blocker")
    let unwritable = try Binary.run(["run", "pipelines/tone.yaml", "--out", blocker + "/out"])
    #expect(unwritable.status == 1)
    #expect(unwritable.stderr.contains("cannot write"))

    let badSet = try Binary.run(["run", "pipelines/tone.yaml", "--set", "frequency=3", "--out", out])
    #expect(badSet.status == 2)
    #expect(badSet.stderr.contains("expected STAGE.PARAM=VALUE"))

    let unknownOption = try Binary.run(["run", "pipelines/tone.yaml", "--colour", "red"])
    #expect(unknownOption.status == 2)

    let noProvenance = Fixtures.writeFile("hello", name: "plain.txt")
    #expect(try Binary.run(["info", noProvenance]).status != 0)
    #expect(files(out).isEmpty)
  }

  @Test func stagesListsPortsAndParameters() throws {
    let result = try Binary.run(["stages"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("image.resize"))
    #expect(result.stdout.contains("mode          choice fit|fill|stretch  default fit"))
    #expect(result.stdout.contains("image         image f32 [N,H,W,C]"))
    let one = try Binary.run(["stages", "audio.tone"])
    #expect(one.stdout.contains("frequency     float  default 440.0, range 1...48000"))
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func signalStopsCleanlyWithExitCode130(signal: Int32) throws {
    let out = Fixtures.temporaryFolder()
    let stdout = Pipe()
    let stderr = Pipe()
    let log = LockedText()
    stderr.fileHandleForReading.readabilityHandler = { handle in log.append(handle.availableData) }
    let process = try Binary.start(["run", Fixtures.resource("slow-tone.yaml"), "--out", out], stdout: stdout, stderr: stderr)
    let deadline = Date().addingTimeInterval(60)
    while !log.text.contains("slow 1/600") && !log.text.contains("slow [") && Date() < deadline { usleep(20_000) }
    #expect(log.text.contains("slow"), "the run never reached the slow stage: \(log.text)")
    usleep(200_000)
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    stderr.fileHandleForReading.readabilityHandler = nil
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 130, "\(log.text)")
    #expect(files(out).isEmpty, "left behind: \(files(out))")
  }
}

final class LockedText: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  func append(_ more: Data) {
    lock.lock()
    data.append(more)
    lock.unlock()
  }
  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: data, as: UTF8.self)
  }
}
