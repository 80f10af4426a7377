// Helpers of the diffusion-side unCLIP tests: fixture paths, model loading from the tiny folder and
// max-abs comparisons that print the first mismatches.
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

enum UnCLIPGolden {
  static var resources: URL {
    get throws {
      guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
        throw UnCLIPError.folderNotFound(path: "test bundle Resources")
      }
      return url
    }
  }

  static var tinyFolder: URL { get throws { try resources.appendingPathComponent("tiny-unclip") } }

  static func file(_ name: String) throws -> SafeTensorsFile {
    try SafeTensorsFile(path: resources.appendingPathComponent("golden/\(name).safetensors").path)
  }

  static func folder() throws -> ModelFolder { try ModelFolder(path: tinyFolder.path) }
}

extension SafeTensorsFile {
  /// A golden tensor as f32.
  func float(_ key: String) throws -> Tensor { try tensor(key).toFloat32() }
  /// A golden integer tensor as Swift Ints.
  func ints(_ key: String) throws -> [Int] { try tensor(key).scalars.map { Int($0) } }
}

/// Max-abs error of `actual` against `expected`; records an issue naming the first mismatches when it
/// exceeds `tolerance`.
@discardableResult
func expectNear(_ actual: Tensor, _ expected: Tensor, tolerance: Float, _ label: String,
                sourceLocation: SourceLocation = #_sourceLocation) -> Float {
  #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return .infinity }
  let a = actual.toFloat32().scalars
  let e = expected.toFloat32().scalars
  var worst: Float = 0
  var mismatches: [String] = []
  for index in 0..<a.count {
    let error = Swift.abs(a[index] - e[index])
    if !(error <= tolerance) && mismatches.count < 6 { mismatches.append("[\(index)] \(a[index]) vs \(e[index])") }
    if !(error <= worst) { worst = error.isNaN ? .infinity : error }
  }
  #expect(worst <= tolerance, "\(label): max-abs \(worst) > \(tolerance); first: \(mismatches.joined(separator: ", "))",
          sourceLocation: sourceLocation)
  return worst
}

/// Loads one component of the tiny folder, failing the test with every problem found.
func loadComponent<Model, Config: Decodable>(_ component: String, config: Config.Type,
                                             build: (Config, WeightReader) -> Model) throws -> Model {
  let folder = try UnCLIPGolden.folder()
  var problems: [String] = []
  guard let decoded = folder.config(Config.self, component: component, problems: &problems) else {
    throw UnCLIPError.invalidModel(folder: folder.url.path, problems: problems)
  }
  let reader = folder.weights(component, problems: &problems)
  let model = build(decoded, reader)
  reader.recordUnusedKeys()
  problems += reader.problems
  if !problems.isEmpty { throw UnCLIPError.invalidModel(folder: folder.url.path, problems: problems) }
  return model
}
