// Every SIMD row kernel of the non-GEMM ops against its scalar `…Reference` twin, on row lengths
// that leave every kind of tail (1, 15, 16, 17, 33, 1000).

import Foundation
import Testing
@testable import TensorCore

@Suite struct OpsKernelTests {
  /// Inputs for a unary kind: positive ones for log/sqrt/rsqrt, a wide signed range otherwise.
  func unaryInput(_ kind: UnaryOpKind, _ n: Int, seed: UInt64) -> [Float] {
    switch kind {
    case .log, .sqrt, .rsqrt: return opsRandomValues(n, seed: seed, low: 1e-3, high: 50)
    default: return opsRandomValues(n, seed: seed, low: -8, high: 8)
    }
  }

  /// (absolute, relative) tolerance of the SIMD kernel against the scalar formula.
  func tolerance(_ kind: UnaryOpKind) -> (Float, Float) {
    switch kind {
    case .sqrt, .rsqrt, .abs, .relu, .leakyReLU, .clamp: return (0, 0)
    case .exp: return (1e-30, 1e-6)
    case .log, .tanh, .sigmoid, .silu, .quickGELU, .geluTanh: return (1e-6, 1e-6)
    case .gelu: return (2e-6, 1e-6)  // erf by Abramowitz–Stegun 7.1.26, |error| < 1.5e-7
    }
  }

  static let unaryKinds: [UnaryOpKind] = [
    .exp, .log, .sqrt, .rsqrt, .tanh, .abs, .relu, .sigmoid, .silu, .gelu, .geluTanh, .quickGELU,
    .leakyReLU(slope: 0.2), .clamp(min: -1.5, max: 2),
  ]

  @Test("unary SIMD kernels match their references", arguments: unaryKinds)
  func unaryKernels(kind: UnaryOpKind) {
    let (absolute, relative) = tolerance(kind)
    for n in opsTestLengths {
      let x = unaryInput(kind, n, seed: UInt64(n))
      let fast = opsRun(n) { out in x.withUnsafeBufferPointer { unaryRow(kind, $0.baseAddress!, out, n) } }
      let slow = opsRun(n) { out in x.withUnsafeBufferPointer { unaryRowReference(kind, $0.baseAddress!, out, n) } }
      opsExpectClose(fast, slow, tolerance: absolute, relative: relative, "\(kind) n=\(n)")
    }
  }

  @Test func expEdgeCases() {
    let x: [Float] = [0, -0.0, 1, -1, 88.7, 88.72, 89, 200, -87, -87.5, -100, -103, -104, -110, -.infinity, .infinity,
                      .nan, 1e-8, -1e-8]
    let fast = opsRun(x.count) { out in x.withUnsafeBufferPointer { unaryRow(.exp, $0.baseAddress!, out, x.count) } }
    for (index, value) in x.enumerated() {
      let expected = Foundation.exp(value)
      if expected.isNaN {
        #expect(fast[index].isNaN, "exp(\(value)) = \(fast[index])")
      } else if expected.isInfinite || expected == 0 {
        #expect(fast[index] == expected, "exp(\(value)) = \(fast[index]), expected \(expected)")
      } else {
        // Subnormal results carry fewer significant bits: compare with an absolute floor.
        #expect(Swift.abs(fast[index] - expected) <= Swift.max(2e-7 * expected, 3 * Float.leastNonzeroMagnitude),
                "exp(\(value)) = \(fast[index]), expected \(expected)")
      }
    }
  }

  @Test func logTanhErfEdgeCases() {
    let logInput: [Float] = [0, -1, .infinity, 1, 0.5, 1e-30, 3e38, .nan]
    let logs = opsRun(logInput.count) { out in logInput.withUnsafeBufferPointer { unaryRow(.log, $0.baseAddress!, out, logInput.count) } }
    #expect(logs[0] == -.infinity && logs[1].isNaN && logs[2] == .infinity && logs[3] == 0 && logs[7].isNaN)
    for index in 4...6 { #expect(Swift.abs(logs[index] - Foundation.log(logInput[index])) <= 1e-5 * Swift.abs(logs[index]) + 1e-7) }
    let big: [Float] = [50, -50, 1e-6, -1e-6, 0.6249, 0.6251]
    let tanhs = opsRun(big.count) { out in big.withUnsafeBufferPointer { unaryRow(.tanh, $0.baseAddress!, out, big.count) } }
    for (index, value) in big.enumerated() {
      #expect(Swift.abs(tanhs[index] - Foundation.tanh(value)) <= 2e-7 + 1e-6 * Swift.abs(Foundation.tanh(value)),
              "tanh(\(value)) = \(tanhs[index])")
    }
    let gelus = opsRun(4) { out in [Float](arrayLiteral: -20, 20, 0, -0.5).withUnsafeBufferPointer { unaryRow(.gelu, $0.baseAddress!, out, 4) } }
    #expect(gelus[0] == 0 && gelus[1] == 20 && gelus[2] == 0)
  }

  @Test("binary kernels match their references in every broadcast layout", arguments: BinaryOpKind.allCases)
  func binaryKernels(kind: BinaryOpKind) {
    for n in opsTestLengths {
      let a = opsRandomValues(n, seed: 1 + UInt64(n), low: -4, high: 4)
      let b = opsRandomValues(n, seed: 100 + UInt64(n), low: 0.5, high: 4)
      for (aStep, bStep) in [(1, 1), (1, 0), (0, 1), (0, 0)] {
        let fast = opsRun(n) { out in
          binaryRow(kind, a.withUnsafeBufferPointer { $0.baseAddress! }, aStep: aStep,
                    b.withUnsafeBufferPointer { $0.baseAddress! }, bStep: bStep, out, n)
        }
        let slow = opsRun(n) { out in
          binaryRowReference(kind, a.withUnsafeBufferPointer { $0.baseAddress! }, aStep: aStep,
                             b.withUnsafeBufferPointer { $0.baseAddress! }, bStep: bStep, out, n)
        }
        opsExpectClose(fast, slow, tolerance: 0, "\(kind) steps (\(aStep), \(bStep)) n=\(n)")
      }
    }
  }

  @Test func addScaledKernel() {
    for n in opsTestLengths {
      let a = opsRandomValues(n, seed: 7 + UInt64(n))
      let b = opsRandomValues(n, seed: 8 + UInt64(n))
      let fast = opsRun(n) { out in a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
        addScaledRow(x.baseAddress!, y.baseAddress!, scale: -0.37, out, n) } } }
      let slow = opsRun(n) { out in a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
        addScaledRowReference(x.baseAddress!, y.baseAddress!, scale: -0.37, out, n) } } }
      opsExpectClose(fast, slow, tolerance: 1e-6, relative: 1e-6, "addScaled n=\(n)")
    }
  }

  @Test func reductionKernels() {
    for n in opsTestLengths {
      let a = opsRandomValues(n, seed: 11 + UInt64(n))
      let b = opsRandomValues(n, seed: 12 + UInt64(n))
      let scale = a.reduce(0) { $0 + Swift.abs($1) } + 1
      a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
          let (p, q) = (x.baseAddress!, y.baseAddress!)
          #expect(Swift.abs(sumRow(p, n) - sumRowReference(p, n)) <= 1e-6 * scale, "sum n=\(n)")
          #expect(Swift.abs(dotRow(p, q, n) - dotRowReference(p, q, n)) <= 3e-6 * scale, "dot n=\(n)")
          #expect(Swift.abs(squaredDeviationRow(p, n, mean: 0.3) - squaredDeviationRowReference(p, n, mean: 0.3))
                    <= 1e-5 * scale, "squared deviation n=\(n)")
          #expect(maxRow(p, n) == maxRowReference(p, n), "max n=\(n)")
        }
      }
    }
  }

  @Test func normalizationKernels() {
    for n in opsTestLengths {
      let x = opsRandomValues(n, seed: 21 + UInt64(n), low: -2, high: 5)
      let weight = opsRandomValues(n, seed: 22 + UInt64(n))
      let bias = opsRandomValues(n, seed: 23 + UInt64(n))
      x.withUnsafeBufferPointer { xs in
        weight.withUnsafeBufferPointer { ws in
          bias.withUnsafeBufferPointer { bs in
            let (p, w, b) = (xs.baseAddress!, ws.baseAddress!, bs.baseAddress!)
            for (weightPointer, biasPointer) in [(Optional(w), Optional(b)), (nil, nil)] {
              let fast = opsRun(n) { layerNormRow(p, $0, n, weight: weightPointer, bias: biasPointer, epsilon: 1e-5) }
              let slow = opsRun(n) { layerNormRowReference(p, $0, n, weight: weightPointer, bias: biasPointer, epsilon: 1e-5) }
              opsExpectClose(fast, slow, tolerance: 1e-5, "layerNorm n=\(n) affine=\(weightPointer != nil)")
            }
            opsExpectClose(opsRun(n) { scaleShiftRow(p, $0, n, scale: 1.7, shift: -0.2) },
                           opsRun(n) { scaleShiftRowReference(p, $0, n, scale: 1.7, shift: -0.2) },
                           tolerance: 0, "scaleShift n=\(n)")
            for modulation in [(factor: Float(0.6), offset: Float(0.3)), nil] {
              opsExpectClose(opsRun(n) { groupNormSiLURow(p, $0, n, scale: 1.7, shift: -0.2, modulation: modulation) },
                             opsRun(n) { groupNormSiLURowReference(p, $0, n, scale: 1.7, shift: -0.2, modulation: modulation) },
                             tolerance: 1e-6, relative: 1e-6, "groupNormSiLU n=\(n) modulated=\(modulation != nil)")
            }
            opsExpectClose(opsRun(n) { softmaxRow(p, $0, n) }, opsRun(n) { softmaxRowReference(p, $0, n) },
                           tolerance: 1e-7, relative: 2e-6, "softmax n=\(n)")
            opsExpectClose(opsRun(n) { l2NormalizeRow(p, $0, n, epsilon: 1e-12) },
                           opsRun(n) { l2NormalizeRowReference(p, $0, n, epsilon: 1e-12) },
                           tolerance: 1e-6, "l2Normalize n=\(n)")
          }
        }
      }
    }
  }

  @Test func resampleKernels() {
    for n in opsTestLengths {
      let plane = opsRandomValues(n * 5, seed: 31 + UInt64(n))
      let rows = [3, 0, 4, 4]
      let weights: [Float] = [0.25, -0.125, 0.7, 0.175]
      plane.withUnsafeBufferPointer { source in
        rows.withUnsafeBufferPointer { r in
          weights.withUnsafeBufferPointer { w in
            let fast = opsRun(n) { blendRows(source.baseAddress!, rowStride: n, rows: r.baseAddress!, weights: w.baseAddress!, taps: 4, $0, n) }
            let slow = opsRun(n) { blendRowsReference(source.baseAddress!, rowStride: n, rows: r.baseAddress!, weights: w.baseAddress!, taps: 4, $0, n) }
            opsExpectClose(fast, slow, tolerance: 1e-6, "blendRows n=\(n)")
          }
        }
        let fast = opsRun(2 * n) { duplicateColumns(source.baseAddress!, $0, n) }
        let slow = opsRun(2 * n) { duplicateColumnsReference(source.baseAddress!, $0, n) }
        opsExpectClose(fast, slow, tolerance: 0, "duplicateColumns n=\(n)")
      }
    }
  }
}
