// WAV through libsndfile, with the provenance dictionary as JSON in the INFO comment (ICMT).
import CSndFile
import Foundation

/// WAV audio files carrying Easel's text metadata.
///
/// Metadata storage: `text` is encoded as one JSON object (keys sorted) and stored as the file's
/// comment (`SF_STR_COMMENT`, which libsndfile writes as the `ICMT` entry of a `LIST`/`INFO` chunk).
/// ``readText(_:)`` decodes that object back; a foreign file whose comment is not such an object
/// yields its INFO strings under plain names (`comment`, `title`, `artist`, ...).
/// No PEAK chunk is written (it holds a timestamp), so identical input gives identical bytes.
public enum WAVFile {
  /// How samples are stored on disk.
  public enum SampleFormat: String, Sendable {
    /// 16-bit signed integers (values outside -1...1 are clipped).
    case pcm16
    /// 32-bit IEEE floats.
    case float32
  }

  /// Writes interleaved samples in -1...1 as a WAV file, atomically (temporary sibling + rename).
  public static func write(samples: [Float], channels: Int, sampleRate: Int, format: SampleFormat,
                           to path: String, text: [String: String]) throws {
    guard channels >= 1, channels <= 1024 else {
      throw MediaError.invalidInput(path: path, reason: "channel count \(channels) is not 1...1024")
    }
    guard sampleRate >= 1, sampleRate <= Int(Int32.max) else {
      throw MediaError.invalidInput(path: path, reason: "sample rate \(sampleRate) is not positive")
    }
    guard samples.count % channels == 0 else {
      throw MediaError.invalidInput(
        path: path, reason: "\(samples.count) samples do not divide into \(channels) interleaved channels")
    }
    let comment = try textJSON(text, path: path)
    try AtomicFile.write(to: path) { temporary in
      var info = SF_INFO()
      info.samplerate = Int32(sampleRate)
      info.channels = Int32(channels)
      info.format = Int32(SF_FORMAT_WAV) | Int32(format == .pcm16 ? SF_FORMAT_PCM_16 : SF_FORMAT_FLOAT)
      guard let file = sf_open(temporary, Int32(SFM_WRITE), &info) else {
        throw MediaError.cannotWrite(path: path, reason: String(cString: sf_strerror(nil)))
      }
      var closed = false
      defer { if !closed { sf_close(file) } }
      sf_command(file, Int32(SFC_SET_ADD_PEAK_CHUNK), nil, Int32(SF_FALSE))
      sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
      if let comment, sf_set_string(file, Int32(SF_STR_COMMENT), comment) != 0 {
        throw MediaError.invalidInput(path: path, reason: "metadata rejected: \(String(cString: sf_strerror(file)))")
      }
      let frames = samples.count / channels
      let written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(frames)) }
      guard written == sf_count_t(frames) else {
        throw MediaError.cannotWrite(path: path, reason: String(cString: sf_strerror(file)))
      }
      closed = true
      if sf_close(file) != 0 {
        throw MediaError.cannotWrite(path: path, reason: "closing the file failed")
      }
    }
  }

  /// Reads any file libsndfile decodes (WAV, and also AIFF, FLAC, Ogg) as interleaved floats in -1...1.
  public static func read(_ path: String) throws -> (samples: [Float], channels: Int, sampleRate: Int) {
    try withOpenFile(path) { file, info in
      let channels = Int(info.channels)
      let frames = Int(info.frames)
      guard frames >= 0, frames <= Int.max / max(channels, 1) else {
        throw MediaError.corrupt(path: path, reason: "implausible frame count \(frames)")
      }
      var samples = [Float](repeating: 0, count: frames * channels)
      let got = samples.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(frames)) }
      if Int(got) < frames { samples.removeSubrange(Int(got) * channels..<samples.count) }
      return (samples, channels, Int(info.samplerate))
    }
  }

  /// The metadata written by ``write(samples:channels:sampleRate:format:to:text:)``, or a foreign
  /// file's INFO strings.
  public static func readText(_ path: String) throws -> [String: String] {
    try withOpenFile(path) { file, _ in
      let named: [(String, Int)] = [
        ("title", Int(SF_STR_TITLE)), ("copyright", Int(SF_STR_COPYRIGHT)), ("software", Int(SF_STR_SOFTWARE)),
        ("artist", Int(SF_STR_ARTIST)), ("comment", Int(SF_STR_COMMENT)), ("date", Int(SF_STR_DATE)),
        ("album", Int(SF_STR_ALBUM)), ("license", Int(SF_STR_LICENSE)), ("tracknumber", Int(SF_STR_TRACKNUMBER)),
        ("genre", Int(SF_STR_GENRE)),
      ]
      var strings: [String: String] = [:]
      for (name, id) in named {
        if let value = sf_get_string(file, Int32(id)) { strings[name] = String(cString: value) }
      }
      if strings.count == 1, let comment = strings["comment"],
         let decoded = try? JSONDecoder().decode([String: String].self, from: Data(comment.utf8)) {
        return decoded
      }
      return strings
    }
  }

  private static func withOpenFile<R>(_ path: String, _ body: (OpaquePointer, SF_INFO) throws -> R) throws -> R {
    let format = try MediaSniffer.format(ofFile: path)
    var info = SF_INFO()
    guard let file = sf_open(path, Int32(SFM_READ), &info) else {
      let reason = String(cString: sf_strerror(nil))
      if format == .wav { throw MediaError.corrupt(path: path, reason: reason) }
      throw MediaError.unsupportedFormat(path: path, expected: "a WAV (or other libsndfile) audio file")
    }
    defer { sf_close(file) }
    return try body(file, info)
  }

  /// The JSON comment for `text`, or nil for an empty dictionary.
  static func textJSON(_ text: [String: String], path: String) throws -> String? {
    if text.isEmpty { return nil }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(text), as: UTF8.self)
    } catch {
      throw MediaError.invalidInput(path: path, reason: "metadata cannot be encoded as JSON: \(error)")
    }
  }
}
