// The process-wide thread pool every kernel splits its work over. Kernels split over independent
// outputs (tiles, rows) only, so their results never depend on the thread count.
import Dispatch
import Foundation

/// A host-provided `parallel_for` (the plugin ABI's `easel_host_context.parallel_for`), so a plugin
/// loaded with dlopen runs its kernels on the host's one pool.
public struct ExternalExecutor: @unchecked Sendable {
  /// The host's opaque context, passed back as the first argument of `parallelFor`.
  public var host: UnsafeMutableRawPointer?
  /// How many threads the host's pool has (kernels size their work split by it).
  public var threadCount: Int
  /// Runs `body(bodyContext, i)` for i in 0..<count and returns when all are done.
  public var parallelFor: @convention(c) (
    UnsafeMutableRawPointer?, Int64, @convention(c) (UnsafeMutableRawPointer?, Int64) -> Void, UnsafeMutableRawPointer?
  ) -> Void

  /// Wraps a host's `parallel_for` callback and its context.
  public init(
    host: UnsafeMutableRawPointer?, threadCount: Int,
    parallelFor: @escaping @convention(c) (
      UnsafeMutableRawPointer?, Int64, @convention(c) (UnsafeMutableRawPointer?, Int64) -> Void, UnsafeMutableRawPointer?
    ) -> Void
  ) {
    self.host = host
    self.threadCount = threadCount
    self.parallelFor = parallelFor
  }
}

/// The one thread pool of a process.
///
/// Its size is the `EASEL_THREADS` environment variable when set to an integer >= 1, otherwise
/// `ProcessInfo.activeProcessorCount`. Work is handed out in chunks from a shared counter, so a
/// thread slowed by another process does not hold the others back.
public final class ComputePool: @unchecked Sendable {
  /// The pool of this process.
  public static let shared = ComputePool()

  /// How many threads `parallelFor` spreads work over.
  public private(set) var threadCount: Int

  private var external: ExternalExecutor?
  /// The built-in pool's size, restored when an external executor is removed.
  private var builtInThreadCount: Int

  private init() {
    if let text = ProcessInfo.processInfo.environment["EASEL_THREADS"], let value = Int(text), value >= 1 {
      builtInThreadCount = value
    } else {
      builtInThreadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
    threadCount = builtInThreadCount
  }

  /// Sets the number of threads (clamped to at least 1). Not for use while a `parallelFor` runs.
  public func setThreadCount(_ count: Int) {
    threadCount = max(1, count)
    if external == nil { builtInThreadCount = threadCount }
  }

  /// Routes every `parallelFor` through a host-provided callback; nil restores the built-in pool.
  /// The pool's `threadCount` follows the executor's while one is installed.
  public func useExternalExecutor(_ executor: ExternalExecutor?) {
    external = executor
    threadCount = executor.map { max(1, $0.threadCount) } ?? builtInThreadCount
  }

  /// Runs `body(i)` for i in 0..<count, spread over the pool; returns when all are done.
  /// Runs inline when `count == 1` or `threadCount == 1`.
  public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    if count == 1 || threadCount == 1 {
      for index in 0..<count { body(index) }
      return
    }
    if let external {
      withoutActuallyEscaping(body) { escapable in
        var boxed = escapable
        withUnsafeMutablePointer(to: &boxed) { pointer in
          external.parallelFor(external.host, Int64(count), { context, index in
            guard let context else { return }
            context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
          }, UnsafeMutableRawPointer(pointer))
        }
      }
      return
    }
    let workers = min(threadCount, count)
    // Several chunks per worker keep the load balanced; the lock is taken once per chunk.
    let chunk = max(1, count / (workers * 4))
    let counter = ChunkCounter()
    withoutActuallyEscaping(body) { escapable in
      nonisolated(unsafe) let work = escapable
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
          let start = counter.take(chunk)
          if start >= count { break }
          for index in start..<min(start + chunk, count) { work(index) }
        }
      }
    }
  }
}

/// A shared "next index" for one `parallelFor` call.
private final class ChunkCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var next = 0

  func take(_ size: Int) -> Int {
    lock.lock()
    defer { lock.unlock() }
    let start = next
    next += size
    return start
  }
}
