// Golden tests against PyTorch (fixtures from scripts/golden/ops_gemm_conv_attention.py) for matmul,
// linear, conv2d and scaled_dot_product_attention.
import Foundation
import Testing
import TensorCore
import WeightIO

/// Opens `Resources/<name>.safetensors` from the test bundle.
func kernelTestFixture(_ name: String) throws -> SafeTensorsFile {
  guard let url = Bundle.module.url(forResource: name, withExtension: "safetensors")
    ?? Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Resources")
  else {
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(name).safetensors; run scripts/golden/ops_gemm_conv_attention.py"])
  }
  return try SafeTensorsFile(path: url.path)
}

/// Expects `actual` to match the fixture's `key` within f32 summation-order noise.
func kernelTestExpectGolden(_ actual: Tensor, _ file: SafeTensorsFile, _ key: String) throws {
  let difference = compare(actual, try file.tensor(key), tolerance: 1e-5, relativeTolerance: 1e-4)
  #expect(difference.isWithinTolerance, "\(key) vs PyTorch: \(difference)")
}

@Suite struct GEMMGoldenTests {
  @Test func matmulAndLinearMatchPyTorch() throws {
    let file = try kernelTestFixture("gemm_golden")
    let a = try file.tensor("a")
    try kernelTestExpectGolden(matmul(a, try file.tensor("b")), file, "matmul")
    try kernelTestExpectGolden(matmul(a, try file.tensor("b_f16")), file, "matmul_f16")
    try kernelTestExpectGolden(matmul(a, try file.tensor("b_bf16_t"), transposeB: true), file, "matmul_bf16_t")
    let x = try file.tensor("x")
    try kernelTestExpectGolden(linear(x, weight: try file.tensor("weight_f16"), bias: try file.tensor("bias")),
                               file, "linear")
  }

  @Test func conv2dMatchesPyTorch() throws {
    let file = try kernelTestFixture("conv_golden")
    let x = try file.tensor("x")
    try kernelTestExpectGolden(
      conv2d(x, weight: try file.tensor("weight_g2_s2"), bias: try file.tensor("bias"), stride: 2, padding: 1, groups: 2),
      file, "conv_g2_s2_p1")
    try kernelTestExpectGolden(conv2d(x, weight: try file.tensor("weight_bf16"), bias: nil, padding: 1), file, "conv_bf16_p1")
    try kernelTestExpectGolden(conv2d(x, weight: try file.tensor("weight_1x1_f16"), bias: nil), file, "conv_1x1")
  }

  @Test func attentionMatchesPyTorch() throws {
    let file = try kernelTestFixture("attn_golden")
    let (q, k, v) = (try file.tensor("q"), try file.tensor("k"), try file.tensor("v"))
    try kernelTestExpectGolden(scaledDotProductAttention(query: q, key: k, value: v, mask: try file.tensor("mask")),
                               file, "sdpa_mask")
    let (qc, kc, vc) = (try file.tensor("qc"), try file.tensor("kc"), try file.tensor("vc"))
    try kernelTestExpectGolden(scaledDotProductAttention(query: qc, key: kc, value: vc, causal: true), file, "sdpa_causal")
    try kernelTestExpectGolden(scaledDotProductAttention(query: qc, key: kc, value: vc, scale: 0.5), file, "sdpa_scale")
  }
}
