import Testing
@testable import MediaIO
@Test func MediaIOModuleLoads() { #expect(Bool(true)) }
