// Loading one component of a model folder: config, weights and the model built from them, with
// every problem recorded rather than thrown, so a folder is checked completely before it fails.
import Foundation

extension ModelFolder {
  /// Builds the model of `component` from its config.json and weights; nil when the config cannot be
  /// read. On any problem the problems are appended and the model (built on zero stand-ins for what
  /// is missing) must not be used: callers throw when `problems` is not empty.
  func loadModel<Config: Decodable, Model>(_ component: String, _ type: Config.Type, problems: inout [String],
                                           build: (Config, WeightReader) -> Model) -> Model? {
    guard let config = config(Config.self, component: component, problems: &problems) else { return nil }
    let reader = weights(component, problems: &problems)
    let model = build(config, reader)
    reader.recordUnusedKeys()
    problems += reader.problems
    return model
  }

  /// The scheduler of `component` (scheduler_config.json), defaults when it cannot be read (with the
  /// problem recorded).
  func loadScheduler(_ component: String, problems: inout [String]) -> UnCLIPScheduler {
    guard let config = config(UnCLIPScheduler.Config.self, component: component, file: "scheduler_config.json",
                              problems: &problems) else {
      return UnCLIPScheduler(config: UnCLIPScheduler.Config())
    }
    problems += config.problems.map { "\(component): scheduler_config.json \($0)" }
    return UnCLIPScheduler(config: config.problems.isEmpty ? config : UnCLIPScheduler.Config())
  }
}
