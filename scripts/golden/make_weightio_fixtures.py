#!/usr/bin/env python3
"""Fixtures for Tests/WeightIOTests: files written by the reference tools themselves.

Pinned: torch 2.13.0+cpu, diffusers 0.42.0, transformers 5.23.0, safetensors 0.8.0 (Python 3.11).
Run with the reference venv from the repository root:

    .venv/bin/python scripts/golden/make_weightio_fixtures.py

Writes Tests/WeightIOTests/Resources/ (~250 KB):
  torch_dtypes.safetensors      safetensors.torch.save_file of every dtype Easel reads (values are
                                closed-form, so the Swift test recomputes them), I64 position ids,
                                a scalar, an empty tensor, metadata.
  tiny-pipeline/                DDPMPipeline.save_pretrained with the UNet sharded (index.json +
                                shards, max_shard_size 40KB) and an fp16 variant of the UNet beside it,
                                plus a tiny transformers CLIPTextModel (model.safetensors) added to
                                model_index.json as "text_encoder", and "safety_checker": [null, null].
  tiny-pipeline-expected.safetensors   f32 copies of a few UNet tensors and the key count (metadata).
Note: transformers 5.x saves CLIPTextModel keys without the "text_model." prefix that older
checkpoints (Karlo, SD) carry ("embeddings.token_embedding.weight").
It prints the SHA-256 of torch_dtypes.safetensors for the SHA256 test.
"""
import hashlib
import json
import os
import shutil

import torch
from diffusers import DDPMPipeline, DDPMScheduler, UNet2DModel
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel

OUT = "Tests/WeightIOTests/Resources"


def dtype_file():
    base = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) * 0.5 - 3
    tensors = {
        "f32": base,
        "f16": base.to(torch.float16),
        "bf16": base.to(torch.bfloat16),
        "i32": torch.arange(-5, 5, dtype=torch.int32),
        "position_ids": torch.arange(77, dtype=torch.int64).unsqueeze(0),
        "u8": torch.arange(250, 256, dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    }
    path = os.path.join(OUT, "torch_dtypes.safetensors")
    save_file(tensors, path, metadata={"format": "pt"})  # one key: safetensors orders metadata keys at random
    return path


def tiny_pipeline():
    folder = os.path.join(OUT, "tiny-pipeline")
    shutil.rmtree(folder, ignore_errors=True)
    torch.manual_seed(0)
    unet = UNet2DModel(
        sample_size=8, in_channels=3, out_channels=3, layers_per_block=1, block_out_channels=(8, 16),
        down_block_types=("DownBlock2D", "AttnDownBlock2D"), up_block_types=("AttnUpBlock2D", "UpBlock2D"),
        norm_num_groups=4)
    pipeline = DDPMPipeline(unet=unet, scheduler=DDPMScheduler(num_train_timesteps=10))
    pipeline.save_pretrained(folder, safe_serialization=True, max_shard_size="40KB")
    state = {key: value.clone() for key, value in unet.state_dict().items()}  # before the fp16 round trip
    unet.to(torch.float16).save_pretrained(os.path.join(folder, "unet"), variant="fp16", safe_serialization=True)
    unet.to(torch.float32)

    torch.manual_seed(0)
    text_config = CLIPTextConfig(hidden_size=8, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
                                 vocab_size=50, max_position_embeddings=16)
    CLIPTextModel(text_config).save_pretrained(os.path.join(folder, "text_encoder"), safe_serialization=True)
    index_path = os.path.join(folder, "model_index.json")
    with open(index_path) as f:
        index = json.load(f)
    index["text_encoder"] = ["transformers", "CLIPTextModel"]
    index["safety_checker"] = [None, None]
    with open(index_path, "w") as f:
        json.dump(index, f, indent=2, sort_keys=True)

    expected = {key: state[key].float().contiguous() for key in ["conv_in.weight", "conv_out.bias"]}
    save_file(expected, os.path.join(OUT, "tiny-pipeline-expected.safetensors"),
              metadata={"unet_key_count": str(len(state)), "unet_conv_in_shape": json.dumps(list(state["conv_in.weight"].shape))})
    return folder, len(state)


def main():
    os.makedirs(OUT, exist_ok=True)
    path = dtype_file()
    folder, count = tiny_pipeline()
    for root, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            full = os.path.join(root, name)
            print(f"{os.path.relpath(full, OUT)}: {os.path.getsize(full)} bytes")
    print(f"unet keys: {count}")
    with open(path, "rb") as f:
        print(f"sha256 torch_dtypes.safetensors: {hashlib.sha256(f.read()).hexdigest()}")


if __name__ == "__main__":
    main()
