import Testing
@testable import TensorCore
@Test func TensorCoreModuleLoads() { #expect(Bool(true)) }
