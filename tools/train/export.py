"""Assembles the trained components into a diffusers unCLIP folder with f16 safetensors:
  python tools/train/export.py [--work DIR] [--out assets/models/emoji-unclip]
The folder loads with diffusers' UnCLIPPipeline / UnCLIPImageVariationPipeline and with Easel."""
import argparse
import json
import shutil
from pathlib import Path

import torch
from diffusers.pipelines.deprecated.unclip import UnCLIPImageVariationPipeline, UnCLIPPipeline
from transformers import CLIPTokenizer

import family

ROOT = Path(__file__).resolve().parent


def load(work: Path, name: str) -> dict:
    return torch.load(work / f"{name}.pt", map_location="cpu")["modules"]


def build_pipelines(work: Path):
    clip = load(work, "clip")
    text, vision = family.text_encoder(), family.image_encoder()
    text.load_state_dict(clip["text"])
    vision.load_state_dict(clip["vision"])
    prior = family.prior()
    prior.load_state_dict(load(work, "prior")["prior"])
    decoder_state = load(work, "decoder")
    text_proj, decoder = family.text_proj(), family.decoder()
    text_proj.load_state_dict(decoder_state["text_proj"])
    decoder.load_state_dict(decoder_state["decoder"])
    super_res = family.super_res()
    super_res.load_state_dict(load(work, "super_res")["super_res"])
    # One super-resolution model serves both of unCLIP's slots (Karlo trains two; ours is small).
    super_res_last = family.super_res()
    super_res_last.load_state_dict(super_res.state_dict())
    tokenizer = CLIPTokenizer.from_pretrained(work / "tokenizer")
    common = dict(decoder=decoder, text_encoder=text, tokenizer=tokenizer, text_proj=text_proj,
                  super_res_first=super_res, super_res_last=super_res_last,
                  decoder_scheduler=family.decoder_scheduler(), super_res_scheduler=family.super_res_scheduler())
    text_to_image = UnCLIPPipeline(prior=prior, prior_scheduler=family.prior_scheduler(), **common)
    variations = UnCLIPImageVariationPipeline(image_encoder=vision, feature_extractor=family.feature_extractor(),
                                              **common)
    return text_to_image, variations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=ROOT / "work")
    parser.add_argument("--out", type=Path, default=ROOT.parent.parent / "assets/models/emoji-unclip")
    args = parser.parse_args()
    text_to_image, variations = build_pipelines(args.work)
    staging = args.out.with_name(args.out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    text_to_image.to(torch.float16).save_pretrained(staging, safe_serialization=True)
    # The variation pipeline's extra components live in the same folder, as in Karlo's layout.
    variations.image_encoder.to(torch.float16).save_pretrained(staging / "image_encoder", safe_serialization=True)
    variations.feature_extractor.save_pretrained(staging / "feature_extractor")
    index = json.loads((staging / "model_index.json").read_text())
    index["image_encoder"] = ["transformers", "CLIPVisionModelWithProjection"]
    index["feature_extractor"] = ["transformers", "CLIPImageProcessor"]
    index["text_proj"] = ["unclip", "UnCLIPTextProjModel"]  # as in Karlo's model_index.json
    (staging / "model_index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    shutil.copy(ROOT / "model-card.md", staging / "README.md")
    if args.out.exists():
        shutil.rmtree(args.out)
    staging.rename(args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
