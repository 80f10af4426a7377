// TorchGenerator against torch 2.13 CPU: literals for the small cases (pasted from
// scripts/golden/randn_literals.py's output) and the whole golden file it writes for the rest.

import Foundation
import Testing
import WeightIO
@testable import TensorCore

@Suite struct TorchRandomTests {
  /// torch.randn on the AVX2 kernel (every x86-64 CPU with AVX2), float32, shortest repr.
  static let avx2Literals: [String: [Float]] = [
    "seed0/n1": [1.5409961],
    "seed0/n15": [1.5409961, -0.2934289, -2.1787894, 0.56843126, -1.0845224, -1.3985955, 0.40334684, 0.83802634,
                  -0.7192576, -0.40334353, -0.59663534, 0.18203649, -0.8566746, 1.1006042, -1.0711874],
    "seed0/n16": [-1.1258398, -1.1523602, -0.25057858, -0.4338788, 0.84871036, 0.69200915, -0.31601277, -2.1152194,
                  0.32227492, -1.2633348, 0.3499832, 0.30813393, 0.11984151, 1.2376579, 1.1167772, -0.24727815],
    "seed0/n17": [-1.1258398, -1.6959312, 0.5666506, 0.79350835, 0.59883946, -1.5550951, -0.3413604, 1.8530061,
                  0.4680964, -0.58549756, -0.17339675, 0.18347794, 1.3893661, 1.5863342, 0.94629836, -0.84367675,
                  0.9318266],
    "seed42/n17": [1.9269153, -0.15959747, -0.49739754, 0.43958926, -0.75813115, 1.0783176, 0.80080056, 1.6806206,
                   0.3558599, 1.2964228, 0.6104665, 1.3347378, -0.23162432, 0.04175949, -0.2515753, 0.8598585,
                   -0.30972677],
    "seed4294967297/n16": [-1.5255959, -0.7502318, -0.6539809, -1.6094848, -0.10016718, -0.6091889, -0.97977227,
                           -1.6090963, -0.7121446, 0.303722, -0.7773143, -0.25145525, -0.22227049, 1.6871134,
                           0.22842517, 0.4676355],
    "seed0/seq15": [1.5409961, -0.2934289, -2.1787894, 0.56843126, -1.0845224, -1.3985955, 0.40334684, 0.83802634,
                    -0.7192576, -0.40334353, -0.59663534, 0.18203649, -0.8566746, 1.1006042, -1.0711874],
    "seed0/seq15_then17": [-0.6135831, 0.8728312, 1.0553575, 0.17784372, -0.23033547, -0.3917544, 0.5432947,
                           -0.39515755, 0.20552567, 0.7440207, 1.5209795, 3.4105027, -1.5311843, -1.234135, 1.8197253,
                           -0.5515287, -1.325326],
    "seed0/seq15_then17_then3": [0.12270124, -2.2857695, 0.069952704],
  ]

  /// The same cases on torch's portable kernel (ATEN_CPU_CAPABILITY=default): last bits differ.
  static let portableLiterals: [String: [Float]] = [
    "seed0/n16": [-1.1258398, -1.1523602, -0.25057858, -0.43387884, 0.84871036, 0.6920092, -0.31601277, -2.1152196,
                  0.32227492, -1.2633348, 0.3499832, 0.3081339, 0.11984151, 1.2376579, 1.1167772, -0.24727765],
    "seed0/n17": [-1.1258398, -1.6959313, 0.5666505, 0.7935084, 0.59883946, -1.5550951, -0.3413603, 1.8530061,
                  0.4680964, -0.58549714, -0.17339702, 0.18347792, 1.3893661, 1.5863343, 0.94629836, -0.8436768,
                  0.93182665],
  ]

  /// Reproduces every case of scripts/golden/randn_literals.py, keyed as there.
  static func cases(_ kernel: TorchGenerator.NormalKernel) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for seed: UInt64 in [0, 42, 1 << 32 + 1] {
      for size in [1, 15, 16, 17, 1000] {
        var generator = TorchGenerator(seed: seed, normalKernel: kernel)
        out["seed\(seed)/n\(size)"] = generator.randn([size])
      }
      var generator = TorchGenerator(seed: seed, normalKernel: kernel)
      out["seed\(seed)/seq15"] = generator.randn([15])
      out["seed\(seed)/seq15_then17"] = generator.randn([17])
      out["seed\(seed)/seq15_then17_then3"] = generator.randn([3])
      generator = TorchGenerator(seed: seed, normalKernel: kernel)
      out["seed\(seed)/rand20"] = generator.rand([20])
      out["seed\(seed)/rand20_then_randn5"] = generator.randn([5])
    }
    var generator = TorchGenerator(seed: 0, normalKernel: kernel)
    out["diffusers/seed0/latent_1x3x64x64"] = generator.randn([1, 3, 64, 64])
    out["diffusers/seed0/latent_then_1x3x64x64"] = generator.randn([1, 3, 64, 64])
    return out
  }

  static func expectBitwise(_ actual: Tensor, _ expected: [Float], _ label: String) {
    let bits = actual.scalars.map(\.bitPattern)
    let difference = compare(actual, Tensor(expected, shape: [expected.count]), tolerance: 0)
    #expect(bits == expected.map(\.bitPattern), "\(label): \(difference)")
  }

  @Test func smallCasesMatchTorchLiterals() {
    let computed = Self.cases(.avx2)
    for (key, expected) in Self.avx2Literals {
      guard let actual = computed[key] else { Issue.record("no case \(key)"); continue }
      Self.expectBitwise(actual, expected, "avx2 \(key)")
    }
    let portable = Self.cases(.portable)
    for (key, expected) in Self.portableLiterals {
      guard let actual = portable[key] else { Issue.record("no case \(key)"); continue }
      Self.expectBitwise(actual, expected, "portable \(key)")
    }
  }

  @Test func everyGoldenCaseMatchesBitForBit() throws {
    // Foundation on Linux treats the copied `Resources` folder as the bundle's resource folder;
    // on macOS it stays a subdirectory.
    guard let url = Bundle.module.url(forResource: "randn_golden", withExtension: "safetensors")
      ?? Bundle.module.url(forResource: "randn_golden", withExtension: "safetensors", subdirectory: "Resources")
    else {
      Issue.record("test resource randn_golden.safetensors missing")
      return
    }
    let golden = try SafeTensorsFile(path: url.path)
    let computed = ["avx2": Self.cases(.avx2), "portable": Self.cases(.portable)]
    var checked = 0
    for name in golden.tensorNames {
      let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
      guard parts.count == 2, let actual = computed[parts[0]]?[parts[1]] else {
        Issue.record("golden case \(name) is not reproduced by the test")
        continue
      }
      let expected = try golden.tensor(name)
      let difference = compare(actual.reshaped([-1]), expected.reshaped([-1]), tolerance: 0)
      let sameBits = actual.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern)
      #expect(sameBits, "\(name): \(difference)")
      checked += 1
    }
    #expect(checked == 62, "golden file has \(checked) cases")
  }

  @Test func seedUsesLow32BitsLikeTorch() {
    var wide = TorchGenerator(seed: 1 << 32 + 1)
    var narrow = TorchGenerator(seed: 1)
    #expect(wide.randn([40]).scalars == narrow.randn([40]).scalars)
  }

  @Test func mersenneTwisterMatchesStandard() {
    // C++ [rand.predef]: the 10000th output of a default-seeded mt19937 is 4123659995.
    var engine = MersenneTwister(seed: 5489)
    #expect(engine.next() == 3_499_211_612)
    for _ in 0..<9998 { _ = engine.next() }
    #expect(engine.next() == 4_123_659_995)
  }

  @Test func emptyShapeDrawsNothing() {
    var generator = TorchGenerator(seed: 3)
    #expect(generator.randn([0, 4]).count == 0)
    var fresh = TorchGenerator(seed: 3)
    #expect(generator.randn([20]).scalars == fresh.randn([20]).scalars)
  }
}
