// Each media stage run alone through StageHarness (the same C descriptor path the host uses).
import EaselPluginSDK
import Foundation
import MediaStages
import Testing
import TensorCore

@Suite struct MediaStagesTests {
  static func image(height: Int, width: Int, channels: Int = 3) -> Tensor {
    let tensor = Tensor(uninitialized: [1, height, width, channels])
    for index in 0..<tensor.count { tensor.mutableFloats[index] = Float(index % 97) / 96 }
    return tensor
  }

  @Test(arguments: [("fit", [1, 32, 48, 3]), ("fill", [1, 40, 40, 3]), ("stretch", [1, 40, 40, 3])])
  func resizeModes(mode: String, expected: [Int]) throws {
    let harness = try StageHarness(ImageResize.self, parameters: ["width": "40", "height": "40", "mode": mode])
    // 60×40 input: fit → 40 wide (aspect 3:2 → 27 high? no: min(40/60, 40/40) = 2/3 → 40×27)
    let out = try harness.run(["image": .image(Self.image(height: 40, width: 60))])
    let result = try #require(out["image"]?.tensor)
    if mode == "fit" {
      #expect(result.shape == [1, 27, 40, 3])
    } else {
      #expect(result.shape == expected)
    }
    #expect(result.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
  }

  @Test func resizeToSameSizeKeepsPixels() throws {
    let input = Self.image(height: 8, width: 8)
    let harness = try StageHarness(ImageResize.self, parameters: ["width": "8", "height": "8", "filter": "bilinear"])
    let out = try harness.run(["image": .image(input)])
    #expect(out["image"]?.tensor?.scalars == input.scalars)
  }

  @Test func cropTakesTheRequestedRectangle() throws {
    let input = Self.image(height: 6, width: 5, channels: 1)
    let harness = try StageHarness(ImageCrop.self, parameters: ["width": "2", "height": "3", "anchor": "offset", "x": "1", "y": "2"])
    let result = try #require(try harness.run(["image": .image(input)])["image"]?.tensor)
    #expect(result.shape == [1, 3, 2, 1])
    let expected = (2..<5).flatMap { y in (1..<3).map { x in input.scalars[y * 5 + x] } }
    #expect(result.scalars == expected)
  }

  @Test func cropLargerThanImageIsAClearError() throws {
    let harness = try StageHarness(ImageCrop.self, parameters: ["width": "20", "height": "3"])
    #expect {
      try harness.run(["image": .image(Self.image(height: 6, width: 5))])
    } throws: { error in
      "\(error)".contains("does not fit a 5×6 image")
    }
  }

  @Test func toneHasTheRequestedFrequencyAndLength() throws {
    let harness = try StageHarness(AudioTone.self, parameters: [
      "frequency": "100", "duration": "1", "sample_rate": "8000", "attack": "0", "release": "0", "channels": "2",
    ])
    let value = try #require(try harness.run()["audio"])
    let tensor = try #require(value.tensor)
    #expect(tensor.shape == [2, 8000])
    #expect(value.sampleRate == 8000)
    let samples = Array(tensor.scalars.prefix(8000))
    let upward = zip(samples, samples.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
    #expect((99...100).contains(upward))
    #expect(abs((samples.max() ?? 0) - 0.5) < 0.01)
    #expect(Array(tensor.scalars.suffix(8000)) == samples)
  }

  @Test func noiseIsDeterministicPerSeed() throws {
    let harness = try StageHarness(AudioNoise.self, parameters: ["duration": "0.01", "sample_rate": "8000", "color": "pink"])
    func seed(_ value: Int32) -> StageValue {
      let storage = TensorStorage(uninitializedByteCount: 4)
      storage.base.storeBytes(of: value, as: Int32.self)
      return .tensor(Tensor(shape: [1], dtype: .i32, storage: storage))
    }
    let a = try harness.run(["seed": seed(5)])["audio"]?.tensor?.scalars
    let b = try harness.run(["seed": seed(5)])["audio"]?.tensor?.scalars
    let c = try harness.run(["seed": seed(6)])["audio"]?.tensor?.scalars
    let unconnected = try harness.run()["audio"]?.tensor?.scalars
    #expect(a == b)
    #expect(a != c)
    #expect(unconnected != nil && unconnected != a)
    #expect(a?.allSatisfy { abs($0) <= 0.25 } == true)
  }

  @Test func mixAddsWithGainsAndPads() throws {
    let harness = try StageHarness(AudioMix.self, parameters: ["gain_a": "1", "gain_b": "0.5"])
    let out = try harness.run([
      "a": .audio(Tensor([0.1, 0.2, 0.3], shape: [1, 3]), sampleRate: 100),
      "b": .audio(Tensor([0.4, 0.4], shape: [1, 2]), sampleRate: 100),
    ])
    let mixed = try #require(out["audio"]?.tensor?.scalars)
    #expect(zip(mixed, [0.3, 0.4, 0.3] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
    #expect {
      try harness.run([
        "a": .audio(Tensor([0.1], shape: [1, 1]), sampleRate: 100),
        "b": .audio(Tensor([0.1], shape: [1, 1]), sampleRate: 200),
      ])
    } throws: { "\($0)".contains("sample rates differ") }
  }

  @Test func framesZoomFromTheWholeImage() throws {
    let input = Self.image(height: 10, width: 12)
    let harness = try StageHarness(VideoFrames.self, parameters: ["frames": "5", "zoom": "2"])
    let frames = try #require(try harness.run(["image": .image(input)])["frames"]?.tensor)
    #expect(frames.shape == [5, 10, 12, 3])
    // Frame 0 shows the whole image at its own size: the same pixels.
    #expect(zip(frames.slice(outer: 0..<1).scalars, input.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    #expect(frames.slice(outer: 4..<5).scalars != input.scalars)
    #expect(harness.progressEvents.last?.step == 5)
  }

  @Test func slowStageStopsWhenCancelled() throws {
    let harness = try StageHarness(TestSlow.self, parameters: ["steps": "1000", "step_ms": "1"])
    harness.cancelled = true
    #expect(throws: StageError.cancelled) {
      try harness.run(["audio": .audio(Tensor([0], shape: [1, 1]), sampleRate: 100)])
    }
  }

  @Test func badParameterIsRefusedByTheHarness() {
    #expect(throws: StageError.self) { try StageHarness(AudioTone.self, parameters: ["frequency": "0"]) }
  }
}
