// The binary half of an ncnn model: the `.bin` weights, read by walking the `.param` graph in order
// as ncnn's `ModelBinFromDataReader` does. A weight block (`load(n, 0)`) starts with a 4-byte tag:
// 0x01306B47 = fp16 follows (padded to 4 bytes), 0 = fp32 follows; biases and slopes (`load(n, 1)`)
// are raw fp32. Every tensor is widened to f32 on load; every byte of the file must be consumed.
import Foundation
import TensorCore

/// An ncnn model: its validated graph and every layer's weights as f32 tensors.
public struct NCNNModel: Sendable {
  /// The layer graph from the `.param` file.
  public let graph: NCNNGraph
  /// Each weighted layer's tensors by layer name, in ncnn load order
  /// (Convolution: weight `[O, I/groups, KH, KW]`, then bias `[O]` when `5=1`; PReLU: slopes `[C]`).
  public let weights: [String: [Tensor]]
  /// Number of tensors read from the `.bin` file.
  public let tensorCount: Int
  /// Number of scalars read from the `.bin` file.
  public let parameterCount: Int

  /// Layer types that carry no weights in the `.bin` file.
  static let weightlessTypes: Set<String> = [
    "Input", "Split", "Concat", "Eltwise", "BinaryOp", "Interp", "PixelShuffle", "ReLU", "Sigmoid", "TanH",
    "Clip", "Crop", "Padding", "Pooling", "Flatten", "Reshape", "Permute", "Softmax", "Dropout", "UnaryOp",
    "Swish", "HardSwish", "HardSigmoid", "ELU", "Noop",
  ]

  /// Reads `<directory>/<name>.param` and `<directory>/<name>.bin`.
  public init(directory: URL, name: String) throws {
    try self.init(paramURL: directory.appendingPathComponent(name + ".param"),
                  binURL: directory.appendingPathComponent(name + ".bin"))
  }

  /// Reads the graph from `paramURL` and its weights from `binURL`.
  public init(paramURL: URL, binURL: URL) throws {
    let graph = try NCNNGraph(contentsOf: paramURL)
    let data: Data
    do {
      data = try Data(contentsOf: binURL, options: .mappedIfSafe)
    } catch {
      throw NCNNError.unreadable(file: binURL.path, reason: NCNNGraph.reason(error))
    }
    try self.init(graph: graph, binData: data, binFile: binURL.path)
  }

  /// Reads the weights of `graph` from `binData`, the contents of the file named `binFile`.
  public init(graph: NCNNGraph, binData: Data, binFile: String) throws {
    var reader = NCNNBinReader(data: binData, file: binFile)
    var weights: [String: [Tensor]] = [:]
    for layer in graph.layers {
      let tensors = try Self.readWeights(of: layer, from: &reader)
      if !tensors.isEmpty { weights[layer.name] = tensors }
    }
    if reader.remaining > 0 { throw NCNNError.trailingBytes(file: binFile, count: reader.remaining) }
    self.graph = graph
    self.weights = weights
    self.tensorCount = weights.values.reduce(0) { $0 + $1.count }
    self.parameterCount = weights.values.reduce(0) { total, tensors in total + tensors.reduce(0) { $0 + $1.count } }
  }

  /// The tensors of layer `name`, or an empty array when it has none.
  public func tensors(of name: String) -> [Tensor] { weights[name] ?? [] }

  private static func readWeights(of layer: NCNNLayer, from reader: inout NCNNBinReader) throws -> [Tensor] {
    switch layer.type {
    case "Convolution", "ConvolutionDepthWise", "Deconvolution", "DeconvolutionDepthWise":
      let outputs = layer.int(0)
      let kernelW = layer.int(1)
      let kernelH = layer.int(11, default: kernelW)
      let size = layer.int(6)
      let perOutput = outputs * kernelH * kernelW
      guard perOutput > 0, size > 0, size % perOutput == 0 else {
        throw NCNNError.malformedLine(file: reader.file, line: layer.line,
                                      reason: "weight_data_size \(size) does not divide into \(outputs)×\(kernelH)×\(kernelW)")
      }
      guard layer.int(8) == 0 else {
        throw NCNNError.unsupportedWeightTag(file: reader.file, layer: layer.name, tag: 0x000D_4B38)
      }
      var tensors = [try reader.readTagged(count: size, shape: [outputs, size / perOutput, kernelH, kernelW], layer: layer.name)]
      if layer.int(5) != 0 { tensors.append(try reader.readRaw(count: outputs, shape: [outputs], layer: layer.name)) }
      return tensors
    case "InnerProduct":
      let outputs = layer.int(0)
      let size = layer.int(2)
      guard outputs > 0, size % outputs == 0 else {
        throw NCNNError.malformedLine(file: reader.file, line: layer.line, reason: "weight_data_size \(size) does not divide by \(outputs)")
      }
      var tensors = [try reader.readTagged(count: size, shape: [outputs, size / outputs], layer: layer.name)]
      if layer.int(1) != 0 { tensors.append(try reader.readRaw(count: outputs, shape: [outputs], layer: layer.name)) }
      return tensors
    case "PReLU":
      let slopes = layer.int(0)
      return [try reader.readRaw(count: slopes, shape: [slopes], layer: layer.name)]
    case "BatchNorm":
      let channels = layer.int(0)
      return try (0..<4).map { _ in try reader.readRaw(count: channels, shape: [channels], layer: layer.name) }
    default:
      guard weightlessTypes.contains(layer.type) else {
        throw NCNNError.unsupportedLayer(file: reader.graphFile(for: layer), line: layer.line, type: layer.type)
      }
      return []
    }
  }
}

/// A cursor over the bytes of an ncnn `.bin` file.
struct NCNNBinReader {
  let data: Data
  let file: String
  private(set) var offset = 0

  init(data: Data, file: String) {
    self.data = data
    self.file = file
  }

  var remaining: Int { data.count - offset }

  /// The `.param` file beside the `.bin` file, for messages about the graph.
  func graphFile(for layer: NCNNLayer) -> String {
    file.hasSuffix(".bin") ? String(file.dropLast(4)) + ".param" : file
  }

  /// `load(count, 0)`: a 4-byte storage tag, then fp16 (padded to 4 bytes) or fp32 data.
  mutating func readTagged(count: Int, shape: [Int], layer: String) throws -> Tensor {
    try need(4, layer: layer)
    let tag = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    offset += 4
    switch tag {
    case 0x0130_6B47:
      let bytes = (count * 2 + 3) / 4 * 4
      try need(bytes, layer: layer)
      let tensor = Tensor(uninitialized: shape)
      let output = tensor.mutableFloats
      data.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return }
        for index in 0..<count {
          output[index] = Float(base.loadUnaligned(fromByteOffset: offset + index * 2, as: Float16.self))
        }
      }
      offset += bytes
      return tensor
    case 0, 0x0002_C056:
      return try readRaw(count: count, shape: shape, layer: layer)
    default:
      throw NCNNError.unsupportedWeightTag(file: file, layer: layer, tag: tag)
    }
  }

  /// `load(count, 1)`: raw fp32 data.
  mutating func readRaw(count: Int, shape: [Int], layer: String) throws -> Tensor {
    try need(count * 4, layer: layer)
    let tensor = Tensor(uninitialized: shape)
    let output = UnsafeMutableRawPointer(tensor.mutableFloats)
    data.withUnsafeBytes { raw in
      if let base = raw.baseAddress, count > 0 { output.copyMemory(from: base + offset, byteCount: count * 4) }
    }
    offset += count * 4
    return tensor
  }

  private func need(_ bytes: Int, layer: String) throws {
    if bytes > remaining { throw NCNNError.truncated(file: file, layer: layer, needed: bytes, available: remaining) }
  }
}
