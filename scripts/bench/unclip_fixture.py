#!/usr/bin/env python3
"""Random-weight unCLIP prior and decoder UNet at Karlo's real sizes, for scripts/bench/unclip.sh.

Pinned reference: torch 2.13 (CPU), diffusers 0.42.0, safetensors. Run with the reference venv:

    /work/main/.venv/bin/python scripts/bench/unclip_fixture.py [OUT_DIR]   # default .bench/unclip-karlo

Sizes are kakaobrain/karlo-v1-alpha's as diffusers' own conversion script builds them
(huggingface/diffusers scripts/convert_kakao_brain_unclip_to_diffusers.py): PRIOR_CONFIG = {} (the
PriorTransformer defaults: 20 layers x 32 heads x 64, embedding_dim 768, num_embeddings 77,
additional_embeddings 4) and DECODER_CONFIG (sample 64, in 3 / out 6, block_out_channels
(320, 640, 960, 1280), layers_per_block 3, ResnetDownsampleBlock2D + 3x SimpleCrossAttnDownBlock2D,
UNetMidBlock2DSimpleCrossAttn, 3x SimpleCrossAttnUpBlock2D + ResnetUpsampleBlock2D, attention_head_dim
64, cross_attention_dim 1536, class_embed_type identity, resnet_time_scale_shift scale_shift).

Weights: torch.manual_seed(0) before each model, the module's default init, then .half(); saved as
<out>/{prior,decoder}/config.json + diffusion_pytorch_model.safetensors (f16). Inputs of one
denoising step at batch 2 (classifier-free guidance, as UnCLIPPipeline runs it) go to
<out>/inputs.safetensors (f32): prior.{hidden_states [2,768], proj_embedding [2,768],
encoder_hidden_states [2,77,768], attention_mask [2,77], timestep} and decoder.{sample [2,3,64,64],
encoder_hidden_states [2,81,1536] (77 text tokens + 4 clip extra context tokens, as text_proj makes),
class_labels [2,1280] (text_proj's additive time embedding), attention_mask [2,81], timestep}.
"""

import sys
from pathlib import Path

import torch
from diffusers import PriorTransformer, UNet2DConditionModel
from safetensors.torch import save_file

PRIOR_CONFIG = {}  # diffusers' conversion script: Karlo's prior uses PriorTransformer's defaults
DECODER_CONFIG = {
    "sample_size": 64,
    "layers_per_block": 3,
    "down_block_types": (
        "ResnetDownsampleBlock2D",
        "SimpleCrossAttnDownBlock2D",
        "SimpleCrossAttnDownBlock2D",
        "SimpleCrossAttnDownBlock2D",
    ),
    "up_block_types": (
        "SimpleCrossAttnUpBlock2D",
        "SimpleCrossAttnUpBlock2D",
        "SimpleCrossAttnUpBlock2D",
        "ResnetUpsampleBlock2D",
    ),
    "mid_block_type": "UNetMidBlock2DSimpleCrossAttn",
    "block_out_channels": (320, 640, 960, 1280),
    "in_channels": 3,
    "out_channels": 6,
    "cross_attention_dim": 1536,
    "class_embed_type": "identity",
    "attention_head_dim": 64,
    "resnet_time_scale_shift": "scale_shift",
}


def write(model, folder: Path) -> int:
    model = model.half().eval()
    model.save_pretrained(str(folder), safe_serialization=True)
    count = sum(p.numel() for p in model.parameters())
    print(f"{folder.name}: {count:,} parameters, f16")
    return count


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".bench/unclip-karlo")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    write(PriorTransformer(**PRIOR_CONFIG), out / "prior")
    torch.manual_seed(0)
    write(UNet2DConditionModel(**DECODER_CONFIG), out / "decoder")

    generator = torch.Generator().manual_seed(1)
    prior_mask = torch.zeros(2, 77)
    prior_mask[0, :2] = 1  # the unconditional half: "" (bos + eos), as the pipeline puts it first
    prior_mask[1, :12] = 1  # a 10-token prompt + bos + eos
    decoder_mask = torch.cat([torch.ones(2, 4), prior_mask], dim=1)  # extra context tokens come first
    inputs = {
        "prior.hidden_states": torch.randn(2, 768, generator=generator),
        "prior.proj_embedding": torch.randn(2, 768, generator=generator),
        "prior.encoder_hidden_states": torch.randn(2, 77, 768, generator=generator),
        "prior.attention_mask": prior_mask,
        "prior.timestep": torch.tensor([999], dtype=torch.int64),
        "decoder.sample": torch.randn(2, 3, 64, 64, generator=generator),
        "decoder.encoder_hidden_states": torch.randn(2, 81, 1536, generator=generator),
        "decoder.class_labels": torch.randn(2, 1280, generator=generator),
        "decoder.attention_mask": decoder_mask,
        "decoder.timestep": torch.tensor([999], dtype=torch.int64),
    }
    save_file({k: v.contiguous() for k, v in inputs.items()}, str(out / "inputs.safetensors"))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
