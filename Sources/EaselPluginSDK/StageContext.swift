// What the host hands a stage on every call: its thread pool, the cancellation flag, progress and
// log callbacks. A plugin's own copy of TensorCore is pointed at the host's pool here, so a process
// has one pool.
import CEaselPluginABI
import TensorCore

/// The host's services, as a stage sees them.
public struct StageContext: @unchecked Sendable {
  /// The C context this wraps.
  public let raw: UnsafePointer<easel_host_context>

  /// Wraps a host context.
  public init(_ raw: UnsafePointer<easel_host_context>) { self.raw = raw }

  /// Number of threads of the host's pool.
  public var threadCount: Int { Int(raw.pointee.thread_count) }

  /// True once the user asked to stop; check between steps and throw `StageError.cancelled`.
  public var isCancelled: Bool {
    guard let isCancelled = raw.pointee.is_cancelled else { return false }
    return isCancelled(raw.pointee.host) != 0
  }

  /// Throws `StageError.cancelled` once the user asked to stop.
  public func checkCancellation() throws(StageError) {
    if isCancelled { throw .cancelled }
  }

  /// Reports progress of the current call, `step` of `total` (e.g. denoising steps).
  public func progress(step: Int, total: Int, message: String = "") {
    guard let progress = raw.pointee.progress else { return }
    message.withCString { progress(raw.pointee.host, Int64(step), Int64(total), $0) }
  }

  /// Log levels of ``log(_:level:)``.
  public enum LogLevel: Int32, Sendable { case debug = 0, info = 1, warning = 2 }

  /// Writes one line to the host's log.
  public func log(_ message: String, level: LogLevel = .info) {
    guard let log = raw.pointee.log else { return }
    message.withCString { log(raw.pointee.host, level.rawValue, $0) }
  }

  /// Records a file the stage read (weights, vocabulary) so its SHA-256 goes into provenance.
  public func recordFile(_ path: String) {
    guard let recordFile = raw.pointee.record_file else { return }
    path.withCString { recordFile(raw.pointee.host, $0) }
  }

  /// Points this copy of TensorCore at the host's pool, unless the host's pool is this copy's own
  /// (a built-in plugin linked into the host).
  func adoptHostExecutor() {
    let context = raw.pointee
    if let executor = externalExecutor(for: context) { ComputePool.shared.useExternalExecutor(executor) }
  }
}

/// The host's pool as an executor for this copy of TensorCore; nil when it is this copy's own pool.
private func externalExecutor(for context: easel_host_context) -> ExternalExecutor? {
  guard let parallelFor = context.parallel_for else { return nil }
  let theirs = unsafeBitCast(parallelFor, to: UInt.self)
  if theirs == HostContext.parallelForThunkAddress { return nil }
  // The C type has an optional body pointer; TensorCore's takes a non-optional one. Same layout.
  let adapted = unsafeBitCast(parallelFor, to: TensorCoreParallelFor.self)
  return ExternalExecutor(host: context.host, threadCount: Int(context.thread_count), parallelFor: adapted)
}

private typealias TensorCoreParallelFor = @convention(c) (
  UnsafeMutableRawPointer?, Int64, @convention(c) (UnsafeMutableRawPointer?, Int64) -> Void, UnsafeMutableRawPointer?
) -> Void
