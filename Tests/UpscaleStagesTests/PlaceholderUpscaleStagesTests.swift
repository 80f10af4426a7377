import Testing
@testable import UpscaleStages
@Test func UpscaleStagesModuleLoads() { #expect(Bool(true)) }
