#!/usr/bin/env python3
"""Extra CLIP goldens beyond scripts/golden/unclip_tiny.py: Pillow resampling and the reranker.

Pinned: torch 2.13 (CPU), transformers==5.23.0, pillow==13.0.0, safetensors. Needs the tiny-unclip
folder that unclip_tiny.py writes. Run from the repository root:
    .venv/bin/python scripts/golden/clip_models.py

Writes Tests/UnCLIPStagesTests/Resources/golden/clip_extra.safetensors:
- resample.input                      U8 [17,23,3]
- resample.<filter>.<H>x<W>           U8 [H,W,3]  PIL Image.resize((W, H), filter) of the input
- processor.grey.pixels / .pixel_values, processor.rgba.pixels / .pixel_values, processor.small.*
                                      CLIPImageProcessor (PIL backend, tiny-unclip's feature_extractor)
                                      on an L image, an RGBA image and one smaller than the crop
- rerank.images                       U8 [4,40,48,3]  (image 3 repeats image 1: a tie)
- rerank.image_embeds F32 [4,32], rerank.text_embeds F32 [1,32], rerank.scores F32 [4]
                                      cosine(image_embeds, text_embeds) for the prompt "horse"
"""
import os

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import CLIPImageProcessor, CLIPTextModelWithProjection, CLIPTokenizer, CLIPVisionModelWithProjection

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RES = os.path.join(ROOT, "Tests", "UnCLIPStagesTests", "Resources")
TINY = os.path.join(RES, "tiny-unclip")
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS, "box": Image.BOX,
           "hamming": Image.HAMMING}


def u8(array):
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.uint8))


@torch.no_grad()
def main():
    rng = np.random.default_rng(11)
    out = {}
    source = rng.integers(0, 256, size=(17, 23, 3), dtype=np.uint8)
    out["resample.input"] = u8(source)
    for name, code in FILTERS.items():
        for h, w in [(40, 31), (9, 11), (17, 50), (5, 23), (3, 2)]:
            out[f"resample.{name}.{h}x{w}"] = u8(np.asarray(Image.fromarray(source).resize((w, h), resample=code)))

    processor = CLIPImageProcessor.from_pretrained(os.path.join(TINY, "feature_extractor"))
    grey = rng.integers(0, 256, size=(45, 37), dtype=np.uint8)
    out["processor.grey.pixels"] = u8(grey[..., None])
    out["processor.grey.pixel_values"] = processor(images=Image.fromarray(grey, mode="L"), return_tensors="pt").pixel_values
    rgba = rng.integers(0, 256, size=(33, 70, 4), dtype=np.uint8)
    out["processor.rgba.pixels"] = u8(rgba)
    out["processor.rgba.pixel_values"] = processor(images=Image.fromarray(rgba, mode="RGBA"), return_tensors="pt").pixel_values
    small = rng.integers(0, 256, size=(12, 20, 3), dtype=np.uint8)
    out["processor.small.pixels"] = u8(small)
    crop_only = CLIPImageProcessor.from_pretrained(os.path.join(TINY, "feature_extractor"), do_resize=False)
    out["processor.small.pixel_values"] = crop_only(images=Image.fromarray(small), return_tensors="pt").pixel_values

    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(TINY, "tokenizer"))
    text_encoder = CLIPTextModelWithProjection.from_pretrained(os.path.join(TINY, "text_encoder")).float().eval()
    image_encoder = CLIPVisionModelWithProjection.from_pretrained(os.path.join(TINY, "image_encoder")).float().eval()
    images = rng.integers(0, 256, size=(4, 40, 48, 3), dtype=np.uint8)
    images[3] = images[1]
    pixel_values = processor(images=[Image.fromarray(i) for i in images], return_tensors="pt").pixel_values
    image_embeds = image_encoder(pixel_values).image_embeds
    ids = tokenizer(["horse"], padding="max_length", max_length=77, truncation=True, return_tensors="pt").input_ids
    text_embeds = text_encoder(ids).text_embeds
    scores = torch.nn.functional.normalize(image_embeds, dim=-1) @ torch.nn.functional.normalize(text_embeds, dim=-1).T
    out["rerank.images"] = u8(images)
    out["rerank.image_embeds"] = image_embeds.float().contiguous()
    out["rerank.text_embeds"] = text_embeds.float().contiguous()
    out["rerank.scores"] = scores[:, 0].float().contiguous()
    path = os.path.join(RES, "golden", "clip_extra.safetensors")
    save_file({k: v.contiguous() for k, v in out.items()}, path,
              metadata={"torch": torch.__version__, "pillow": Image.__version__, "prompt": "horse"})
    os.chmod(path, 0o644)
    print(f"wrote {path} ({os.path.getsize(path)} bytes); scores {out['rerank.scores'].tolist()}")


if __name__ == "__main__":
    main()
