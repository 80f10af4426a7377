// Progress on stderr: on a terminal one redrawn line (stage, step/total, ETA); otherwise plain
// timestamped lines, for cron and logs.
import Foundation

/// Receives what a run is doing.
public protocol ProgressReporter: AnyObject, Sendable {
  /// A phase starts: loading a stage, running a stage for an item, writing an output.
  func begin(_ phase: String)
  /// Progress inside the current phase.
  func progress(step: Int, total: Int, message: String)
  /// A line of its own (warnings, stage logs, files written).
  func note(_ line: String)
  /// The run is over; finish any open line.
  func finish()
}

/// Writes progress to stderr, as a bar on a terminal and as timestamped lines otherwise.
public final class ConsoleProgress: ProgressReporter, @unchecked Sendable {
  private let isTerminal: Bool
  private let lock = NSLock()
  private var phase = ""
  private var phaseStart = Date()
  private var lastLine = Date.distantPast
  private var lineOpen = false
  private let quiet: Bool

  /// A reporter for stderr; `isTerminal` defaults to whether stderr is a TTY.
  public init(isTerminal: Bool = isatty(STDERR_FILENO) != 0, quiet: Bool = false) {
    self.isTerminal = isTerminal
    self.quiet = quiet
  }

  public func begin(_ phase: String) {
    lock.lock()
    defer { lock.unlock() }
    self.phase = phase
    phaseStart = Date()
    if quiet { return }
    if isTerminal { draw("\(phase) …") } else { emit(phase) }
  }

  public func progress(step: Int, total: Int, message: String) {
    lock.lock()
    defer { lock.unlock() }
    if quiet { return }
    let elapsed = Date().timeIntervalSince(phaseStart)
    let eta = step > 0 && total > step ? " ETA \(Self.format(elapsed / Double(step) * Double(total - step)))" : ""
    let detail = message.isEmpty ? "" : " \(message)"
    if isTerminal {
      let width = 24
      let filled = total > 0 ? min(width, width * step / total) : 0
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      draw("\(phase) [\(bar)] \(step)/\(total)\(eta)\(detail)")
    } else if Date().timeIntervalSince(lastLine) >= 5 || step == total {
      // Plain logs get a line every few seconds, not one per step.
      lastLine = Date()
      emit("\(phase) \(step)/\(total)\(eta)\(detail)")
    }
  }

  public func note(_ line: String) {
    lock.lock()
    defer { lock.unlock() }
    if isTerminal { closeLine() }
    emit(line)
  }

  public func finish() {
    lock.lock()
    defer { lock.unlock() }
    if isTerminal { closeLine() }
  }

  private func draw(_ text: String) {
    let columns = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    write("\r\u{1B}[K" + String(text.prefix(max(20, columns - 1))))
    lineOpen = true
  }

  private func closeLine() {
    if lineOpen { write("\r\u{1B}[K") }
    lineOpen = false
  }

  private func emit(_ line: String) {
    if isTerminal { write(line + "\n") } else { write("[\(Self.timestamp())] \(line)\n") }
  }

  private func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  static func timestamp() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
  }

  static func format(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
  }
}

/// Discards everything (library use, tests).
public final class SilentProgress: ProgressReporter, @unchecked Sendable {
  public init() {}
  public func begin(_ phase: String) {}
  public func progress(step: Int, total: Int, message: String) {}
  public func note(_ line: String) {}
  public func finish() {}
}
