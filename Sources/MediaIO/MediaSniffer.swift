// Format detection from a file's first bytes (never from its extension).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a file's magic bytes say it is.
enum SniffedFormat: Equatable {
  case png, jpeg, webp, bmp, gif, tiff
  case wav
  case mp4  // ISO base media (MP4, MOV, M4V): "ftyp" at offset 4
  case matroska  // Matroska / WebM (EBML header)
  case unknown

  /// Still-image formats that FFmpeg decodes for ``ImageFile``.
  var isFFmpegImage: Bool { [.jpeg, .webp, .bmp, .gif, .tiff].contains(self) }
}

enum MediaSniffer {
  /// Reads up to `count` bytes from the start of `path`, throwing ``MediaError/fileNotFound(path:)``
  /// or ``MediaError/unreadable(path:reason:)``.
  static func prefix(of path: String, count: Int = 16) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    if fd < 0 {
      let code = errno
      if code == ENOENT { throw MediaError.fileNotFound(path: path) }
      throw MediaError.unreadable(path: path, reason: String(cString: strerror(code)))
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw MediaError.unreadable(path: path, reason: "it is a directory")
    }
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
      if got < 0 {
        if errno == EINTR { continue }
        throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
      }
      if got == 0 { break }
      filled += got
    }
    return Array(bytes[0..<filled])
  }

  static func format(of bytes: [UInt8]) -> SniffedFormat {
    func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
      bytes.count >= offset + magic.count && Array(bytes[offset..<offset + magic.count]) == magic
    }
    let riff: [UInt8] = Array("RIFF".utf8)
    if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
    if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
    if starts(riff) && starts(Array("WEBP".utf8), at: 8) { return .webp }
    if starts(riff) && starts(Array("WAVE".utf8), at: 8) { return .wav }
    if starts(Array("BM".utf8)) && bytes.count >= 14 { return .bmp }
    if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
    if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
    if starts(Array("ftyp".utf8), at: 4) { return .mp4 }
    if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .matroska }
    return .unknown
  }

  static func format(ofFile path: String) throws -> SniffedFormat {
    format(of: try prefix(of: path))
  }
}
