// The text half of an ncnn model: the `.param` graph (ncnn's `Net::load_param`, format version
// 7767517). Each layer line is `type name bottomCount topCount bottoms… tops… key=value…`, where a
// negative key -233xx marks an array parameter `xx` written as `count,v1,v2,…`.
import Foundation

/// One parameter value of an ncnn layer.
public enum NCNNParamValue: Equatable, Sendable {
  case int(Int)
  case float(Float)
  case array([Float])
}

/// One layer line of an ncnn `.param` file.
public struct NCNNLayer: Sendable {
  /// Layer type, such as `Convolution` or `PReLU`.
  public let type: String
  /// Layer name, unique in the graph (`Conv_0`).
  public let name: String
  /// Names of the blobs the layer reads.
  public let bottoms: [String]
  /// Names of the blobs the layer writes.
  public let tops: [String]
  /// Parameters by ncnn key id (`0=64` is key 0; `-23310=1,0.2` is array key 10).
  public let params: [Int: NCNNParamValue]
  /// 1-based line number in the `.param` file, for messages.
  public let line: Int

  /// Integer parameter `key`, or `defaultValue` when absent.
  public func int(_ key: Int, default defaultValue: Int = 0) -> Int {
    switch params[key] {
    case let .int(value): value
    case let .float(value): Int(value)
    default: defaultValue
    }
  }

  /// Float parameter `key`, or `defaultValue` when absent.
  public func float(_ key: Int, default defaultValue: Float = 0) -> Float {
    switch params[key] {
    case let .int(value): Float(value)
    case let .float(value): value
    default: defaultValue
    }
  }

  /// Array parameter `key`, or an empty array when absent.
  public func array(_ key: Int) -> [Float] {
    if case let .array(values) = params[key] { return values }
    return []
  }
}

/// The layer graph of an ncnn `.param` file, validated: the header counts match, every input blob
/// was produced by an earlier layer.
public struct NCNNGraph: Sendable {
  /// Layers in file order (a valid execution order).
  public let layers: [NCNNLayer]
  /// Number of distinct blobs.
  public let blobCount: Int

  /// Parses `text`, the contents of the file named `file` (used in messages).
  public init(text: String, file: String) throws {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    guard let magic = lines.first, magic == "7767517" else {
      throw NCNNError.badMagic(file: file, found: String((lines.first ?? "").prefix(40)))
    }
    let header = lines.count > 1 ? lines[1].split(separator: " ", omittingEmptySubsequences: true) : []
    guard header.count == 2, let declaredLayers = Int(header[0]), let declaredBlobs = Int(header[1]),
          declaredLayers >= 0, declaredBlobs >= 0 else {
      throw NCNNError.malformedLine(file: file, line: 2, reason: "expected 'layerCount blobCount'")
    }
    var layers: [NCNNLayer] = []
    var produced = Set<String>()
    for (index, raw) in lines.enumerated().dropFirst(2) where !raw.isEmpty {
      let layer = try Self.parseLayer(raw, line: index + 1, file: file)
      for bottom in layer.bottoms where !produced.contains(bottom) {
        throw NCNNError.unknownBlob(file: file, line: layer.line, blob: bottom)
      }
      for top in layer.tops {
        guard produced.insert(top).inserted else {
          throw NCNNError.malformedLine(file: file, line: layer.line, reason: "blob '\(top)' is written twice")
        }
      }
      layers.append(layer)
    }
    guard layers.count == declaredLayers else {
      throw NCNNError.layerCountMismatch(file: file, declared: declaredLayers, found: layers.count)
    }
    guard produced.count == declaredBlobs else {
      throw NCNNError.blobCountMismatch(file: file, declared: declaredBlobs, found: produced.count)
    }
    self.layers = layers
    self.blobCount = declaredBlobs
  }

  /// Reads and parses the `.param` file at `url`.
  public init(contentsOf url: URL) throws {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw NCNNError.unreadable(file: url.path, reason: Self.reason(error))
    }
    try self.init(text: text, file: url.path)
  }

  /// The layer named `name`, if any.
  public func layer(named name: String) -> NCNNLayer? { layers.first { $0.name == name } }

  static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return ns.localizedDescription
  }

  private static func parseLayer(_ raw: String, line: Int, file: String) throws -> NCNNLayer {
    let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard fields.count >= 4, let bottomCount = Int(fields[2]), let topCount = Int(fields[3]),
          bottomCount >= 0, topCount >= 0, fields.count >= 4 + bottomCount + topCount else {
      throw NCNNError.malformedLine(file: file, line: line,
                                    reason: "expected 'type name bottomCount topCount bottoms… tops… key=value…'")
    }
    let bottoms = Array(fields[4..<(4 + bottomCount)])
    let tops = Array(fields[(4 + bottomCount)..<(4 + bottomCount + topCount)])
    var params: [Int: NCNNParamValue] = [:]
    for pair in fields[(4 + bottomCount + topCount)...] {
      let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, let key = Int(parts[0]) else {
        throw NCNNError.malformedLine(file: file, line: line, reason: "bad parameter '\(pair)'")
      }
      if key <= -23300 {
        let values = parts[1].split(separator: ",").map(String.init)
        guard let count = values.first.flatMap({ Int($0) }), count == values.count - 1 else {
          throw NCNNError.malformedLine(file: file, line: line, reason: "bad array parameter '\(pair)'")
        }
        var floats: [Float] = []
        for value in values.dropFirst() {
          guard let number = Float(value) else {
            throw NCNNError.malformedLine(file: file, line: line, reason: "bad array element '\(value)' in '\(pair)'")
          }
          floats.append(number)
        }
        params[-key - 23300] = .array(floats)
      } else if let integer = Int(parts[1]) {
        params[key] = .int(integer)
      } else if let number = Float(parts[1]) {
        params[key] = .float(number)
      } else {
        throw NCNNError.malformedLine(file: file, line: line, reason: "bad parameter value '\(pair)'")
      }
    }
    return NCNNLayer(type: fields[0], name: fields[1], bottoms: bottoms, tops: tops, params: params, line: line)
  }
}
