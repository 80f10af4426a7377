// Sharded checkpoints: `*.safetensors.index.json` maps every key to the shard file that holds it
// (`{"metadata": {...}, "weight_map": {"key": "model-00001-of-00002.safetensors", ...}}`).

import Foundation

extension WeightSet {
  /// Opens every shard named by the index file at `indexPath` (shards sit beside it) and checks that
  /// each key of the weight map is in the shard the map names.
  /// - Throws: ``WeightError/malformed(file:reason:)`` for a bad index, or the shard's own error.
  public convenience init(indexPath: String) throws {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: indexPath))
    } catch {
      var isFolder: ObjCBool = false
      if !FileManager.default.fileExists(atPath: indexPath, isDirectory: &isFolder) {
        throw WeightError.fileNotFound(file: indexPath)
      }
      throw isFolder.boolValue ? WeightError.notAFile(file: indexPath)
        : WeightError.unreadable(file: indexPath, reason: error.localizedDescription)
    }
    guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw WeightError.malformed(file: indexPath, reason: "not a JSON object")
    }
    guard let map = root["weight_map"] as? [String: Any] else {
      throw WeightError.malformed(file: indexPath, reason: "no \"weight_map\" object")
    }
    var shardOfKey: [String: String] = [:]
    for (key, value) in map {
      guard let shard = value as? String, !shard.isEmpty, !shard.contains("/") else {
        throw WeightError.malformed(file: indexPath, reason: "weight_map entry of '\(key)' is not a file name")
      }
      shardOfKey[key] = shard
    }
    let folder = (indexPath as NSString).deletingLastPathComponent
    let shardNames = Set(shardOfKey.values).sorted()
    let files = try shardNames.map { try SafeTensorsFile(path: (folder as NSString).appendingPathComponent($0)) }
    let fileOfShard = Dictionary(uniqueKeysWithValues: zip(shardNames, files))
    for (key, shard) in shardOfKey.sorted(by: { $0.key < $1.key }) where fileOfShard[shard]?.contains(key) != true {
      throw WeightError.malformed(file: indexPath, reason: "'\(key)' is mapped to \(shard), which does not hold it")
    }
    try self.init(files: files, source: indexPath)
  }
}
