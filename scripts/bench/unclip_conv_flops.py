#!/usr/bin/env python3
"""Where the Karlo-size decoder UNet's convolution FLOPs are: forward hooks on every Conv2d of
diffusers' UNet2DConditionModel built on the meta device (no weights, no compute) from the config
scripts/bench/unclip_fixture.py writes, for one guided step (batch 2, 64×64). Prints GFLOP per
kernel size, stride and output resolution, and the total of the Linear layers.

    .venv/bin/python scripts/bench/unclip_conv_flops.py [.bench/unclip-karlo/decoder/config.json]
"""
import collections
import json
import sys

import torch
from diffusers import UNet2DConditionModel


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else ".bench/unclip-karlo/decoder/config.json"
    config = json.load(open(path))
    with torch.device("meta"):
        model = UNet2DConditionModel.from_config(config)
    convs, linear = collections.Counter(), collections.Counter()

    def conv_hook(module, inputs, output):
        kh, kw = module.kernel_size
        flops = 2 * output.numel() * module.in_channels // module.groups * kh * kw
        convs[f"{kh}x{kw} stride {module.stride[0]} at {output.shape[-1]}x{output.shape[-2]}"] += flops

    def linear_hook(module, inputs, output):
        linear["linear"] += 2 * output.numel() * module.in_features

    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            module.register_forward_hook(conv_hook)
        elif isinstance(module, torch.nn.Linear):
            module.register_forward_hook(linear_hook)
    with torch.device("meta"):
        sample = torch.randn(2, config["in_channels"], 64, 64)
        context = torch.randn(2, 81, config["cross_attention_dim"])
        labels = torch.randn(2, config["block_out_channels"][-1])
        model(sample, 999, encoder_hidden_states=context, class_labels=labels,
              attention_mask=torch.ones(2, 81, dtype=torch.bool))
    for key, flops in sorted(convs.items(), key=lambda item: -item[1]):
        print(f"conv {key}: {flops / 1e9:.1f} GFLOP")
    print(f"conv total: {sum(convs.values()) / 1e9:.1f} GFLOP; linear total: {linear['linear'] / 1e9:.1f} GFLOP")


if __name__ == "__main__":
    main()
