// Which of the prior's S = T + 4 positions each batch element runs, and their attention biases.
// B batch, T text tokens, S = T + 4 positions, L_b positions kept for element b, N = Σ L_b rows.
import TensorCore

/// diffusers runs all S positions of every batch element, but a padding text token (mask 0) gets
/// −10000 on its key from every query, so no other position reads it (its softmax weight is 0 in
/// f32) and the prediction, read at the last position, does not depend on it. The prior therefore
/// runs only the other positions of each element, all elements stacked as rows of one [N, I]
/// matrix so every linear layer is one product: for Karlo's guided batch (a 12-token prompt and the
/// 2-token empty prompt) 22 rows instead of 162.
struct PriorSequences {
  /// The positions element b keeps, ascending.
  let positions: [[Int]]
  /// Per element: the additive bias [1, 1, L_b, L_b] of its kept positions (the padding term of
  /// fractional mask values and the causal −10000 above the diagonal), or nil without a mask:
  /// diffusers applies neither then.
  let biases: [Tensor?]
  /// Per element: its rows of the stacked [N, I] matrix.
  let rows: [Range<Int>]

  /// From the text `mask` [B, T] of 1/0 (nil: every position, no bias); `length` = T + `additional`.
  init(mask: Tensor?, batch: Int, length: Int, additional: Int) {
    guard let mask else {
      positions = Array(repeating: Array(0..<length), count: batch)
      biases = Array(repeating: nil, count: batch)
      rows = (0..<batch).map { $0 * length..<($0 + 1) * length }
      return
    }
    let tokens = mask.shape[1]
    precondition(mask.shape[0] == batch && tokens + additional == length,
                 "prior mask \(mask.shape) for batch \(batch), \(length) positions of which \(additional) additional")
    let values = mask.toFloat32().scalars
    func padding(_ b: Int, _ column: Int) -> Float { column < tokens ? (1 - values[b * tokens + column]) * -10000 : 0 }
    var positions: [[Int]] = []
    var biases: [Tensor?] = []
    var rows: [Range<Int>] = []
    for b in 0..<batch {
      let kept = (0..<length).filter { $0 >= tokens || values[b * tokens + $0] != 0 }
      var bias = [Float](repeating: 0, count: kept.count * kept.count)
      for (row, query) in kept.enumerated() {
        for (column, key) in kept.enumerated() {
          bias[row * kept.count + column] = padding(b, key) + (key > query ? -10000 : 0)
        }
      }
      let start = rows.last?.upperBound ?? 0
      positions.append(kept)
      biases.append(Tensor(bias, shape: [1, 1, kept.count, kept.count]))
      rows.append(start..<start + kept.count)
    }
    (self.positions, self.biases, self.rows) = (positions, biases, rows)
  }

  /// Rows `positions` of each element of `x` [B, S, I], stacked: → [N, I].
  func gather(_ x: Tensor) -> Tensor {
    let (batch, length) = (x.shape[0], x.shape[1])
    let ids = (0..<batch).flatMap { b in positions[b].map { Int32(b * length + $0) } }
    return embeddingLookup(x.reshaped([batch * length, -1]), ids: ids)  // [B,S,I] -> [B·S,I] -> [N,I]
  }

  /// The last kept row of each element of `x` [N, I]: → [B, I].
  func lastRows(_ x: Tensor) -> Tensor {
    embeddingLookup(x, ids: rows.map { Int32($0.upperBound - 1) })  // [N,I] -> [B,I]
  }
}
