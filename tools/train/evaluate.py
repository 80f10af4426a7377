"""Evaluates an emoji unCLIP folder with the Python reference pipeline (same numbers as Easel's,
which matches it within 1e-3):
  python tools/train/evaluate.py [--model assets/models/emoji-unclip] [--prompts 100] [--steps 10]

Prints, separately for training captions and held-out wordings: CLIP R-precision top-1 / top-5 (the
model's own CLIP picks the prompt among 100 candidates, one per emoji), without and with CLIP
reranking (8 samples → 1); a Fréchet distance on CLIP image features (generated vs real emoji, and a
noise baseline); and the R-precision of image variations of real emoji. Chance is 1 % / 5 %.
First, as a ceiling, how well the model's CLIP retrieves the caption of each real emoji among all
(--clip-only stops there)."""
import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import linalg

import dataset
import family
from folder import load_pipelines

ROOT = Path(__file__).resolve().parent


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean.real))


class Judge:
    """The model's own CLIP towers, as the reranker and R-precision use them."""

    def __init__(self, text_to_image, variations):
        self.tokenizer, self.text = text_to_image.tokenizer, text_to_image.text_encoder
        self.vision, self.processor = variations.image_encoder, variations.feature_extractor

    @torch.no_grad()
    def texts(self, prompts):
        ids = self.tokenizer(prompts, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
        return torch.nn.functional.normalize(self.text(**ids).text_embeds, dim=-1)

    @torch.no_grad()
    def images(self, images):
        pixels = self.processor([Image.fromarray(i) for i in images], return_tensors="pt").pixel_values
        return torch.nn.functional.normalize(self.vision(pixel_values=pixels).image_embeds, dim=-1)


def to_uint8(images: np.ndarray) -> list:
    return [(np.clip(i, 0, 1) * 255).round().astype(np.uint8) for i in images]


def r_precision(judge, images, target_indices, candidate_prompts):
    scores = judge.images(images) @ judge.texts(candidate_prompts).T
    ranks = (scores > scores[torch.arange(len(images)), target_indices][:, None]).sum(1)
    return (ranks < 1).float().mean().item(), (ranks < 5).float().mean().item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT.parent.parent / "assets/models/emoji-unclip")
    parser.add_argument("--prompts", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rerank", type=int, default=8)
    parser.add_argument("--decoder-guidance", type=float, default=2.0,
                        help="the decoder's guidance scale (pipelines/text-to-image.yaml's decoder_guidance)")
    parser.add_argument("--clip-only", action="store_true", help="only the CLIP retrieval on real emoji")
    args = parser.parse_args()
    torch.manual_seed(0)
    text_to_image, variations = load_pipelines(args.model)
    for pipe in (text_to_image, variations):
        pipe.set_progress_bar_config(disable=True)
    judge = Judge(text_to_image, variations)
    items = dataset.load_items()
    chosen = np.random.default_rng(0).permutation(len(items))[:args.prompts]
    steps = dict(decoder_num_inference_steps=args.steps, super_res_num_inference_steps=max(2, args.steps // 2),
                 decoder_guidance_scale=args.decoder_guidance)
    real = to_uint8((dataset.resized(items, family.SUPER_RES_SIZE).transpose(0, 2, 3, 1) + 1) / 2)
    real_features = judge.images(real).numpy()
    for split, held_out in (("training", False), ("held-out", True)):
        captions = [dataset.captions(item, held_out=held_out)[0] for item in items]
        top1, top5 = r_precision(judge, real, torch.arange(len(items)), captions)
        print(f"the model's CLIP on the {len(items)} real emoji, {split} wordings: caption top-1 {top1:.1%} top-5 {top5:.1%}")
    if args.clip_only:
        return
    n = len(chosen)
    print(f"model {args.model}, {n} prompts, {args.steps} steps, decoder guidance {args.decoder_guidance}; chance: top-1 {1 / n:.1%}, top-5 {min(5, n) / n:.1%}")
    for split, held_out in (("training captions", False), ("held-out wordings", True)):
        prompts = [dataset.captions(items[i], held_out=held_out)[0] for i in chosen]
        candidates, targets = prompts, torch.arange(len(prompts))
        plain, reranked = [], []
        for index, prompt in enumerate(prompts):
            images = text_to_image([prompt] * args.rerank, prior_num_inference_steps=args.steps,
                                   generator=torch.Generator().manual_seed(index), output_type="np", **steps).images
            images = to_uint8(images)
            plain.append(images[0])
            scores = judge.images(images) @ judge.texts([prompt]).T
            reranked.append(images[int(scores.argmax())])
        top1, top5 = r_precision(judge, plain, targets, candidates)
        rtop1, rtop5 = r_precision(judge, reranked, targets, candidates)
        print(f"{split}: R-precision top-1 {top1:.1%} top-5 {top5:.1%}; "
              f"with reranking {args.rerank}→1: top-1 {rtop1:.1%} top-5 {rtop5:.1%}")
        if not held_out:
            generated_features = judge.images(plain).numpy()
            noise = to_uint8(np.random.default_rng(1).random((len(plain), *real[0].shape)))
            print(f"Fréchet CLIP distance to real emoji: generated {frechet(generated_features, real_features):.3f}, "
                  f"noise baseline {frechet(judge.images(noise).numpy(), real_features):.3f}")
    varied = []
    for index in chosen:
        image = Image.fromarray(real[index])
        varied += to_uint8(variations(image, generator=torch.Generator().manual_seed(int(index)),
                                      output_type="np", **steps).images)
    prompts = [dataset.captions(items[i])[0] for i in chosen]
    top1, top5 = r_precision(judge, varied, torch.arange(len(prompts)), prompts)
    print(f"image variations: R-precision of the source's caption top-1 {top1:.1%} top-5 {top5:.1%}")


if __name__ == "__main__":
    main()
