// Normalisations over the last dimension (layer norm, softmax, L2) and over channel groups (group
// norm). One row or one (sample, group) pair per task: statistics are never split over threads.
//
// N batch, C channels, G groups, S spatial elements per channel (H·W, or 1), D last dimension.

/// Layer normalisation over the last dimension, as `F.layer_norm(x, (D,), weight, bias, eps)`.
///
/// `weight` and `bias`, when given, have D elements (any float dtype).
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 1, "layerNorm needs at least one dimension")
  let length = input.shape[input.rank - 1]
  let gamma = weight?.toFloat32()
  let beta = bias?.toFloat32()
  precondition(gamma.map { $0.count == length } ?? true, "layerNorm weight \(gamma?.shape ?? []) for last dim \(length)")
  precondition(beta.map { $0.count == length } ?? true, "layerNorm bias \(beta?.shape ?? []) for last dim \(length)")
  let result = Tensor(uninitialized: input.shape)
  if input.count == 0 { return result }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  nonisolated(unsafe) let gammaPointer = gamma?.floats
  nonisolated(unsafe) let betaPointer = beta?.floats
  // [R, D] -> [R, D]
  forEachChunk(input.count / length, work: length * 3) { rows in
    for row in rows {
      layerNormRow(source + row * length, destination + row * length, length,
                   weight: gammaPointer, bias: betaPointer, epsilon: epsilon)
    }
  }
  return withExtendedLifetime((input, gamma, beta)) { result }
}

/// Group normalisation as `F.group_norm(x, groups, weight, bias, eps)`.
///
/// `x` is `[N, C, ...]`; C must be divisible by `groups`; `weight` and `bias` have C elements.
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
  groupNormAffine(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon, scale: nil, shift: nil, silu: false)
}

/// SiLU of a group normalisation modulated per sample and channel, in one pass over the data:
/// silu(groupNorm(x) · (1 + scale) + shift), a UNet resnet's norm, scale-shift time conditioning and
/// activation (`scale`, `shift` [N, C]; either nil counts as 0). The same bits as those ops one after
/// another (each step rounds as they do), without writing and reading the tensor three more times.
public func groupNormSiLU(
  _ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float, scale: Tensor? = nil, shift: Tensor? = nil
) -> Tensor {
  groupNormAffine(x, groups: groups, weight: weight, bias: bias, epsilon: epsilon, scale: scale, shift: shift, silu: true)
}

/// Group norm, then (with `silu`) per (sample, channel) · (1 + scale) + shift and SiLU, one channel
/// row of S elements at a time.
private func groupNormAffine(
  _ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float, scale: Tensor?, shift: Tensor?, silu: Bool
) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 2, "groupNorm needs [N, C, ...], got \(input.shape)")
  let batch = input.shape[0]
  let channels = input.shape[1]
  precondition(groups >= 1 && channels % groups == 0, "groupNorm: \(channels) channels in \(groups) groups")
  let gamma = weight?.toFloat32()
  let beta = bias?.toFloat32()
  let modulation = (scale?.toFloat32(), shift?.toFloat32())
  precondition(gamma.map { $0.count == channels } ?? true, "groupNorm weight \(gamma?.shape ?? []) for \(channels) channels")
  precondition(beta.map { $0.count == channels } ?? true, "groupNorm bias \(beta?.shape ?? []) for \(channels) channels")
  precondition([modulation.0, modulation.1].allSatisfy { $0.map { $0.count == batch * channels } ?? true },
               "groupNormSiLU scale/shift \(modulation.0?.shape ?? []), \(modulation.1?.shape ?? []) for [\(batch), \(channels)]")
  let spatial = input.shape.dropFirst(2).reduce(1, *)
  let channelsPerGroup = channels / groups
  let groupLength = channelsPerGroup * spatial
  let result = Tensor(uninitialized: input.shape)
  if input.count == 0 { return result }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  nonisolated(unsafe) let gammaPointer = gamma?.floats
  nonisolated(unsafe) let betaPointer = beta?.floats
  nonisolated(unsafe) let scalePointer = modulation.0?.floats
  nonisolated(unsafe) let shiftPointer = modulation.1?.floats
  let modulated = scalePointer != nil || shiftPointer != nil
  // [N, C, S] viewed as [N·G, C/G·S]: each (n, g) block is contiguous.
  forEachChunk(batch * groups, work: groupLength * (silu ? 6 : 3)) { blocks in
    for block in blocks {
      let start = block * groupLength
      let (mean, variance) = meanVarianceRow(source + start, groupLength)
      let inverse = 1 / (variance + epsilon).squareRoot()
      let firstChannel = (block % groups) * channelsPerGroup
      for local in 0..<channelsPerGroup {
        let channel = firstChannel + local
        let scale = inverse * (gammaPointer?[channel] ?? 1)
        let shift = (betaPointer?[channel] ?? 0) - mean * scale
        let offset = start + local * spatial
        if silu {
          let sampleChannel = (block / groups) * channels + channel
          let modulation = modulated ? ((scalePointer?[sampleChannel] ?? 0) + 1, shiftPointer?[sampleChannel] ?? 0) : nil
          groupNormSiLURow(source + offset, destination + offset, spatial, scale: scale, shift: shift, modulation: modulation)
        } else {
          scaleShiftRow(source + offset, destination + offset, spatial, scale: scale, shift: shift)
        }
      }
    }
  }
  return withExtendedLifetime((input, gamma, beta, modulation)) { result }
}

/// Softmax over the last dimension, shifted by the row maximum so that it never overflows.
public func softmax(_ x: Tensor) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 1, "softmax needs at least one dimension")
  let length = input.shape[input.rank - 1]
  let result = Tensor(uninitialized: input.shape)
  if input.count == 0 { return result }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk(input.count / length, work: length * 3) { rows in
    for row in rows { softmaxRow(source + row * length, destination + row * length, length) }
  }
  return withExtendedLifetime(input) { result }
}

/// Each row of the last dimension divided by its L2 norm: `F.normalize(x, dim=-1, eps=epsilon)`,
/// i.e. x / max(‖x‖, ε).
public func l2Normalize(_ x: Tensor, epsilon: Float = 1e-12) -> Tensor {
  let input = x.toFloat32()
  precondition(input.rank >= 1, "l2Normalize needs at least one dimension")
  let length = input.shape[input.rank - 1]
  let result = Tensor(uninitialized: input.shape)
  if input.count == 0 { return result }
  nonisolated(unsafe) let source = input.floats
  nonisolated(unsafe) let destination = result.mutableFloats
  forEachChunk(input.count / length, work: length * 2) { rows in
    for row in rows {
      l2NormalizeRow(source + row * length, destination + row * length, length, epsilon: epsilon)
    }
  }
  return withExtendedLifetime(input) { result }
}
