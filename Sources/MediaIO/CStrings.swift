// Passing strings to and from the C libraries.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The NUL-terminated text in a message buffer filled by C, or "unknown error" when it is empty.
func messageString(_ buffer: [CChar]) -> String {
  let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  return text.isEmpty ? "unknown error" : text
}

/// Calls `body` with a C array of C strings that live for the duration of the call.
/// An empty list passes nil.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
  let storage = strings.map { strdup($0) }
  defer { storage.forEach { free($0) } }
  let pointers = storage.map { UnsafePointer($0) }
  return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
}
