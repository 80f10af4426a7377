// Builds the down/up block lists of a diffusers UNet from its config the way UNet2DConditionModel
// and UNet2DModel do (channel bookkeeping of `get_down_block` / `get_up_block`), reading the keys
// `down_blocks.<i>.resnets.<j>.*`, `.attentions.<j>.*`, `.downsamplers.0.*` (and `up_blocks`, `upsamplers`).
import TensorCore

/// A config value that is either one number or one per block (`attention_head_dim`, `cross_attention_dim`).
struct IntOrList: Codable, Sendable, Equatable {
  let values: [Int]

  init(_ values: [Int]) { self.values = values }

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let single = try? container.decode(Int.self) {
      values = [single]
    } else {
      values = try container.decode([Int].self)
    }
  }

  func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    if values.count == 1 { try container.encode(values[0]) } else { try container.encode(values) }
  }

  /// The value for block `index` of `count` blocks.
  func value(_ index: Int, of count: Int) -> Int { values.count == 1 ? values[0] : values[min(index, values.count - 1)] }
}

/// Makes the attention layer of a block, given its key scope, channels and block index; nil for a
/// block type without attention.
typealias AttentionFactory = (_ w: WeightScope, _ channels: Int, _ blockIndex: Int) -> BlockAttention

/// The block types this port knows, and whether they carry added-KV cross-attention.
enum UNetBlockKind {
  static func downHasAttention(_ type: String) -> Bool? {
    switch type {
    case "ResnetDownsampleBlock2D": return false
    case "SimpleCrossAttnDownBlock2D": return true
    default: return nil
    }
  }

  static func upHasAttention(_ type: String) -> Bool? {
    switch type {
    case "ResnetUpsampleBlock2D": return false
    case "SimpleCrossAttnUpBlock2D": return true
    default: return nil
    }
  }
}

/// The down blocks (`down_blocks.*`).
func buildDownBlocks(_ root: WeightScope, types: [String], channels: [Int], layersPerBlock: Int,
                     resnets settings: ResnetSettings, attention: AttentionFactory) -> [DownBlock] {
  var output = channels[0]
  var blocks: [DownBlock] = []
  for (index, type) in types.enumerated() {
    let input = output
    output = channels[index]
    let w = root.scope("down_blocks.\(index)")
    let withAttention = UNetBlockKind.downHasAttention(type) ?? false
    var resnets: [ResnetBlock2D] = []
    var attentions: [BlockAttention] = []
    for layer in 0..<layersPerBlock {
      resnets.append(settings.block(w.scope("resnets.\(layer)"), inputs: layer == 0 ? input : output, outputs: output))
      if withAttention { attentions.append(attention(w.scope("attentions.\(layer)"), output, index)) }
    }
    let isFinal = index == channels.count - 1
    let downsampler = isFinal ? nil : settings.block(w.scope("downsamplers.0"), inputs: output, outputs: output, resample: .down)
    blocks.append(DownBlock(resnets: resnets, attentions: attentions, downsampler: downsampler))
  }
  return blocks
}

/// The up blocks (`up_blocks.*`), `layersPerBlock + 1` resnets each. `attention` gets the index in
/// up-block order.
func buildUpBlocks(_ root: WeightScope, types: [String], channels: [Int], layersPerBlock: Int,
                   resnets settings: ResnetSettings, attention: AttentionFactory) -> [UpBlock] {
  let reversed = Array(channels.reversed())
  var output = reversed[0]
  var blocks: [UpBlock] = []
  let layers = layersPerBlock + 1
  for (index, type) in types.enumerated() {
    let previous = output
    output = reversed[index]
    let input = reversed[min(index + 1, channels.count - 1)]
    let w = root.scope("up_blocks.\(index)")
    let withAttention = UNetBlockKind.upHasAttention(type) ?? false
    var resnets: [ResnetBlock2D] = []
    var attentions: [BlockAttention] = []
    for layer in 0..<layers {
      let skip = layer == layers - 1 ? input : output
      let resnetInput = layer == 0 ? previous : output
      resnets.append(settings.block(w.scope("resnets.\(layer)"), inputs: resnetInput + skip, outputs: output))
      if withAttention { attentions.append(attention(w.scope("attentions.\(layer)"), output, index)) }
    }
    let isFinal = index == channels.count - 1
    let upsampler = isFinal ? nil : settings.block(w.scope("upsamplers.0"), inputs: output, outputs: output, resample: .up)
    blocks.append(UpBlock(resnets: resnets, attentions: attentions, upsampler: upsampler))
  }
  return blocks
}

/// Records a problem for every block type outside `known`.
func checkBlockTypes(_ types: [String], key: String, known: (String) -> Bool?, reader: WeightReader) {
  for type in types where known(type) == nil {
    reader.record("config.json \(key) has \(type), which this port does not implement")
  }
}
