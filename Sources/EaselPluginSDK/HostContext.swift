// The host side of easel_host_context: C callbacks that forward to a Swift `StageHost`. Used by the
// pipeline executor and by `StageHarness`.
import CEaselPluginABI
import TensorCore

/// What a host provides to a running stage.
public protocol StageHost: AnyObject {
  /// True once the user asked to stop.
  var isCancelled: Bool { get }
  /// Progress of the current call.
  func progress(step: Int, total: Int, message: String)
  /// One log line; level 0 debug, 1 info, 2 warning.
  func log(level: Int, message: String)
  /// A file the stage read at create.
  func recordFile(path: String)
}

/// An `easel_host_context` whose callbacks forward to `host`, valid as long as this object lives.
public final class HostContext: @unchecked Sendable {
  /// The C context to pass to `create` and `run`.
  public let pointer: UnsafeMutablePointer<easel_host_context>
  private let retained: Unmanaged<HostBox>

  /// A context for `host`, whose pool has `threadCount` threads (`ComputePool.shared` of this process).
  public init(host: any StageHost, threadCount: Int = ComputePool.shared.threadCount) {
    retained = Unmanaged.passRetained(HostBox(host))
    pointer = .allocate(capacity: 1)
    pointer.initialize(to: easel_host_context(
      abi_version: EASEL_PLUGIN_ABI_VERSION, host: retained.toOpaque(), thread_count: Int32(threadCount),
      parallel_for: HostContext.parallelForThunk, is_cancelled: isCancelledThunk, progress: progressThunk,
      log: logThunk, record_file: recordFileThunk))
  }

  deinit {
    pointer.deinitialize(count: 1)
    pointer.deallocate()
    retained.release()
  }

  /// The address of ``parallelForThunk`` in this copy of the SDK.
  static let parallelForThunkAddress: UInt = unsafeBitCast(parallelForThunk, to: UInt.self)

  /// Runs a plugin's parallel loop on this process's pool. Plugins compare against it to tell
  /// whether the host's pool is their own.
  static let parallelForThunk: @convention(c) (
    UnsafeMutableRawPointer?, Int64, (@convention(c) (UnsafeMutableRawPointer?, Int64) -> Void)?,
    UnsafeMutableRawPointer?
  ) -> Void = { _, count, body, bodyContext in
    guard let body else { return }
    nonisolated(unsafe) let context = bodyContext
    ComputePool.shared.parallelFor(Int(count)) { index in body(context, Int64(index)) }
  }
}

final class HostBox {
  let host: any StageHost
  init(_ host: any StageHost) { self.host = host }
}

private func host(_ pointer: UnsafeMutableRawPointer?) -> (any StageHost)? {
  guard let pointer else { return nil }
  return Unmanaged<HostBox>.fromOpaque(pointer).takeUnretainedValue().host
}

private let isCancelledThunk: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { pointer in
  (host(pointer)?.isCancelled ?? false) ? 1 : 0
}

private let progressThunk: @convention(c) (UnsafeMutableRawPointer?, Int64, Int64, UnsafePointer<CChar>?) -> Void = {
  pointer, step, total, message in
  host(pointer)?.progress(step: Int(step), total: Int(total), message: message.map { String(cString: $0) } ?? "")
}

private let logThunk: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void = {
  pointer, level, message in
  host(pointer)?.log(level: Int(level), message: message.map { String(cString: $0) } ?? "")
}

private let recordFileThunk: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Void = {
  pointer, path in
  guard let path else { return }
  host(pointer)?.recordFile(path: String(cString: path))
}
