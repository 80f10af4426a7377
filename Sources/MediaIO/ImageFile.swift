// Still images of any format: PNG through libpng, the rest (JPEG, WebP, BMP, GIF, TIFF) through FFmpeg.
import CFFmpeg
import CMediaShims

/// Reads still images, choosing the decoder from the file's first bytes (never its extension).
public enum ImageFile {
  /// Decodes a PNG, JPEG, WebP, BMP, GIF (first frame) or TIFF file to 8-bit samples: 1 channel for
  /// grey, 2 for grey + alpha, 3 for colour, 4 for colour + alpha.
  public static func read(_ path: String) throws -> RasterImage {
    let format = try MediaSniffer.format(ofFile: path)
    if format == .png { return try PNGFile.read(path) }
    guard format.isFFmpegImage else {
      throw MediaError.unsupportedFormat(path: path, expected: "an image (PNG, JPEG, WebP, BMP, GIF or TIFF)")
    }
    return try decodeFirstFrame(path)
  }

  /// Decodes the first video frame FFmpeg finds in `path` (the image2 pipe demuxers present a still
  /// image as a one-frame stream).
  static func decodeFirstFrame(_ path: String) throws -> RasterImage {
    let format = try FFmpeg.openInput(path, expected: "an image")
    defer { FFmpeg.closeInput(format) }
    var decoder: UnsafePointer<AVCodec>? = nil
    let streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
    guard streamIndex >= 0, let decoder, let stream = format.pointee.streams[Int(streamIndex)] else {
      throw MediaError.unsupportedFormat(path: path, expected: "an image FFmpeg can decode")
    }
    var context = avcodec_alloc_context3(decoder)
    defer { avcodec_free_context(&context) }
    var packet = av_packet_alloc()
    defer { av_packet_free(&packet) }
    var frame = av_frame_alloc()
    defer { av_frame_free(&frame) }
    guard let context, let packet, let frame else {
      throw MediaError.unreadable(path: path, reason: "out of memory")
    }
    var status = avcodec_parameters_to_context(context, stream.pointee.codecpar)
    // Stop at the first damage instead of concealing it: a truncated JPEG otherwise "decodes" with
    // its missing rows filled in grey, and the pipeline would run on it unnoticed. Only for JPEG:
    // other decoders (TIFF) treat harmless oddities of valid files as errors in this mode.
    if decoder.pointee.id == AV_CODEC_ID_MJPEG { context.pointee.err_recognition |= AV_EF_EXPLODE }
    if status >= 0 { status = avcodec_open2(context, decoder, nil) }
    guard status >= 0 else { throw MediaError.corrupt(path: path, reason: FFmpeg.errorString(status)) }

    var flushed = false
    while true {
      status = avcodec_receive_frame(context, frame)
      if status == 0 { break }
      if status != FFmpeg.eagain {
        let reason = status == FFmpeg.eof ? "no picture in the file" : FFmpeg.errorString(status)
        throw MediaError.corrupt(path: path, reason: reason)
      }
      if flushed { throw MediaError.corrupt(path: path, reason: "no picture in the file") }
      let read = av_read_frame(format, packet)
      if read < 0 {
        if read != FFmpeg.eof { throw MediaError.corrupt(path: path, reason: FFmpeg.errorString(read)) }
        flushed = true
        status = avcodec_send_packet(context, nil)
      } else {
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == streamIndex else { continue }
        status = avcodec_send_packet(context, packet)
      }
      if status < 0 && status != FFmpeg.eof {
        throw MediaError.corrupt(path: path, reason: FFmpeg.errorString(status))
      }
    }
    return try convert(frame, path: path)
  }

  /// Converts a decoded frame of any pixel format to packed 8-bit grey, grey + alpha, RGB or RGBA.
  static func convert(_ frame: UnsafeMutablePointer<AVFrame>, path: String) throws -> RasterImage {
    let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
    guard width > 0, height > 0 else { throw MediaError.corrupt(path: path, reason: "picture has no pixels") }
    var components: Int32 = 0
    let hasAlpha = easel_pix_fmt_has_alpha(frame.pointee.format, &components) != 0
    let (target, channels): (AVPixelFormat, Int)
    switch (components, hasAlpha) {
    case (1, _): (target, channels) = (AV_PIX_FMT_GRAY8, 1)
    case (2, true): (target, channels) = (AV_PIX_FMT_YA8, 2)
    case (_, true): (target, channels) = (AV_PIX_FMT_RGBA, 4)
    default: (target, channels) = (AV_PIX_FMT_RGB24, 3)
    }
    let source = AVPixelFormat(rawValue: frame.pointee.format)
    let flags = Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)
    guard let scaler = sws_getContext(Int32(width), Int32(height), source, Int32(width), Int32(height), target,
                                      flags, nil, nil, nil) else {
      throw MediaError.unsupportedFormat(path: path, expected: "an image in a pixel format swscale converts")
    }
    defer { sws_freeContext(scaler) }
    var pixels = [UInt8](repeating: 0, count: width * height * channels)
    let rows = pixels.withUnsafeMutableBufferPointer {
      easel_scale_frame_to_buffer(scaler, frame, $0.baseAddress, Int32(width * channels))
    }
    guard rows == Int32(height) else {
      throw MediaError.corrupt(path: path, reason: "pixel conversion produced \(rows) of \(height) rows")
    }
    return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
  }
}
