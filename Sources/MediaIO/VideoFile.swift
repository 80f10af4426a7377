// Reading back what VideoWriter wrote: container tags and stream facts.
import CFFmpeg
import CMediaShims
import Foundation

/// Facts and metadata of video files (MP4 and anything else FFmpeg demuxes).
public enum VideoFile {
  /// Tags the muxer adds on its own; they are not part of the caller's metadata.
  static let housekeepingTags: Set<String> = ["major_brand", "minor_version", "compatible_brands", "encoder"]

  /// The container's metadata. For a file from ``VideoWriter`` this is exactly the `text` it was
  /// given (the JSON `comment` it added is recognised and left out).
  public static func readText(_ path: String) throws -> [String: String] {
    let format = try openVideo(path)
    defer { FFmpeg.closeInput(format) }
    var tags = FFmpeg.entries(of: format.pointee.metadata)
    for key in housekeepingTags { tags[key] = nil }
    if let comment = tags["comment"],
       let decoded = try? JSONDecoder().decode([String: String].self, from: Data(comment.utf8)),
       decoded["comment"] == nil, decoded.allSatisfy({ tags[$0.key] == $0.value }) {
      tags["comment"] = nil
    }
    return tags
  }

  /// Size, number of frames and codec name (FFmpeg's, e.g. `h264`, `mpeg4`) of the first video stream.
  public static func probe(_ path: String) throws -> (width: Int, height: Int, frameCount: Int, codec: String) {
    let format = try openVideo(path)
    defer { FFmpeg.closeInput(format) }
    let index = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
    guard index >= 0, let stream = format.pointee.streams[Int(index)], let parameters = stream.pointee.codecpar else {
      throw MediaError.unsupportedFormat(path: path, expected: "a video with a video stream")
    }
    var frames = Int(stream.pointee.nb_frames)
    if frames <= 0 {
      // Containers without a frame count in the header: count the packets.
      frames = 0
      guard let packet = av_packet_alloc() else { throw MediaError.unreadable(path: path, reason: "out of memory") }
      var owned: UnsafeMutablePointer<AVPacket>? = packet
      defer { av_packet_free(&owned) }
      while av_read_frame(format, packet) >= 0 {
        if packet.pointee.stream_index == index { frames += 1 }
        av_packet_unref(packet)
      }
    }
    let codec = String(cString: avcodec_get_name(parameters.pointee.codec_id))
    return (Int(parameters.pointee.width), Int(parameters.pointee.height), frames, codec)
  }

  /// The container tags ``VideoWriter`` stores for `text`: every entry, plus a JSON `comment`
  /// holding all of them unless the caller set `comment` itself.
  static func containerTags(for text: [String: String]) -> [(String, String)] {
    var tags = text.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    if !text.isEmpty, text["comment"] == nil, let json = try? WAVFile.textJSON(text, path: "") {
      tags.append(("comment", json))
    }
    return tags
  }

  private static func openVideo(_ path: String) throws -> UnsafeMutablePointer<AVFormatContext> {
    let format = try MediaSniffer.format(ofFile: path)
    guard format == .mp4 || format == .matroska || format == .unknown else {
      throw MediaError.unsupportedFormat(path: path, expected: "a video file (MP4, MOV, MKV, WebM)")
    }
    return try FFmpeg.openInput(path, expected: "a video file")
  }
}
