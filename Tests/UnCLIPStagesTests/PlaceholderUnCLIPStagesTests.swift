import Testing
@testable import UnCLIPStages
@Test func UnCLIPStagesModuleLoads() { #expect(Bool(true)) }
