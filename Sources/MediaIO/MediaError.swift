// The one error type of MediaIO: every failure names the file and ends with what to do.

/// Everything that can go wrong reading or writing a media file.
///
/// Each case carries the path it concerns; ``description`` is one line that names the file and ends
/// with what the user can do about it.
public enum MediaError: Error, CustomStringConvertible, Equatable {
  /// The file does not exist.
  case fileNotFound(path: String)
  /// The file exists but could not be opened or read (permissions, I/O error).
  case unreadable(path: String, reason: String)
  /// The file's first bytes are not those of a format this reader handles.
  case unsupportedFormat(path: String, expected: String)
  /// The file has the right format but is damaged or cut short.
  case corrupt(path: String, reason: String)
  /// The output file (or its temporary sibling) could not be created, written or moved into place.
  case cannotWrite(path: String, reason: String)
  /// The caller passed something this writer cannot store (odd video size, bad channel count, bad key).
  case invalidInput(path: String, reason: String)
  /// None of the requested video encoders exists in this FFmpeg build or would open.
  case encoderUnavailable(path: String, tried: [String], reason: String)
  /// The encoder or muxer failed part way.
  case encodingFailed(path: String, reason: String)

  /// The file the error concerns.
  public var path: String {
    switch self {
    case .fileNotFound(let path), .unreadable(let path, _), .unsupportedFormat(let path, _),
         .corrupt(let path, _), .cannotWrite(let path, _), .invalidInput(let path, _),
         .encoderUnavailable(let path, _, _), .encodingFailed(let path, _):
      return path
    }
  }

  public var description: String {
    switch self {
    case .fileNotFound(let path):
      return "\(path): no such file; check the path and that the file was written."
    case .unreadable(let path, let reason):
      return "\(path): cannot read (\(reason)); check its permissions and that the disk is readable."
    case .unsupportedFormat(let path, let expected):
      return "\(path): not \(expected) (unrecognised first bytes); pass a file of that format."
    case .corrupt(let path, let reason):
      return "\(path): damaged or truncated (\(reason)); re-create or re-download the file."
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write (\(reason)); check that the directory exists, is writable and has free space."
    case .invalidInput(let path, let reason):
      return "\(path): cannot store this (\(reason)); fix the input before writing."
    case .encoderUnavailable(let path, let tried, let reason):
      return "\(path): no usable video encoder among \(tried.joined(separator: ", ")) (\(reason)); "
        + "install an FFmpeg build with one of them or name another in codecPreference."
    case .encodingFailed(let path, let reason):
      return "\(path): encoding failed (\(reason)); check free disk space and the frames passed, then retry."
    }
  }
}
