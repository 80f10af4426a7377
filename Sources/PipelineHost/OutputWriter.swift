// The sinks: PNG, WAV, MP4 and contact sheets, each written atomically by MediaIO with provenance.
import EaselPluginSDK
import Foundation
import MediaIO
import TensorCore

/// Writes one output of one item.
struct OutputWriter {
  let sink: SinkKind
  let parameters: [String: String]
  let cancellation: CancellationFlag
  let reporter: any ProgressReporter

  /// The file for batch element `image`: the first keeps the template's name, later ones get
  /// "-N" before the extension unless the template uses `{image}`.
  static func path(template: String, fields: [String: String], image: Int, outDirectory: String) -> String {
    var values = fields
    values["image"] = String(image)
    var name = PathTemplate.render(template, values)
    if image > 0 && !template.contains("{image}") {
      let url = URL(fileURLWithPath: name)
      let stem = url.deletingPathExtension().lastPathComponent
      let ext = url.pathExtension
      let folder = (name as NSString).deletingLastPathComponent
      let file = stem + "-\(image)" + (ext.isEmpty ? "" : "." + ext)
      name = folder.isEmpty ? file : folder + "/" + file
    }
    return outDirectory + "/" + name
  }

  /// Writes `values` (one per `from`) and returns the files written.
  func write(_ values: [(source: String, value: StageValue)], template: String, fields: [String: String],
             outDirectory: String, provenance: (Int?) -> String) throws(HostError) -> [String] {
    do {
      switch sink {
      case .png:
        guard let (_, value) = values.first, let tensor = value.tensor else { return [] }
        var written: [String] = []
        for image in 0..<tensor.shape[0] {
          let path = try prepare(Self.path(template: template, fields: fields, image: image, outDirectory: outDirectory))
          try PNGFile.write(ValueConversion.raster(from: tensor, image: image), to: path,
                            text: [provenanceKey: provenance(tensor.shape[0] > 1 ? image : nil)])
          written.append(path)
        }
        return written
      case .wav:
        guard let (source, value) = values.first, let tensor = value.tensor else { return [] }
        guard let rate = value.sampleRate, rate > 0 else {
          throw HostError.stageFailed(stage: source, message: "audio has no sample_rate metadata; this is a bug in the stage")
        }
        let path = try prepare(Self.path(template: template, fields: fields, image: 0, outDirectory: outDirectory))
        let format = WAVFile.SampleFormat(rawValue: parameters["format"] ?? "pcm16") ?? .pcm16
        try WAVFile.write(samples: ValueConversion.interleaved(tensor), channels: tensor.shape[0], sampleRate: rate,
                          format: format, to: path, text: [provenanceKey: provenance(nil)])
        return [path]
      case .mp4:
        guard let (_, value) = values.first, let tensor = value.tensor else { return [] }
        let path = try prepare(Self.path(template: template, fields: fields, image: 0, outDirectory: outDirectory))
        try writeVideo(tensor: tensor, to: path, text: [provenanceKey: provenance(nil)])
        return [path]
      case .contactSheet:
        var images: [RasterImage] = []
        var captions: [String] = []
        for (source, value) in values {
          guard let tensor = value.tensor else { continue }
          for image in 0..<tensor.shape[0] {
            images.append(ValueConversion.raster(from: tensor, image: image))
            captions.append(tensor.shape[0] > 1 ? "\(source) #\(image)" : source)
          }
        }
        let columns = Int(parameters["columns"] ?? "0") ?? 0
        let sheet = ContactSheet.render(
          images, captions: parameters["captions"] == "false" ? [] : captions, columns: columns > 0 ? columns : nil,
          cellPadding: Int(parameters["padding"] ?? "4") ?? 4)
        let path = try prepare(Self.path(template: template, fields: fields, image: 0, outDirectory: outDirectory))
        try PNGFile.write(sheet, to: path, text: [provenanceKey: provenance(nil)])
        return [path]
      }
    } catch let error as HostError {
      throw error
    } catch let error as MediaError {
      throw .cannotWrite(path: error.path, reason: error.description)
    } catch {
      throw .cannotWrite(path: outDirectory, reason: "\(error)")
    }
  }

  private func prepare(_ path: String) throws -> String {
    let folder = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return path
  }

  private func writeVideo(tensor: Tensor, to path: String, text: [String: String]) throws {
    let frames = tensor.shape[0]
    let codec = parameters["codec"] ?? "auto"
    let writer = try VideoWriter(
      path: path, width: tensor.shape[2], height: tensor.shape[1], framesPerSecond: Int(parameters["fps"] ?? "24") ?? 24,
      quality: Int(parameters["quality"] ?? "23") ?? 23, text: text,
      codecPreference: codec == "auto" ? ["libx264", "mpeg4"] : [codec])
    do {
      for frame in 0..<frames {
        if cancellation.isCancelled { throw HostError.interrupted }
        try writer.append(ValueConversion.raster(from: tensor, image: frame))
        reporter.progress(step: frame + 1, total: frames, message: "frames")
      }
      try writer.finish()
    } catch {
      writer.abandon()
      throw error
    }
  }
}
