// Scaled dot-product attention against its scalar twin: odd sizes, causal, masks, scale, threads.
// B batch, H heads, T queries, S keys, D head size.
import Testing
import TensorCore

@Suite struct AttentionTests {
  static func inputs(_ b: Int, _ h: Int, _ t: Int, _ s: Int, _ d: Int, seed: UInt64) -> (Tensor, Tensor, Tensor) {
    (kernelTestRandom([b, h, t, d], seed: seed), kernelTestRandom([b, h, s, d], seed: seed + 1),
     kernelTestRandom([b, h, s, d], seed: seed + 2))
  }

  static func check(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool = false, mask: Tensor? = nil,
                    scale: Float? = nil, _ label: String) {
    let result = scaledDotProductAttention(query: q, key: k, value: v, causal: causal, mask: mask, scale: scale)
    let expected = scaledDotProductAttentionReference(query: q, key: k, value: v, causal: causal, mask: mask, scale: scale)
    let difference = compare(result, expected, tolerance: 2e-6, relativeTolerance: 1e-4)
    #expect(difference.isWithinTolerance, "\(label): \(difference)")
  }

  @Test func matchesReferenceOnOddSizes() {
    let sizes = [(1, 1, 1, 1, 1), (2, 3, 7, 17, 5), (1, 2, 130, 63, 16), (1, 1, 65, 65, 64), (1, 1, 17, 130, 7),
                 (1, 2, 200, 31, 33)]
    for (index, (b, h, t, s, d)) in sizes.enumerated() {
      let (q, k, v) = Self.inputs(b, h, t, s, d, seed: UInt64(index * 3))
      Self.check(q, k, v, "B\(b) H\(h) T\(t) S\(s) D\(d)")
      Self.check(q, k, v, scale: 0.3, "B\(b) H\(h) T\(t) S\(s) D\(d) scale 0.3")
    }
  }

  @Test func causal() {
    for (index, t) in [1, 7, 65, 130, 300].enumerated() {
      let (q, k, v) = Self.inputs(1, 2, t, t, 8, seed: UInt64(50 + index))
      Self.check(q, k, v, causal: true, "causal T\(t)")
    }
  }

  @Test func masks() {
    let (q, k, v) = Self.inputs(2, 3, 19, 23, 8, seed: 70)
    Self.check(q, k, v, mask: kernelTestRandom([2, 1, 1, 23], seed: 71), "mask [B,1,1,S]")
    Self.check(q, k, v, mask: kernelTestRandom([1, 1, 19, 23], seed: 72), "mask [1,1,T,S]")
    Self.check(q, k, v, mask: kernelTestRandom([19, 23], seed: 73), "mask [T,S]")
    Self.check(q, k, v, mask: kernelTestRandom([2, 3, 19, 23], seed: 74), "mask [B,H,T,S]")
    // Padding: the last 5 keys hidden with -inf, as a tokenizer's attention mask does.
    var padding = [Float](repeating: 0, count: 2 * 23)
    for j in 18..<23 { padding[j] = -.infinity }
    let paddingMask = Tensor(padding, shape: [2, 1, 1, 23])
    Self.check(q, k, v, mask: paddingMask, "padding mask")
    let (cq, ck, cv) = Self.inputs(2, 3, 23, 23, 8, seed: 75)
    Self.check(cq, ck, cv, causal: true, mask: Tensor(padding, shape: [2, 1, 1, 23]), "causal + padding")
  }

  @Test func manyKeyBlocks() {
    // More keys than one key block (512): exercises the running maximum and the output rescaling.
    let (q, k, v) = Self.inputs(1, 2, 33, 1100, 16, seed: 80)
    Self.check(q, k, v, "S 1100")
    Self.check(q, k, v, mask: kernelTestRandom([1, 1, 1, 1100], seed: 81), "S 1100 mask")
    // Large scores so that later blocks raise the row maximum by a lot.
    Self.check(q, k, v, scale: 6, "S 1100 scale 6")
    let (cq, ck, cv) = Self.inputs(1, 1, 600, 600, 8, seed: 82)
    Self.check(cq, ck, cv, causal: true, "causal T=S 600")
    var hidden = [Float](repeating: 0, count: 1100)
    for j in 0..<700 { hidden[j] = -.infinity }  // the whole first key block masked
    Self.check(q, k, v, mask: Tensor(hidden, shape: [1100]), "first key block masked")
  }

  @Test func uniformScoresAverageTheValues() {
    let q = Tensor(zeros: [1, 1, 2, 4])
    let k = kernelTestRandom([1, 1, 3, 4], seed: 1)
    let v = Tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], shape: [1, 1, 3, 4])
    let result = scaledDotProductAttention(query: q, key: k, value: v).scalars
    for (value, expected) in zip(result, [5, 6, 7, 8, 5, 6, 7, 8] as [Float]) {
      #expect(abs(value - expected) < 1e-5)
    }
  }

  @Test func bitIdenticalForAnyThreadCount() {
    let (q, k, v) = Self.inputs(1, 3, 300, 277, 40, seed: 90)
    let mask = kernelTestRandom([1, 1, 300, 277], seed: 93)
    let one = kernelTestWithThreads(1) { scaledDotProductAttention(query: q, key: k, value: v, mask: mask) }
    for threads in [2, 3] {
      let other = kernelTestWithThreads(threads) { scaledDotProductAttention(query: q, key: k, value: v, mask: mask) }
      #expect(kernelTestBits(other) == kernelTestBits(one), "\(threads) threads")
    }
  }
}
