// One entry point for `easel info`: the provenance text of any file Easel writes.

/// Reads the text metadata of a PNG, WAV or MP4 (or other video) file, chosen by its first bytes.
public enum MediaMetadata {
  /// The file's text metadata: PNG text chunks, the WAV comment's JSON, or the video container's tags.
  public static func readText(_ path: String) throws -> [String: String] {
    switch try MediaSniffer.format(ofFile: path) {
    case .png: return try PNGFile.readText(path)
    case .wav: return try WAVFile.readText(path)
    case .mp4, .matroska: return try VideoFile.readText(path)
    default:
      throw MediaError.unsupportedFormat(path: path, expected: "a PNG, WAV or MP4 file")
    }
  }
}
