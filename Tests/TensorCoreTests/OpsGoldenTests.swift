// The non-GEMM ops against PyTorch 2.13 / diffusers 0.42 outputs written by scripts/golden/ops_basic.py
// (fixtures Resources/ops_*.safetensors; the case parameters are repeated from that script).
// Tolerance is max-abs 1e-5 unless a case says why it is looser.

import Foundation
import Testing
import WeightIO
@testable import TensorCore

/// One fixture file of the ops golden tests.
struct OpsFixture {
  let file: SafeTensorsFile

  init(_ name: String) throws {
    guard let url = Bundle.module.url(forResource: name, withExtension: "safetensors")
      ?? Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Resources")
    else {
      throw OpsFixtureMissing(name: name)
    }
    file = try SafeTensorsFile(path: url.path)
  }

  subscript(_ key: String) -> Tensor {
    get throws { try file.tensor(key).toFloat32() }
  }
}

struct OpsFixtureMissing: Error, CustomStringConvertible {
  let name: String
  var description: String { "fixture \(name).safetensors is missing; run scripts/golden/ops_basic.py" }
}

@Suite struct OpsGoldenElementwiseTests {
  let fixture: OpsFixture
  let x: Tensor

  init() throws {
    fixture = try OpsFixture("ops_elementwise")
    x = try fixture["x"]
  }

  @Test func activations() throws {
    let cases: [(String, (Tensor) -> Tensor)] = [
      ("gelu", gelu), ("gelu_tanh", geluTanh), ("silu", silu), ("sigmoid", sigmoid), ("quick_gelu", quickGELU),
      ("tanh", tanh), ("relu", relu), ("abs", abs),
      ("leaky_relu", { leakyReLU($0, slope: 0.2) }), ("clamp", { clamp($0, min: -1.5, max: 2) }),
    ]
    for (name, op) in cases { opsExpectClose(op(x), try fixture[name], tolerance: 1e-5, name) }
  }

  @Test func transcendentals() throws {
    // exp of values up to ~9 reaches ~8000: compare relatively (f32 has 7 digits).
    opsExpectClose(exp(x), try fixture["exp"], tolerance: 1e-6, relative: 1e-6, "exp")
    let positive = add(abs(x), 0.1)
    opsExpectClose(log(positive), try fixture["log"], tolerance: 1e-5, "log")
    opsExpectClose(sqrt(positive), try fixture["sqrt"], tolerance: 1e-5, "sqrt")
    opsExpectClose(rsqrt(positive), try fixture["rsqrt"], tolerance: 1e-5, relative: 1e-6, "rsqrt")
  }

  @Test func normalisations() throws {
    opsExpectClose(softmax(mul(x, 4)), try fixture["softmax"], tolerance: 1e-6, "softmax")
    opsExpectClose(layerNorm(x, weight: try fixture["layer_norm/weight"], bias: try fixture["layer_norm/bias"], epsilon: 1e-5),
                   try fixture["layer_norm"], tolerance: 1e-5, "layer_norm")
    opsExpectClose(layerNorm(x, weight: nil, bias: nil, epsilon: 1e-6), try fixture["layer_norm_plain"], tolerance: 1e-5,
                   "layer_norm without affine")
    opsExpectClose(l2Normalize(x), try fixture["l2_normalize"], tolerance: 1e-6, "l2_normalize")
    opsExpectClose(groupNorm(try fixture["group_norm/x"], groups: 4, weight: try fixture["group_norm/weight"],
                             bias: try fixture["group_norm/bias"], epsilon: 1e-6),
                   try fixture["group_norm"], tolerance: 1e-5, "group_norm")
    opsExpectClose(groupNorm(try fixture["group_norm3/x"], groups: 3, weight: nil, bias: nil, epsilon: 1e-5),
                   try fixture["group_norm3"], tolerance: 1e-5, "group_norm 3-D")
  }

  @Test func broadcasting() throws {
    let a = try fixture["broadcast/a"]
    let b = try fixture["broadcast/b"]
    opsExpectClose(add(a, b), try fixture["broadcast/add"], tolerance: 0, "add")
    opsExpectClose(sub(a, b), try fixture["broadcast/sub"], tolerance: 0, "sub")
    opsExpectClose(mul(a, b), try fixture["broadcast/mul"], tolerance: 0, "mul")
    opsExpectClose(div(a, try fixture["broadcast/d"]), try fixture["broadcast/div"], tolerance: 1e-6, "div")
    // Swapped operands broadcast the same way.
    opsExpectClose(add(b, a), try fixture["broadcast/add"], tolerance: 0, "add swapped")
    let shifted = add(mul(a, 0.5), 1)
    opsExpectClose(addScaled(a, shifted, scale: -0.3), try fixture["broadcast/add_scaled"], tolerance: 1e-6, "add_scaled")
  }

  @Test func preluAndReductions() throws {
    let p = try fixture["prelu/x"]
    opsExpectClose(prelu(p, slopes: try fixture["prelu/slopes"]), try fixture["prelu"], tolerance: 0, "prelu")
    opsExpectClose(prelu(p, slopes: Tensor([0.15], shape: [1])), try fixture["prelu_shared"], tolerance: 0, "prelu shared")
    let r = try fixture["reduce/x"]
    opsExpectClose(sum(r, axis: 1), try fixture["reduce/sum1"], tolerance: 1e-5, "sum axis 1")
    opsExpectClose(sum(r, axis: 0), try fixture["reduce/sum0"], tolerance: 1e-5, "sum axis 0")
    opsExpectClose(mean(r, axis: -1, keepDims: true), try fixture["reduce/mean_last_keep"], tolerance: 1e-6, "mean keepDims")
  }
}

@Suite struct OpsGoldenResizeTests {
  let fixture: OpsFixture
  let image: Tensor

  init() throws {
    fixture = try OpsFixture("ops_resize")
    image = try fixture["img"]
  }

  @Test func nearest() throws {
    opsExpectClose(resizeNearest(image, height: 7, width: 9), try fixture["nearest_down"], tolerance: 0, "nearest down")
    opsExpectClose(resizeNearest(image, height: 26, width: 34), try fixture["nearest_up2"], tolerance: 0, "nearest ×2")
    opsExpectClose(resizeNearest(image, height: 20, width: 30), try fixture["nearest_up"], tolerance: 0, "nearest up")
    opsExpectClose(upsampleNearest2x(image), try fixture["upsample2x"], tolerance: 0, "upsampleNearest2x")
  }

  @Test func bilinearAndBicubic() throws {
    let cases: [(String, Int, Int, Bool, Bool)] = [  // name, height, width, bicubic, antialias
      ("bilinear_down", 7, 9, false, false), ("bilinear_up", 25, 31, false, false),
      ("bicubic_down", 7, 9, true, false), ("bicubic_up", 25, 31, true, false),
      ("bilinear_aa_down", 7, 9, false, true), ("bilinear_aa_up", 25, 31, false, true),
      ("bicubic_aa_down", 7, 9, true, true), ("bicubic_aa_strong", 4, 5, true, true),
      ("bicubic_aa_up", 25, 31, true, true), ("bicubic_aa_mixed", 20, 8, true, true),
    ]
    for (name, height, width, bicubic, antialias) in cases {
      let output = bicubic
        ? resizeBicubic(image, height: height, width: width, antialias: antialias)
        : resizeBilinear(image, height: height, width: width, antialias: antialias)
      opsExpectClose(output, try fixture[name], tolerance: 1e-5, name)
    }
  }

  @Test func paddingShuffleAndPooling() throws {
    let small = try fixture["pad/x"]
    for (name, mode) in [("pad_reflect", PadMode.reflect), ("pad_replicate", .replicate), ("pad_zero", .zero)] {
      opsExpectClose(pad(small, top: 1, bottom: 4, left: 2, right: 3, mode: mode), try fixture[name], tolerance: 0, name)
    }
    opsExpectClose(pixelShuffle(try fixture["pixel_shuffle/x"], upscale: 2), try fixture["pixel_shuffle"], tolerance: 0,
                   "pixel_shuffle")
    let pool = try fixture["avg_pool/x"]
    opsExpectClose(avgPool2d(pool, kernel: 2, stride: 2), try fixture["avg_pool_k2s2"], tolerance: 1e-6, "avg_pool k2 s2")
    opsExpectClose(avgPool2d(pool, kernel: 3, stride: 2), try fixture["avg_pool_k3s2"], tolerance: 1e-6, "avg_pool k3 s2")
  }
}

@Suite struct OpsGoldenEmbeddingTests {
  @Test func timestepEmbeddings() throws {
    let fixture = try OpsFixture("ops_embedding")
    let steps = try fixture["timesteps"].scalars
    let cases: [(String, Int, Bool, Float, Float, Float)] = [  // name, dim, flip, shift, scale, max period
      ("temb_32_flip_shift0", 32, true, 0, 1, 10000), ("temb_33_noflip_shift1", 33, false, 1, 1, 10000),
      ("temb_320_flip_shift0", 320, true, 0, 1, 10000), ("temb_16_scale2_period100", 16, false, 1, 2, 100),
    ]
    for (name, dimension, flip, shift, scale, period) in cases {
      let output = timestepEmbedding(timesteps: steps, dimension: dimension, flipSinToCos: flip,
                                     downscaleFreqShift: shift, scale: scale, maxPeriod: period)
      // torch's exp (SLEEF) and glibc's expf disagree by 1 ulp on a few frequencies (2 of 160 at
      // D = 320); the sin/cos argument t·f then moves by one ulp of t·f (6e-5 at t = 999), and so can the
      // result. Allow two argument ulps of the largest argument; elsewhere the two agree to ~1e-7.
      let largestArgument = scale * (steps.max() ?? 0)
      let tolerance = 2e-6 + 2 * largestArgument * Float.ulpOfOne
      opsExpectClose(output, try fixture[name], tolerance: tolerance, name)
    }
  }

  @Test func slerpRows() throws {
    let fixture = try OpsFixture("ops_embedding")
    let output = slerp(try fixture["slerp/a"], try fixture["slerp/b"], t: 0.3)
    opsExpectClose(output, try fixture["slerp_0.3"], tolerance: 1e-5, "slerp t=0.3")
  }
}
