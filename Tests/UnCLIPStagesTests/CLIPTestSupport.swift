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

/// ``expectNear(_:_:tolerance:_:sourceLocation:)`` with the max-abs error printed.
@discardableResult
func expectCLIPClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ label: String,
                     sourceLocation: SourceLocation = #_sourceLocation) -> Float {
  let worst = expectNear(actual, expected, tolerance: tolerance, label, sourceLocation: sourceLocation)
  print("\(label): max-abs error \(worst) (tolerance \(tolerance))")
  return worst
}
