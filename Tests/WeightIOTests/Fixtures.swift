// Paths of the committed fixtures written by scripts/golden/make_weightio_fixtures.py.

import Foundation

enum Fixtures {
  /// The test bundle's resource folder. Foundation on Linux treats the copied `Resources` folder as
  /// the bundle's resource folder; on macOS it stays a subdirectory.
  static var resources: String? {
    guard let url = Bundle.module.url(forResource: "torch_dtypes", withExtension: "safetensors")
      ?? Bundle.module.url(forResource: "torch_dtypes", withExtension: "safetensors", subdirectory: "Resources")
    else { return nil }
    return url.deletingLastPathComponent().path
  }

  /// `Resources/<name>`, or nil (recording nothing) when the resources are missing.
  static func path(_ name: String) -> String? { resources.map { $0 + "/" + name } }
}
