import Testing
@testable import WeightIO
@Test func WeightIOModuleLoads() { #expect(Bool(true)) }
