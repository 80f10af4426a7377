"""Trains the Easel emoji unCLIP family on CPU (or CUDA when present), one component at a time.

  python tools/train/train.py clip|prior|decoder|super_res --minutes M [--work DIR]

Deterministic seeds, losses logged to WORK/<component>.log, resumable: each component saves
WORK/<component>.pt every few minutes and resumes from it. Without a checkpoint, `--init-from
FOLDER` starts from the weights of an exported folder (e.g. the committed
assets/models/emoji-unclip) instead of from scratch; the optimiser state then starts afresh.
Run order: clip, then prior and decoder (they use the frozen CLIP), super_res any time. `export.py`
assembles the diffusers folder.
"""
import argparse
import functools
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import CLIPTokenizer

import dataset
import family
from vocab import write_tokenizer_files

ROOT = Path(__file__).resolve().parent
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
INIT_FROM = None  # --init-from: an exported folder to start from when there is no checkpoint


@functools.lru_cache(maxsize=1)
def exported_pipelines(folder: Path):
    """An export.py folder's pipelines (as f32), loaded once however many components start from it."""
    from folder import load_pipelines
    return load_pipelines(folder)


def exported_modules(folder: Path, name: str) -> dict:
    """The modules that component `name` trains, from an export.py folder."""
    text_to_image, variations = exported_pipelines(folder)
    return {"clip": {"text": text_to_image.text_encoder, "vision": variations.image_encoder},
            "prior": {"prior": text_to_image.prior},
            "decoder": {"text_proj": text_to_image.text_proj, "decoder": text_to_image.decoder},
            "super_res": {"super_res": text_to_image.super_res_first}}[name]


class Run:
    """Checkpointing, logging and the wall-clock budget of one component's training."""

    def __init__(self, work: Path, name: str, minutes: float, modules: dict, lr: float):
        self.work, self.name, self.deadline = work, name, time.time() + minutes * 60
        self.modules = modules
        params = [p for m in modules.values() for p in m.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
        self.step, self.path = 0, work / f"{name}.pt"
        self.log = open(work / f"{name}.log", "a")
        self.last_save, self.losses = time.time(), []
        self.log_every = int(os.environ.get("EASEL_TRAIN_LOG_EVERY", "50"))
        if self.path.exists():
            state = torch.load(self.path, map_location=DEVICE)
            for key, module in modules.items():
                module.load_state_dict(state["modules"][key])
            self.optimizer.load_state_dict(state["optimizer"])
            self.step = state["step"]
            torch.set_rng_state(state["rng"])
            print(f"{name}: resumed at step {self.step}", flush=True)
        elif INIT_FROM is not None:
            for key, module in exported_modules(INIT_FROM, name).items():
                modules[key].load_state_dict(module.state_dict())
            print(f"{name}: starting from {INIT_FROM}", flush=True)

    def running(self) -> bool:
        return time.time() < self.deadline

    def update(self, loss: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in self.optimizer.param_groups for p in g["params"]], 1.0)
        self.optimizer.step()
        self.step += 1
        self.losses.append(loss.item())
        if self.step % self.log_every == 0:
            line = f"{time.strftime('%H:%M:%S')} step {self.step} loss {np.mean(self.losses):.5f}"
            print(f"{self.name}: {line}", flush=True)
            self.log.write(line + "\n")
            self.log.flush()
            self.losses = []
        if time.time() - self.last_save > 300:
            self.save()

    def save(self) -> None:
        state = {"modules": {k: m.state_dict() for k, m in self.modules.items()},
                 "optimizer": self.optimizer.state_dict(), "step": self.step, "rng": torch.get_rng_state()}
        torch.save(state, str(self.path) + ".tmp")
        os.replace(str(self.path) + ".tmp", self.path)
        self.last_save = time.time()


class Data:
    """The curated emoji with every caption, tokenised once."""

    def __init__(self, work: Path):
        write_tokenizer_files(work / "tokenizer")
        self.tokenizer = CLIPTokenizer.from_pretrained(work / "tokenizer")
        self.items = dataset.load_items()
        self.captions = [(index, c) for index, item in enumerate(self.items) for c in dataset.captions(item)]
        self.images = {size: torch.from_numpy(dataset.resized(self.items, size))
                       for size in (family.DECODER_SIZE, family.SUPER_RES_SIZE, family.CLIP_IMAGE_SIZE)}

    def tokens(self, texts: list):
        encoded = self.tokenizer(texts, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
        return encoded.input_ids.to(DEVICE), encoded.attention_mask.to(DEVICE)

    def batch(self, size: int, generator: torch.Generator):
        """Distinct emoji, one random caption each (no false negatives in a contrastive batch)."""
        chosen = torch.randperm(len(self.items), generator=generator)[:size].tolist()
        texts = []
        for index in chosen:
            options = dataset.captions(self.items[index])
            texts.append(options[torch.randint(len(options), (1,), generator=generator).item()])
        return chosen, texts


def augment(images: torch.Tensor, generator: torch.Generator, max_shift: int) -> torch.Tensor:
    """Small random translations and scalings on a white background ([N,3,H,W] in -1...1)."""
    n = images.shape[0]
    scale = 1 + (torch.rand(n, generator=generator) - 0.5) * 0.2
    shift = (torch.rand(n, 2, generator=generator) - 0.5) * 2 * max_shift / images.shape[-1] * 2
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    # Sampling 1 - image with zero padding keeps the background white.
    return 1 - F.grid_sample(1 - images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def clip_pixels(images: torch.Tensor) -> torch.Tensor:
    """-1...1 images to the CLIP image processor's normalisation."""
    mean = torch.tensor(family.CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(family.CLIP_STD).view(1, 3, 1, 1)
    return ((images + 1) / 2 - mean) / std


def train_clip(data: Data, work: Path, minutes: float):
    text, vision = family.text_encoder().to(DEVICE), family.image_encoder().to(DEVICE)
    logit_scale = torch.nn.Parameter(torch.tensor(math.log(10.0)))
    holder = torch.nn.Module()
    holder.logit_scale = logit_scale
    run = Run(work, "clip", minutes, {"text": text, "vision": vision, "scale": holder}, lr=5e-4)
    generator = torch.Generator().manual_seed(1000 + run.step)
    while run.running():
        chosen, texts = data.batch(64, generator)
        ids, mask = data.tokens(texts)
        pixels = clip_pixels(augment(data.images[family.CLIP_IMAGE_SIZE][chosen], generator, 4)).to(DEVICE)
        t = F.normalize(text(input_ids=ids, attention_mask=mask).text_embeds, dim=-1)
        v = F.normalize(vision(pixel_values=pixels).image_embeds, dim=-1)
        logits = holder.logit_scale.clamp(max=math.log(100)).exp() * t @ v.T
        labels = torch.arange(len(chosen), device=DEVICE)
        run.update((F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2)
    run.save()


def frozen_clip(work: Path):
    text, vision = family.text_encoder().to(DEVICE), family.image_encoder().to(DEVICE)
    if (work / "clip.pt").exists() or INIT_FROM is None:
        state = torch.load(work / "clip.pt", map_location=DEVICE)["modules"]
    else:
        state = {key: module.state_dict() for key, module in exported_modules(INIT_FROM, "clip").items()}
    text.load_state_dict(state["text"])
    vision.load_state_dict(state["vision"])
    return text.eval().requires_grad_(False), vision.eval().requires_grad_(False)


def embedding_stats(data: Data, vision) -> tuple:
    """Mean and std of the CLIP image embeddings over augmented dataset images (the prior's clip_mean/std)."""
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        embeds = torch.cat([vision(pixel_values=clip_pixels(augment(data.images[family.CLIP_IMAGE_SIZE], generator, 4))
                                   .to(DEVICE)).image_embeds for _ in range(8)])
    return embeds.mean(0), embeds.std(0)


def train_prior(data: Data, work: Path, minutes: float):
    text, vision = frozen_clip(work)
    prior = family.prior().to(DEVICE)
    prior.clip_mean.requires_grad_(False)
    prior.clip_std.requires_grad_(False)
    scheduler = family.prior_scheduler()
    run = Run(work, "prior", minutes, {"prior": prior}, lr=3e-4)
    # After resuming: the statistics always follow the current CLIP, even if it trained further.
    mean, std = embedding_stats(data, vision)
    prior.clip_mean.data.copy_(mean[None])
    prior.clip_std.data.copy_(std[None])
    generator = torch.Generator().manual_seed(2000 + run.step)
    while run.running():
        chosen, texts = data.batch(64, generator)
        texts = [("" if torch.rand(1, generator=generator).item() < 0.1 else t) for t in texts]
        ids, mask = data.tokens(texts)
        with torch.no_grad():
            encoded = text(input_ids=ids, attention_mask=mask)
            pixels = clip_pixels(augment(data.images[family.CLIP_IMAGE_SIZE][chosen], generator, 4)).to(DEVICE)
            target = (vision(pixel_values=pixels).image_embeds - mean) / std
        noise = torch.randn(target.shape, generator=generator).to(DEVICE)
        timesteps = torch.randint(0, 1000, (len(chosen),), generator=generator).to(DEVICE)
        noisy = scheduler.add_noise(target, noise, timesteps)
        predicted = prior(noisy, timestep=timesteps, proj_embedding=encoded.text_embeds,
                          encoder_hidden_states=encoded.last_hidden_state, attention_mask=mask.bool()
                          ).predicted_image_embedding
        run.update(F.mse_loss(predicted, target))
    run.save()


def weighted_clean_loss(scheduler, predicted_clean, clean, timesteps, low: float = 1.0, high: float = 5.0):
    """The x0 MSE per sample, weighted by the signal-to-noise ratio clamped to [low, high] (Min-SNR-5
    for the detailed low-noise steps, never below plain x0 MSE for the high-noise ones that decide
    shape and colour), averaged over the batch."""
    alphas = scheduler.alphas_cumprod.to(timesteps.device)[timesteps]
    squared_error = ((predicted_clean - clean) ** 2).mean(dim=(1, 2, 3))  # [N]
    return ((alphas / (1 - alphas)).clamp(low, high) * squared_error).mean()


def train_decoder(data: Data, work: Path, minutes: float):
    text, vision = frozen_clip(work)
    text_proj, decoder = family.text_proj().to(DEVICE), family.decoder().to(DEVICE)
    scheduler = family.decoder_scheduler()
    run = Run(work, "decoder", minutes, {"text_proj": text_proj, "decoder": decoder}, lr=2e-4)
    generator = torch.Generator().manual_seed(3000 + run.step)
    empty_ids, empty_mask = data.tokens([""])
    while run.running():
        chosen, texts = data.batch(32, generator)
        drop_text = torch.rand(len(chosen), generator=generator) < 0.5
        texts = ["" if drop else t for drop, t in zip(drop_text.tolist(), texts)]
        ids, mask = data.tokens(texts)
        with torch.no_grad():
            encoded = text(input_ids=ids, attention_mask=mask)
            clip_images = augment(data.images[family.CLIP_IMAGE_SIZE][chosen], generator, 4)
            image_embeds = vision(pixel_values=clip_pixels(clip_images).to(DEVICE)).image_embeds
        drop_image = (torch.rand(len(chosen), generator=generator) < 0.1).to(DEVICE)
        learned = text_proj.learned_classifier_free_guidance_embeddings[None].expand_as(image_embeds)
        image_embeds = torch.where(drop_image[:, None], learned, image_embeds)
        hidden, time_embeds = text_proj(image_embeddings=image_embeds, prompt_embeds=encoded.text_embeds,
                                        text_encoder_hidden_states=encoded.last_hidden_state,
                                        do_classifier_free_guidance=False)
        attention_mask = F.pad(mask.bool(), (text_proj.clip_extra_context_tokens, 0), value=True)
        clean = F.interpolate(clip_images, size=family.DECODER_SIZE, mode="bicubic", align_corners=False,
                              antialias=True).clamp(-1, 1).to(DEVICE)
        noise = torch.randn(clean.shape, generator=generator).to(DEVICE)
        timesteps = torch.randint(0, 1000, (len(chosen),), generator=generator).to(DEVICE)
        noisy = scheduler.add_noise(clean, noise, timesteps)
        output = decoder(noisy, timesteps, encoder_hidden_states=hidden, class_labels=time_embeds,
                         attention_mask=attention_mask).sample
        predicted_clean, predicted_variance = output.split(3, dim=1)
        # The variance channel is trained to -1, i.e. the posterior variance (a "fixed small"
        # sampler): learned by L_vlb, it grows with the mean's error and an undertrained decoder's
        # samples drown in noise.
        variance_loss = F.mse_loss(predicted_variance, -torch.ones_like(predicted_variance))
        loss = weighted_clean_loss(scheduler, predicted_clean, clean, timesteps) + variance_loss
        run.update(loss)
    run.save()


def train_super_res(data: Data, work: Path, minutes: float):
    model = family.super_res().to(DEVICE)
    scheduler = family.super_res_scheduler()
    run = Run(work, "super_res", minutes, {"super_res": model}, lr=2e-4)
    generator = torch.Generator().manual_seed(4000 + run.step)
    while run.running():
        chosen = torch.randint(len(data.items), (32,), generator=generator).tolist()
        high = augment(data.images[family.SUPER_RES_SIZE][chosen], generator, 4).clamp(-1, 1)
        low = F.interpolate(high, size=family.DECODER_SIZE, mode="bicubic", align_corners=False, antialias=True)
        low = low + 0.02 * torch.randn(low.shape, generator=generator)  # the decoder's samples are not perfect
        condition = F.interpolate(low, size=family.SUPER_RES_SIZE, mode="bicubic", align_corners=False, antialias=True)
        noise = torch.randn(high.shape, generator=generator)
        timesteps = torch.randint(0, 1000, (len(chosen),), generator=generator)
        noisy = scheduler.add_noise(high, noise, timesteps)
        predicted_clean = model(torch.cat([noisy, condition], dim=1).to(DEVICE), timesteps.to(DEVICE)).sample
        run.update(weighted_clean_loss(scheduler, predicted_clean, high.to(DEVICE), timesteps.to(DEVICE)))
    run.save()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("component", choices=["clip", "prior", "decoder", "super_res"])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--work", type=Path, default=ROOT / "work")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--init-from", type=Path, default=None)
    args = parser.parse_args()
    global INIT_FROM
    INIT_FROM = args.init_from
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    args.work.mkdir(parents=True, exist_ok=True)
    data = Data(args.work)
    {"clip": train_clip, "prior": train_prior, "decoder": train_decoder,
     "super_res": train_super_res}[args.component](data, args.work, args.minutes)


if __name__ == "__main__":
    main()
