// Every way a safetensors file can be broken throws a WeightError naming the file; none crashes.

import Foundation
import TensorCore
import Testing
@testable import WeightIO

@Suite struct SafeTensorsBadFileTests {
  let entry = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#

  /// Opens `path` and returns the error, recording a failure when it opens.
  func openError(_ path: String) -> WeightError? {
    do {
      _ = try SafeTensorsFile(path: path)
      Issue.record("\(path) opened but should not have")
      return nil
    } catch let error as WeightError {
      #expect(error.description.contains(path), "message names the file: \(error)")
      return error
    } catch {
      Issue.record("unexpected error type \(error)")
      return nil
    }
  }

  @Test func missingFile() throws {
    let folder = try TemporaryFolder()
    let path = folder.file("absent.safetensors")
    #expect(openError(path) == .fileNotFound(file: path))
  }

  @Test func directoryInsteadOfFile() throws {
    let folder = try TemporaryFolder()
    #expect(openError(folder.path) == .notAFile(file: folder.path))
  }

  @Test func emptyAndShortFiles() throws {
    let folder = try TemporaryFolder()
    let empty = try folder.write([], to: "empty.safetensors")
    #expect(openError(empty) == .truncated(file: empty, expected: 8, actual: 0))
    let short = try folder.write([1, 2, 3], to: "short.safetensors")
    #expect(openError(short) == .truncated(file: short, expected: 8, actual: 3))
  }

  @Test func headerLongerThanFile() throws {
    let folder = try TemporaryFolder()
    let path = try folder.writeSafeTensors(header: entry, dataBytes: 16, declaredLength: 1234, to: "t.safetensors")
    let size = 8 + entry.utf8.count + 16
    #expect(openError(path) == .truncated(file: path, expected: 8 + 1234, actual: size))
  }

  @Test func absurdHeaderLength() throws {
    let folder = try TemporaryFolder()
    let path = try folder.writeSafeTensors(header: entry, dataBytes: 16, declaredLength: UInt64.max, to: "h.safetensors")
    guard case .headerTooLarge = openError(path) else { Issue.record("expected headerTooLarge"); return }
    let large = try folder.writeSafeTensors(header: entry, dataBytes: 16, declaredLength: 200_000_000, to: "l.safetensors")
    guard case .headerTooLarge = openError(large) else { Issue.record("expected headerTooLarge"); return }
  }

  @Test func garbageAndNonObjectJSON() throws {
    let folder = try TemporaryFolder()
    for (name, header) in [("garbage", "{\"w\": [1, 2"), ("binary", "\u{01}\u{02}xyz"), ("array", "[1, 2, 3]"),
                           ("string", "\"hello\"")] {
      let path = try folder.writeSafeTensors(header: header, dataBytes: 0, to: name + ".safetensors")
      guard case .invalidHeader = openError(path) else { Issue.record("\(name): expected invalidHeader"); continue }
    }
  }

  @Test func truncatedDataSection() throws {
    let folder = try TemporaryFolder()
    let path = try folder.writeSafeTensors(header: entry, dataBytes: 10, to: "d.safetensors")
    guard case .invalidTensorEntry(_, "w", let reason) = openError(path) else { Issue.record("expected invalidTensorEntry"); return }
    #expect(reason.contains("past the data section"))
  }

  @Test func lyingShapesAndOffsets() throws {
    let folder = try TemporaryFolder()
    let cases: [(String, String)] = [
      ("shape", #"{"w":{"dtype":"F32","shape":[3,2],"data_offsets":[0,16]}}"#),
      ("reversed", #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}}"#),
      ("negative", #"{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#),
      ("fraction", #"{"w":{"dtype":"F32","shape":[2.5,2],"data_offsets":[0,16]}}"#),
      ("overflow", #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#),
      ("single", #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0]}}"#),
      ("noDType", #"{"w":{"shape":[2,2],"data_offsets":[0,16]}}"#),
      ("notObject", #"{"w":[1,2,3]}"#),
      ("overlap", #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#),
    ]
    for (name, header) in cases {
      let path = try folder.writeSafeTensors(header: header, dataBytes: 16, to: name + ".safetensors")
      guard case .invalidTensorEntry = openError(path) else { Issue.record("\(name): expected invalidTensorEntry"); continue }
    }
  }

  @Test func unknownAndUnsupportedDTypes() throws {
    let folder = try TemporaryFolder()
    let unknown = try folder.writeSafeTensors(
      header: #"{"w":{"dtype":"Q4_K","shape":[4],"data_offsets":[0,4]}}"#, dataBytes: 4, to: "u.safetensors")
    #expect(openError(unknown) == .unknownDType(file: unknown, key: "w", dtype: "Q4_K"))

    let doubles = try folder.writeSafeTensors(
      header: #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#, dataBytes: 16, to: "f64.safetensors")
    let file = try SafeTensorsFile(path: doubles)
    #expect(file.info("d")?.dtype == nil)
    #expect(throws: WeightError.unsupportedDType(file: doubles, key: "d", dtype: "F64")) { try file.tensor("d") }
  }

  @Test func int64OutOfRange() throws {
    let folder = try TemporaryFolder()
    let path = try folder.writeSafeTensors(
      header: #"{"i":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#, dataBytes: 16, to: "i.safetensors")
    let file = try SafeTensorsFile(path: path)
    // Bytes 8…15 form a value far beyond Int32.
    #expect(throws: WeightError.self) { try file.tensor("i") }
  }

  @Test func badMetadata() throws {
    let folder = try TemporaryFolder()
    let path = try folder.writeSafeTensors(header: #"{"__metadata__":{"n":3}}"#, dataBytes: 0, to: "m.safetensors")
    guard case .invalidHeader = openError(path) else { Issue.record("expected invalidHeader"); return }
  }

  @Test func descriptionsEndWithAdvice() {
    let errors: [WeightError] = [
      .truncated(file: "/m/x.safetensors", expected: 1234, actual: 1000),
      .invalidModel(folder: "/m", problems: ["missing key 'a'", "wrong shape of 'b'"]),
    ]
    #expect(errors[0].description
      == "/m/x.safetensors: the file is truncated (header says 1234 bytes, file has 1000); re-download or re-export it")
    #expect(errors[1].description.contains("(1) missing key 'a'; (2) wrong shape of 'b'"))
    for error in errors { #expect(!error.description.contains("\n")) }
  }
}
