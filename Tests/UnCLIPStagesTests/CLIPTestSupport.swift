// Shared helpers of the CLIP tests: fixture paths and max-abs comparisons that print mismatches.
import Foundation
import TensorCore
import Testing
import WeightIO

enum CLIPFixtures {
  /// The test bundle's Resources folder.
  static var resources: URL {
    get throws {
      guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
        throw CLIPFixtureError.missing("Resources")
      }
      return url
    }
  }

  static func url(_ relative: String) throws -> URL { try resources.appendingPathComponent(relative) }

  static var tinyUnCLIP: URL { get throws { try url("tiny-unclip") } }

  static func golden() throws -> SafeTensorsFile {
    try SafeTensorsFile(path: url("golden/unclip_clip.safetensors").path)
  }
}

enum CLIPFixtureError: Error { case missing(String) }

/// Max-abs error of `actual` against `expected` (same element count), printed; records an issue
/// naming the first mismatches when it exceeds `tolerance`.
@discardableResult
func expectCLIPClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) -> Float {
  #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return .infinity }
  let a = actual.toFloat32().scalars
  let e = expected.toFloat32().scalars
  var worst: Float = 0
  var mismatches: [String] = []
  for index in 0..<a.count {
    let error = Swift.abs(a[index] - e[index])
    if !(error <= tolerance) && mismatches.count < 8 { mismatches.append("[\(index)] \(a[index]) vs \(e[index])") }
    if !(error <= worst) { worst = error.isNaN ? .infinity : error }
  }
  #expect(worst <= tolerance, "\(label): max-abs \(worst) > \(tolerance); first: \(mismatches.joined(separator: ", "))",
          sourceLocation: sourceLocation)
  print("\(label): max-abs error \(worst) (tolerance \(tolerance))")
  return worst
}
