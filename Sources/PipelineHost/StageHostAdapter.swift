// The host services one stage instance sees: cancellation, progress tagged with the stage id,
// log lines and the files it loaded.
import EaselPluginSDK

final class StageHostAdapter: StageHost, @unchecked Sendable {
  let stageID: String
  let cancellation: CancellationFlag
  let reporter: any ProgressReporter
  private(set) var recordedFiles: [String] = []

  init(stageID: String, cancellation: CancellationFlag, reporter: any ProgressReporter) {
    self.stageID = stageID
    self.cancellation = cancellation
    self.reporter = reporter
  }

  var isCancelled: Bool { cancellation.isCancelled }

  func progress(step: Int, total: Int, message: String) {
    reporter.progress(step: step, total: total, message: message)
  }

  func log(level: Int, message: String) {
    if level >= 1 { reporter.note("\(stageID): \(level >= 2 ? "warning: " : "")\(message)") }
  }

  func recordFile(path: String) {
    if !recordedFiles.contains(path) { recordedFiles.append(path) }
  }
}
