// Ctrl-C and SIGTERM set one flag that stages poll through the plugin ABI; the executor then
// abandons in-flight temporary files and `easel` exits with 130. A second signal exits at once,
// after removing the temporary files of writes still in progress.
import Dispatch
import Foundation
import MediaIO

/// A thread-safe "the user asked to stop" flag.
public final class CancellationFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false

  public init() {}

  /// Whether cancellation was requested.
  public var isCancelled: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }

  /// Requests cancellation.
  public func cancel() {
    lock.lock()
    value = true
    lock.unlock()
  }
}

/// Routes SIGINT and SIGTERM to a cancellation flag.
public enum SignalTrap {
  nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

  /// Installs the handlers; `onFirst` runs once when the first signal arrives.
  public static func install(_ flag: CancellationFlag, onFirst: @escaping @Sendable (Int32) -> Void = { _ in }) {
    let queue = DispatchQueue(label: "easel.signals")
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler {
        if flag.isCancelled {
          AtomicFile.discardPending()
          exit(130)
        }
        flag.cancel()
        onFirst(number)
      }
      source.resume()
      sources.append(source)
    }
  }
}
