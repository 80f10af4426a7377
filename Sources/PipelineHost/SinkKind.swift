// The sinks an output can use: what kind of value each takes, its parameters and file extension.
import EaselPluginSDK
import Foundation

/// Where an output's values go.
public enum SinkKind: String, Sendable, CaseIterable {
  /// One PNG per image (`[N,H,W,C]` → N files).
  case png
  /// One WAV per audio value.
  case wav
  /// One video per image batch: the N images are the frames.
  case mp4
  /// One PNG grid of every image the output's `from` list produced for an item.
  case contactSheet = "contact-sheet"

  /// The value kind the sink accepts.
  public var acceptedKind: ValueKind {
    self == .wav ? .audio : .image
  }

  /// Whether `from` may list several stage outputs.
  public var acceptsSeveralSources: Bool { self == .contactSheet }

  /// The file extension of the default path.
  public var fileExtension: String {
    switch self {
    case .png, .contactSheet: "png"
    case .wav: "wav"
    case .mp4: "mp4"
    }
  }

  /// The sink's parameters.
  public var parameters: [ParamSpec] {
    switch self {
    case .png: []
    case .wav: [.choice("format", ["pcm16", "float32"], default: "pcm16", description: "sample format on disk")]
    case .mp4:
      [
        .int("fps", default: 24, range: 1...240, description: "frames per second"),
        .int("quality", default: 23, range: 0...51, description: "CRF-like: 0 best … 51 worst"),
        .choice("codec", ["auto", "libx264", "mpeg4", "libvpx-vp9"], default: "auto", description: "video encoder"),
      ]
    case .contactSheet:
      [
        .int("columns", default: 0, range: 0...64, description: "grid columns; 0 picks a square-ish grid"),
        .int("padding", default: 4, range: 0...256, description: "pixels between cells"),
        .bool("captions", default: true, description: "caption each cell with its source"),
      ]
    }
  }
}

/// Fields an output path template may use, as `{field}`.
public enum PathTemplate {
  /// Every field: `name` (pipeline file stem), `index` (item index within a prompt), `seed`,
  /// `prompt_slug` (the prompt in lower-case words joined by '-', at most 48 characters), `stage`
  /// and `port` (the first `from`), `image` (index inside a batch; added before the extension
  /// when a batch has several images and the template lacks it).
  public static let fields: Set<String> = ["name", "index", "seed", "prompt_slug", "stage", "port", "image"]

  /// The `{field}` names in `template`, or an error message for an unclosed brace.
  public static func fieldNames(in template: String) -> (names: [String], problem: String?) {
    var names: [String] = []
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      guard let close = rest[open...].firstIndex(of: "}") else { return (names, "an unclosed '{' in '\(template)'") }
      names.append(String(rest[rest.index(after: open)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    if rest.contains("}") { return (names, "an unmatched '}' in '\(template)'") }
    return (names, nil)
  }

  /// Fills `{field}` with `values`.
  public static func render(_ template: String, _ values: [String: String]) -> String {
    var result = template
    for (field, value) in values { result = result.replacingOccurrences(of: "{\(field)}", with: value) }
    return result
  }

  /// A file-name-safe slug of a prompt.
  public static func slug(_ text: String) -> String {
    var words: [String] = []
    var current = ""
    for character in text.lowercased() {
      if character.isASCII && (character.isLetter || character.isNumber) { current.append(character) } else if !current.isEmpty {
        words.append(current)
        current = ""
      }
    }
    if !current.isEmpty { words.append(current) }
    let slug = String(words.joined(separator: "-").prefix(48))
    return slug.isEmpty ? "untitled" : (slug.hasSuffix("-") ? String(slug.dropLast()) : slug)
  }
}
