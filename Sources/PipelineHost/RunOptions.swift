// What `easel run` was asked to do, and the job items it expands to.
import Foundation

/// Options of one run.
public struct RunOptions: Sendable {
  /// Prompts (one item series each); empty when the pipeline takes none.
  public var prompts: [String] = []
  /// `--image FILE`.
  public var imagePath: String?
  /// `--seed N`: the seed of item 0; item i gets seed + i.
  public var seed: Int?
  /// `--count N`: items per prompt.
  public var count: Int?
  /// `--out DIR`.
  public var outDirectory: String = "out"
  /// `--force`: redo items whose outputs already exist.
  public var force = false

  public init() {}

  /// Prompts from a `--prompts` file: one per line, blank lines and `#` comments skipped.
  public static func prompts(fromFile path: String) throws(HostError) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw .missingFile(path: path, what: "prompts file")
    }
    return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : trimmed
    }
  }
}

/// One run of the graph: a prompt, an index within it and its seed.
public struct JobItem: Sendable, Equatable {
  public var prompt: String?
  public var index: Int
  public var seed: Int
}
