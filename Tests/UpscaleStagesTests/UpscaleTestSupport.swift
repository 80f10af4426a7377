// Fixture access and image metrics for the upscale tests.
import Foundation
import TensorCore
import Testing
import WeightIO

/// Tests/UpscaleStagesTests/Resources as bundled.
let resources: URL = {
  let bundled = Bundle.module.url(forResource: "Resources", withExtension: nil)
  return bundled ?? Bundle.module.bundleURL.appendingPathComponent("Resources")
}()

/// assets/models/realesrgan, the model shipped with the repository (realesr-animevideov3-x4), read
/// in place rather than copied into the test resources.
let shippedModels = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().appendingPathComponent("assets/models/realesrgan")

/// realesrgan_golden.safetensors (written by scripts/golden/realesrgan_reference.py fixtures).
func golden(_ name: String) throws -> Tensor {
  try SafeTensorsFile(path: resources.appendingPathComponent("realesrgan_golden.safetensors").path).tensor(name).toFloat32()
}

/// Peak signal-to-noise ratio for signals in 0…1, in dB (infinity when equal).
func psnr(_ actual: Tensor, _ expected: Tensor) -> Double {
  precondition(actual.shape == expected.shape, "psnr of \(actual.shape) and \(expected.shape)")
  var squared = 0.0
  for index in 0..<actual.count {
    let difference = Double(actual.floats[index] - expected.floats[index])
    squared += difference * difference
  }
  let mse = squared / Double(actual.count)
  return mse == 0 ? .infinity : 10 * Foundation.log10(1 / mse)
}

/// Checks PSNR ≥ `minimum` dB and prints it with the max-abs error and the first mismatches above 1/255.
func expectClose(_ actual: Tensor, _ expected: Tensor, minimumPSNR minimum: Double, label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
  guard actual.shape == expected.shape else {
    Issue.record("\(label): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
    return
  }
  let value = psnr(actual, expected)
  let difference = compare(actual, expected, tolerance: 1 / 255)
  print("\(label): PSNR \(String(format: "%.2f", value)) dB, \(difference)")
  #expect(value >= minimum, "\(label): PSNR \(value) dB < \(minimum); \(difference)", sourceLocation: sourceLocation)
}
