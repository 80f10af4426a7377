import Testing
@testable import PipelineHost
@Test func PipelineHostModuleLoads() { #expect(Bool(true)) }
