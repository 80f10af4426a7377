// Opening a CLIP tower's folder (config.json + model.safetensors, sharded or fp16 variants as
// WeightIO finds them) and checking every key, shape and dtype before anything runs.
import Foundation
import TensorCore
import WeightIO

enum CLIPWeights {
  /// The weight set of `folder`, checked against `expected`; every problem in one error. Keys under
  /// `ownPrefixes` that the model does not use are problems too (other keys, such as the other
  /// tower of a full CLIPModel checkpoint, are ignored).
  static func open(folder: URL, expected: [(key: String, shape: [Int])], ownPrefixes: [String]) throws -> WeightSet {
    let weights: WeightSet
    do {
      weights = try DiffusersComponent(path: folder.path).weights()
    } catch let error as WeightError {
      if case .missingWeights(let path, let candidates) = error { throw UnCLIPError.missingWeights(folder: path, candidates: candidates) }
      throw error
    }
    var problems = weights.validate(expected: expected, allowedDTypes: [.f32, .f16, .bf16]).map(\.description)
    let wanted = Set(expected.map(\.key))
    for key in weights.keys where !wanted.contains(key) && ownPrefixes.contains(where: key.hasPrefix)
      && !key.hasSuffix("position_ids")
    {
      problems.append("unexpected tensor '\(key)'")
    }
    if !problems.isEmpty { throw UnCLIPError.invalidWeights(file: weights.source, problems: problems) }
    return weights
  }

  /// Rows `ids` of an embedding `table` [V,W] (any float dtype), widened to f32: [count] -> [count,W].
  static func gatherRows(_ table: Tensor, ids: [Int]) -> Tensor {
    let width = table.shape[1]
    let result = Tensor(uninitialized: [ids.count, width])  // [count] -> [count,W]
    let output = result.mutableFloats
    let base = table.rawPointer
    for (row, id) in ids.enumerated() {
      let destination = output + row * width
      switch table.dtype {
      case .f32:
        destination.update(from: base.assumingMemoryBound(to: Float.self) + id * width, count: width)
      case .f16:
        let source = base.assumingMemoryBound(to: Float16.self) + id * width
        for column in 0..<width { destination[column] = Float(source[column]) }
      case .bf16:
        let source = base.assumingMemoryBound(to: UInt16.self) + id * width
        for column in 0..<width { destination[column] = bfloat16ToFloat(source[column]) }
      case .i32, .u8:
        preconditionFailure("embedding tables are float; validation admits only f32/f16/bf16")
      }
    }
    return result
  }
}
