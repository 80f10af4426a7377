// MP4 video through libavformat/libavcodec: frames in, an atomically renamed .mp4 out.
import CFFmpeg
import CMediaShims
import Foundation

/// Encodes RGB(A) frames into an MP4 file with Easel's metadata in the container.
///
/// The file is written to a hidden temporary sibling and renamed into place by ``finish()``;
/// ``abandon()`` (or dropping an unfinished writer) deletes it. Metadata: every entry of `text`
/// becomes a container tag (the MP4 muxer runs with `movflags=use_metadata_tags`, so custom keys
/// survive), and unless `text` has its own `comment`, the standard `comment` tag holds the whole
/// dictionary as JSON for tools that show only standard tags. ``VideoFile/readText(_:)`` returns
/// `text` again.
public final class VideoWriter {
  private enum State { case open, finished, abandoned }

  /// The encoder in use: the first of `codecPreference` that exists and opens.
  public private(set) var codecName: String = ""

  private let path: String
  private let temporaryPath: String
  private let width: Int
  private let height: Int
  private var state = State.open
  private var format: UnsafeMutablePointer<AVFormatContext>?
  private var encoder: UnsafeMutablePointer<AVCodecContext>?
  private var stream: UnsafeMutablePointer<AVStream>?
  private var frame: UnsafeMutablePointer<AVFrame>?
  private var packet: UnsafeMutablePointer<AVPacket>?
  private var scaler: OpaquePointer?
  private var framesSent: Int64 = 0

  /// Opens the temporary output and the first usable encoder.
  /// - Parameters:
  ///   - quality: CRF-like, 0 (best) ... 51 (worst), 23 is a good default. Encoders with a `crf`
  ///     option get it as is; others (mpeg4) get a matching fixed quantiser.
  ///   - codecPreference: FFmpeg encoder names tried in order.
  /// - Throws: ``MediaError/invalidInput(path:reason:)`` for odd or non-positive sizes (yuv420p needs
  ///   even ones), ``MediaError/encoderUnavailable(path:tried:reason:)``, ``MediaError/cannotWrite(path:reason:)``.
  public init(path: String, width: Int, height: Int, framesPerSecond: Int, quality: Int = 23, text: [String: String],
              codecPreference: [String] = ["libx264", "mpeg4"]) throws {
    _ = FFmpeg.quietLogging
    self.path = path
    self.width = width
    self.height = height
    guard width > 0, height > 0, width % 2 == 0, height % 2 == 0, width <= 16384, height <= 16384 else {
      throw MediaError.invalidInput(path: path, reason: "video size \(width)x\(height) must be even and positive "
        + "(yuv420p); crop or pad the frames by a pixel")
    }
    guard (1...1000).contains(framesPerSecond) else {
      throw MediaError.invalidInput(path: path, reason: "\(framesPerSecond) frames per second is not 1...1000")
    }
    guard (0...51).contains(quality) else {
      throw MediaError.invalidInput(path: path, reason: "quality \(quality) is not 0...51")
    }
    // Asked for only once the arguments are valid: AtomicFile remembers every temporary path it hands
    // out until it is committed or discarded.
    temporaryPath = AtomicFile.temporaryPath(for: path)
    do {
      try open(framesPerSecond: framesPerSecond, quality: quality, text: text, codecPreference: codecPreference)
    } catch {
      abandon()
      throw error
    }
  }

  deinit {
    if state == .open { abandon() }
  }

  private func open(framesPerSecond: Int, quality: Int, text: [String: String], codecPreference: [String]) throws {
    var status = avformat_alloc_output_context2(&format, nil, "mp4", FFmpeg.fileURL(temporaryPath))
    guard status >= 0, let format else {
      throw MediaError.encodingFailed(path: path, reason: "MP4 muxer: \(FFmpeg.errorString(status))")
    }
    let needsGlobalHeader = (format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0
    encoder = try openEncoder(codecPreference, framesPerSecond: framesPerSecond, quality: quality,
                              globalHeader: needsGlobalHeader)
    guard let encoder, let newStream = avformat_new_stream(format, nil) else {
      throw MediaError.encodingFailed(path: path, reason: "cannot add a video stream")
    }
    stream = newStream
    newStream.pointee.time_base = encoder.pointee.time_base
    newStream.pointee.avg_frame_rate = encoder.pointee.framerate
    status = avcodec_parameters_from_context(newStream.pointee.codecpar, encoder)
    guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }

    for (key, value) in VideoFile.containerTags(for: text) {
      av_dict_set(&format.pointee.metadata, key, value, 0)
    }
    status = avio_open(&format.pointee.pb, FFmpeg.fileURL(temporaryPath), AVIO_FLAG_WRITE)
    guard status >= 0 else { throw MediaError.cannotWrite(path: path, reason: FFmpeg.errorString(status)) }
    var options: OpaquePointer? = nil
    // Custom keys survive only as mdta tags; faststart puts the index first so players can stream.
    av_dict_set(&options, "movflags", "use_metadata_tags+faststart", 0)
    status = avformat_write_header(format, &options)
    av_dict_free(&options)
    guard status >= 0 else { throw MediaError.cannotWrite(path: path, reason: FFmpeg.errorString(status)) }

    frame = av_frame_alloc()
    packet = av_packet_alloc()
    guard let frame, packet != nil else { throw MediaError.encodingFailed(path: path, reason: "out of memory") }
    frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
    frame.pointee.width = Int32(width)
    frame.pointee.height = Int32(height)
    status = av_frame_get_buffer(frame, 0)
    guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }
  }

  /// Opens the first encoder of `names` that exists and accepts the settings.
  private func openEncoder(_ names: [String], framesPerSecond: Int, quality: Int,
                           globalHeader: Bool) throws -> UnsafeMutablePointer<AVCodecContext> {
    var reasons: [String] = []
    for name in names {
      guard let codec = avcodec_find_encoder_by_name(name), codec.pointee.type == AVMEDIA_TYPE_VIDEO else {
        reasons.append("\(name): not in this FFmpeg build")
        continue
      }
      guard let context = avcodec_alloc_context3(codec) else {
        throw MediaError.encodingFailed(path: path, reason: "out of memory")
      }
      context.pointee.width = Int32(width)
      context.pointee.height = Int32(height)
      context.pointee.time_base = AVRational(num: 1, den: Int32(framesPerSecond))
      context.pointee.framerate = AVRational(num: Int32(framesPerSecond), den: 1)
      context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
      context.pointee.gop_size = Int32(max(framesPerSecond * 2, 1))
      // swscale's RGB -> YUV conversion uses BT.601 limited range; say so, or players guess.
      context.pointee.colorspace = AVCOL_SPC_SMPTE170M
      context.pointee.color_range = AVCOL_RANGE_MPEG
      if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
      var options: OpaquePointer? = nil
      if av_opt_find(context.pointee.priv_data, "crf", nil, 0, 0) != nil {
        av_dict_set(&options, "crf", String(quality), 0)
        if name == "libx264" || name == "libx265" { av_dict_set(&options, "preset", "medium", 0) }
      } else {
        // x264's CRF and mpeg4's quantiser both roughly double the bitrate per step of 6 and 1
        // octave respectively: CRF 23 ~ q 4.
        let quantiser = min(31.0, max(1.0, 4.0 * pow(2.0, Double(quality - 23) / 6.0)))
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = Int32((quantiser * Double(FF_QP2LAMBDA)).rounded())
      }
      let status = avcodec_open2(context, codec, &options)
      av_dict_free(&options)
      if status >= 0 {
        codecName = name
        return context
      }
      reasons.append("\(name): \(FFmpeg.errorString(status))")
      var failed: UnsafeMutablePointer<AVCodecContext>? = context
      avcodec_free_context(&failed)
    }
    throw MediaError.encoderUnavailable(path: path, tried: names,
                                        reason: reasons.isEmpty ? "no encoder named" : reasons.joined(separator: "; "))
  }

  /// Encodes one frame. It must have the writer's size; 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored)
  /// channels are converted to yuv420p with swscale.
  public func append(_ image: RasterImage) throws {
    guard state == .open, let encoder, let frame else {
      throw MediaError.invalidInput(path: path, reason: "append after finish() or abandon()")
    }
    guard image.isConsistent, image.width == width, image.height == height else {
      throw MediaError.invalidInput(path: path, reason: "frame \(image.width)x\(image.height)x\(image.channels) "
        + "with \(image.pixels.count) samples does not match the video size \(width)x\(height)")
    }
    let source: AVPixelFormat
    switch image.channels {
    case 1: source = AV_PIX_FMT_GRAY8
    case 2: source = AV_PIX_FMT_YA8
    case 3: source = AV_PIX_FMT_RGB24
    default: source = AV_PIX_FMT_RGBA
    }
    scaler = sws_getCachedContext(scaler, Int32(width), Int32(height), source, Int32(width), Int32(height),
                                  AV_PIX_FMT_YUV420P, Int32(SWS_BICUBIC | SWS_ACCURATE_RND), nil, nil, nil)
    guard let scaler else { throw MediaError.encodingFailed(path: path, reason: "swscale context") }
    var status = av_frame_make_writable(frame)
    guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }
    let rows = image.pixels.withUnsafeBufferPointer {
      easel_scale_buffer_to_frame(scaler, $0.baseAddress, Int32(width * image.channels), Int32(height), frame)
    }
    guard rows == Int32(height) else {
      throw MediaError.encodingFailed(path: path, reason: "colour conversion produced \(rows) of \(height) rows")
    }
    frame.pointee.pts = framesSent
    framesSent += 1
    status = avcodec_send_frame(encoder, frame)
    guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }
    try drainPackets()
  }

  /// Flushes the encoder, writes the MP4 index and renames the file into place. On error the
  /// temporary file is deleted.
  public func finish() throws {
    guard state == .open, let encoder, let format else {
      throw MediaError.invalidInput(path: path, reason: "finish() after finish() or abandon()")
    }
    do {
      guard framesSent > 0 else { throw MediaError.invalidInput(path: path, reason: "no frames were appended") }
      var status = avcodec_send_frame(encoder, nil)
      guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }
      try drainPackets()
      status = av_write_trailer(format)
      guard status >= 0 else { throw MediaError.cannotWrite(path: path, reason: FFmpeg.errorString(status)) }
      status = avio_closep(&format.pointee.pb)
      guard status >= 0 else { throw MediaError.cannotWrite(path: path, reason: FFmpeg.errorString(status)) }
      release()
      try AtomicFile.commit(temporary: temporaryPath, to: path)
      state = .finished
    } catch {
      abandon()
      throw error
    }
  }

  /// Stops writing and deletes the temporary file (for cancellation and errors). Safe to call twice.
  public func abandon() {
    release()
    AtomicFile.discard(temporaryPath)
    if state == .open { state = .abandoned }
  }

  /// Moves every packet the encoder has ready into the muxer.
  private func drainPackets() throws {
    guard let encoder, let packet, let format, let stream else { return }
    while true {
      var status = avcodec_receive_packet(encoder, packet)
      if status == FFmpeg.eagain || status == FFmpeg.eof { return }
      guard status >= 0 else { throw MediaError.encodingFailed(path: path, reason: FFmpeg.errorString(status)) }
      // Every frame lasts one tick; without this the last frame has no duration in the MP4.
      if packet.pointee.duration == 0 { packet.pointee.duration = 1 }
      av_packet_rescale_ts(packet, encoder.pointee.time_base, stream.pointee.time_base)
      packet.pointee.stream_index = stream.pointee.index
      status = av_interleaved_write_frame(format, packet)
      guard status >= 0 else { throw MediaError.cannotWrite(path: path, reason: FFmpeg.errorString(status)) }
    }
  }

  /// Frees every FFmpeg object (closing the output file if still open).
  private func release() {
    if let format {
      if format.pointee.pb != nil { avio_closep(&format.pointee.pb) }
      avformat_free_context(format)
      self.format = nil
    }
    stream = nil
    avcodec_free_context(&encoder)
    av_frame_free(&frame)
    av_packet_free(&packet)
    if let scaler { sws_freeContext(scaler) }
    scaler = nil
  }
}
