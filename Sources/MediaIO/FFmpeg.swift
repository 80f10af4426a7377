// Small pieces every FFmpeg user in MediaIO shares: quiet logging, error words, dictionaries.
import CFFmpeg
import CMediaShims

enum FFmpeg {
  /// FFmpeg logs warnings (deprecated pixel formats, probing guesses) to stderr by default; MediaIO
  /// reports failures itself, so only FFmpeg's own errors stay visible. Runs once per process.
  static let quietLogging: Void = { av_log_set_level(AV_LOG_ERROR) }()

  static var eagain: Int32 { easel_averror_eagain() }
  static var eof: Int32 { easel_averror_eof() }

  /// FFmpeg's words for an error code.
  static func errorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    easel_av_error_string(code, &buffer, buffer.count)
    return messageString(buffer)
  }

  /// `path` as an FFmpeg `file:` URL, so a name such as `concat:a|b` or `http://…` is never taken
  /// for another protocol.
  static func fileURL(_ path: String) -> String { "file:" + path }

  /// Every entry of an AVDictionary.
  static func entries(of dictionary: OpaquePointer?) -> [String: String] {
    var result: [String: String] = [:]
    var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
    while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
      result[String(cString: next.pointee.key)] = String(cString: next.pointee.value)
      entry = next
    }
    return result
  }

  /// An opened input file with stream information read; close with `avformat_close_input`.
  static func openInput(_ path: String, expected: String) throws -> UnsafeMutablePointer<AVFormatContext> {
    _ = quietLogging
    var format: UnsafeMutablePointer<AVFormatContext>? = nil
    let status = avformat_open_input(&format, fileURL(path), nil, nil)
    guard status >= 0, let opened = format else {
      if status == easel_averror_invalid_data() {
        throw MediaError.unsupportedFormat(path: path, expected: expected)
      }
      throw MediaError.unreadable(path: path, reason: errorString(status))
    }
    let info = avformat_find_stream_info(opened, nil)
    if info < 0 {
      var closing: UnsafeMutablePointer<AVFormatContext>? = opened
      avformat_close_input(&closing)
      throw MediaError.corrupt(path: path, reason: errorString(info))
    }
    return opened
  }

  static func closeInput(_ format: UnsafeMutablePointer<AVFormatContext>) {
    var closing: UnsafeMutablePointer<AVFormatContext>? = format
    avformat_close_input(&closing)
  }
}
