#!/usr/bin/env python3
"""Tiny unCLIP model folder and golden tensors for the UnCLIPStages tests.

Pinned reference: torch 2.13 (CPU), diffusers 0.42.0, transformers 5.23.0, open-clip-torch 3.3.0
(the tokenizer vocabulary only), safetensors, pillow. Run with the reference venv:

    /work/main/.venv/bin/python scripts/golden/unclip_tiny.py

Builds the very components of diffusers' own unCLIP fast tests
(tests/pipelines/unclip/test_unclip.py and test_unclip_image_variation.py), except that the tokenizer
is the REAL CLIP BPE (vocab.json + merges.txt derived from open_clip's bpe_simple_vocab_16e6.txt.gz)
and the text encoder therefore has vocab_size 49408, bos 49406, eos 49407 (pad = <|endoftext|> as
CLIP's tokenizer pads). `torch.manual_seed(0)` precedes each component (super_res_last: seed 1, as
the tests do). Parameters that diffusers initialises to zeros (prior positional_embedding,
prd_embedding, clip_mean, clip_std; text_proj learned_classifier_free_guidance_embeddings) are filled
with seeded noise so that a port ignoring them fails. Every float weight is rounded to fp16: the folder stores f16 safetensors and the
reference computes in fp32 with the rounded values, so both sides use the same weights.

Writes Tests/UnCLIPStagesTests/Resources/:
  tiny-unclip/                  diffusers layout (model_index.json for UnCLIPPipeline) plus
                                image_encoder/ and feature_extractor/ for the variation pipeline
  golden/unclip_clip.safetensors        tokenizer ids, text/vision encoder, image processor
  golden/unclip_components.safetensors  prior, schedulers, text_proj, decoder, super-res, bicubic
  golden/unclip_text_to_image.safetensors  end to end "horse", 2/2/2 steps, seed 0, intermediates
  golden/unclip_variations.safetensors     end to end variation of variation_input.png, seed 0
  golden/variation_input.png            the 32x32 input image of the variation run
"""

import copy
import functools
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "train"))
from vocab import write_vocab_and_merges  # noqa: E402

import diffusers
import transformers
from diffusers import PriorTransformer, UnCLIPScheduler, UNet2DConditionModel, UNet2DModel
from diffusers.pipelines.deprecated.unclip import UnCLIPImageVariationPipeline, UnCLIPPipeline
from diffusers.pipelines.deprecated.unclip.text_proj import UnCLIPTextProjModel
from transformers import (
    CLIPImageProcessor,
    CLIPTextConfig,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "Tests" / "UnCLIPStagesTests" / "Resources"
FOLDER = RESOURCES / "tiny-unclip"
GOLDEN = RESOURCES / "golden"

TEXT_HIDDEN = 32
TIME_INPUT_DIM = 32
TIME_EMBED_DIM = TIME_INPUT_DIM * 4
CROSS_ATTENTION_DIM = 100

torch.set_num_threads(1)


# ---------------------------------------------------------------------------------------------
# Tokenizer: the real CLIP BPE, derived from open_clip's merges file (tools/train/vocab.py).
def make_tokenizer():
    scratch = Path(tempfile.mkdtemp())
    write_vocab_and_merges(scratch)
    tokenizer = CLIPTokenizer(str(scratch / "vocab.json"), str(scratch / "merges.txt"), model_max_length=77)
    assert tokenizer.bos_token_id == 49406 and tokenizer.eos_token_id == 49407 and tokenizer.pad_token_id == 49407
    return tokenizer


# ---------------------------------------------------------------------------------------------
# Components, as diffusers' fast tests build them (text encoder with the real vocabulary).
def rounded(model):
    """Rounds every float parameter and buffer to fp16 and back: the weights both sides use."""
    return model.half().float().eval()


def make_text_encoder():
    torch.manual_seed(0)
    config = CLIPTextConfig(
        bos_token_id=49406,
        eos_token_id=49407,
        hidden_size=TEXT_HIDDEN,
        projection_dim=TEXT_HIDDEN,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=5,
        pad_token_id=1,
        vocab_size=49408,
    )
    return rounded(CLIPTextModelWithProjection(config))


def make_image_encoder():
    torch.manual_seed(0)
    config = CLIPVisionConfig(
        hidden_size=TEXT_HIDDEN,
        projection_dim=TEXT_HIDDEN,
        num_hidden_layers=5,
        num_attention_heads=4,
        image_size=32,
        intermediate_size=37,
        patch_size=1,
    )
    return rounded(CLIPVisionModelWithProjection(config))


def fill_zero_initialised(parameters, seed):
    """Fills parameters that diffusers initialises to zeros (or constants) with seeded noise, so that a
    port that ignored them would fail its golden test. A departure from the diffusers test config."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter, mean, scale in parameters:
            parameter.copy_(mean + scale * torch.randn(parameter.shape, generator=generator))


def make_prior():
    torch.manual_seed(0)
    prior = PriorTransformer(num_attention_heads=2, attention_head_dim=12, embedding_dim=TEXT_HIDDEN, num_layers=1)
    fill_zero_initialised([(prior.positional_embedding, 0.0, 0.5), (prior.prd_embedding, 0.0, 0.5),
                           (prior.clip_mean, 0.0, 0.1), (prior.clip_std, 1.0, 0.1)], seed=100)
    return rounded(prior)


def make_text_proj():
    torch.manual_seed(0)
    text_proj = UnCLIPTextProjModel(clip_embeddings_dim=TEXT_HIDDEN, time_embed_dim=TIME_EMBED_DIM,
                                    cross_attention_dim=CROSS_ATTENTION_DIM)
    fill_zero_initialised([(text_proj.learned_classifier_free_guidance_embeddings, 0.0, 1.0)], seed=101)
    return rounded(text_proj)


def make_decoder():
    torch.manual_seed(0)
    return rounded(UNet2DConditionModel(
        sample_size=32,
        in_channels=3,
        out_channels=6,
        down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D"),
        up_block_types=("SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"),
        mid_block_type="UNetMidBlock2DSimpleCrossAttn",
        block_out_channels=(TIME_INPUT_DIM, TIME_INPUT_DIM * 2),
        layers_per_block=1,
        cross_attention_dim=CROSS_ATTENTION_DIM,
        attention_head_dim=4,
        resnet_time_scale_shift="scale_shift",
        class_embed_type="identity",
    ))


def make_super_res(seed):
    torch.manual_seed(seed)
    return rounded(UNet2DModel(
        sample_size=64,
        layers_per_block=1,
        down_block_types=("ResnetDownsampleBlock2D", "ResnetDownsampleBlock2D"),
        up_block_types=("ResnetUpsampleBlock2D", "ResnetUpsampleBlock2D"),
        block_out_channels=(TIME_INPUT_DIM, TIME_INPUT_DIM * 2),
        in_channels=6,
        out_channels=3,
    ))


def make_schedulers():
    prior = UnCLIPScheduler(variance_type="fixed_small_log", prediction_type="sample", num_train_timesteps=1000,
                            clip_sample_range=5.0)
    decoder = UnCLIPScheduler(variance_type="learned_range", prediction_type="epsilon", num_train_timesteps=1000)
    super_res = UnCLIPScheduler(variance_type="fixed_small_log", prediction_type="epsilon", num_train_timesteps=1000)
    return prior, decoder, super_res


def variation_input_image():
    """The PIL input of the variation test (floats_tensor with random.Random(0), then to 8-bit)."""
    rng = random.Random(0)
    values = torch.tensor([rng.random() for _ in range(3 * 32 * 32)], dtype=torch.float).view(1, 3, 32, 32)
    image = (values * 0.5 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).numpy()
    return UnCLIPPipeline.numpy_to_pil(image)[0]


# ---------------------------------------------------------------------------------------------
def f32(t):
    return t.detach().to(torch.float32).contiguous().clone()


def i32(t):
    return t.detach().to(torch.int32).contiguous().clone()


def save(tensors, name, **metadata):
    meta = {
        "torch": torch.__version__,
        "diffusers": diffusers.__version__,
        "transformers": transformers.__version__,
        "tokenizer": "real CLIP BPE (open_clip bpe_simple_vocab_16e6.txt.gz), vocab 49408",
        "weights": "fp16-rounded, computed in fp32; zero-initialised prior/text_proj parameters seeded",
    }
    meta.update({k: str(v) for k, v in metadata.items()})
    path = GOLDEN / name
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(path), metadata=meta)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes, {len(tensors)} tensors)")


@torch.no_grad()
def clip_goldens(tokenizer, text_encoder, image_encoder, feature_extractor, input_image):
    out = {}
    for name, prompt in [("horse", "horse"), ("empty", ""),
                         ("sentence", "A Photo of an astronaut riding a horse, on Mars!  3 dogs' toys")]:
        enc = tokenizer(prompt, padding="max_length", max_length=77, truncation=True, return_tensors="pt")
        out[f"tokenizer.{name}.input_ids"] = i32(enc.input_ids)
        out[f"tokenizer.{name}.attention_mask"] = i32(enc.attention_mask)
    ids = torch.cat([out["tokenizer.horse.input_ids"], out["tokenizer.empty.input_ids"]]).long()
    text = text_encoder(ids)
    out["text_encoder.input_ids"] = i32(ids)
    out["text_encoder.last_hidden_state"] = f32(text.last_hidden_state)  # [2,77,32]
    out["text_encoder.text_embeds"] = f32(text.text_embeds)  # [2,32]

    torch.manual_seed(42)
    pixel_values = torch.randn(1, 3, 32, 32)
    vision = image_encoder(pixel_values)
    out["vision_encoder.pixel_values"] = f32(pixel_values)
    out["vision_encoder.image_embeds"] = f32(vision.image_embeds)  # [1,32]
    out["vision_encoder.last_hidden_state"] = f32(vision.last_hidden_state)  # [1,1025,32]

    pixels = np.asarray(input_image.convert("RGB"))
    out["image_processor.square.pixels"] = torch.from_numpy(pixels.copy())  # [32,32,3] u8
    out["image_processor.square.pixel_values"] = f32(feature_extractor(images=input_image, return_tensors="pt").pixel_values)
    rng = np.random.default_rng(7)
    odd = rng.integers(0, 256, size=(40, 48, 3), dtype=np.uint8)
    out["image_processor.odd.pixels"] = torch.from_numpy(odd)  # [40,48,3] u8 (H, W, RGB)
    out["image_processor.odd.pixel_values"] = f32(feature_extractor(images=Image.fromarray(odd), return_tensors="pt").pixel_values)
    save(out, "unclip_clip.safetensors")


@torch.no_grad()
def scheduler_goldens(out, prefix, scheduler, sample_shape, model_channels):
    out[f"{prefix}.alphas_cumprod"] = f32(scheduler.alphas_cumprod)
    for steps in (2, 7, 25):
        scheduler.set_timesteps(steps)
        out[f"{prefix}.timesteps.{steps}"] = i32(scheduler.timesteps)
    scheduler.set_timesteps(2)
    timesteps = scheduler.timesteps
    torch.manual_seed(11)
    sample = torch.randn(sample_shape)
    model_output = torch.randn((sample_shape[0], model_channels) + tuple(sample_shape[2:]))
    out[f"{prefix}.sample"] = f32(sample)
    out[f"{prefix}.model_output"] = f32(model_output)
    for i, t in enumerate(timesteps):
        prev = None if i + 1 == len(timesteps) else timesteps[i + 1]
        generator = torch.Generator().manual_seed(1234)
        noise = torch.randn(model_output.shape, generator=torch.Generator().manual_seed(1234))
        result = scheduler.step(model_output, t, sample, prev_timestep=prev, generator=generator).prev_sample
        out[f"{prefix}.step{i}.noise_seed1234"] = f32(noise)
        out[f"{prefix}.step{i}.prev_sample"] = f32(result)


@torch.no_grad()
def component_goldens(prior, text_proj, decoder, super_res_first, schedulers):
    out = {}
    torch.manual_seed(3)
    hidden_states = torch.randn(2, TEXT_HIDDEN)
    proj_embedding = torch.randn(2, TEXT_HIDDEN)
    encoder_hidden_states = torch.randn(2, 77, TEXT_HIDDEN)
    attention_mask = torch.zeros(2, 77, dtype=torch.bool)
    attention_mask[0, :3] = True
    attention_mask[1, :9] = True
    prior_out = prior(hidden_states, timestep=torch.tensor(17), proj_embedding=proj_embedding,
                      encoder_hidden_states=encoder_hidden_states, attention_mask=attention_mask)
    out["prior.hidden_states"] = f32(hidden_states)
    out["prior.timestep"] = torch.tensor([17], dtype=torch.int32)
    out["prior.proj_embedding"] = f32(proj_embedding)
    out["prior.encoder_hidden_states"] = f32(encoder_hidden_states)
    out["prior.attention_mask"] = i32(attention_mask)
    out["prior.predicted_image_embedding"] = f32(prior_out.predicted_image_embedding)  # [2,32]
    out["prior.post_processed"] = f32(prior.post_process_latents(prior_out.predicted_image_embedding))

    prior_scheduler, decoder_scheduler, super_res_scheduler = schedulers
    scheduler_goldens(out, "scheduler.prior", prior_scheduler, (2, TEXT_HIDDEN), TEXT_HIDDEN)
    scheduler_goldens(out, "scheduler.decoder", decoder_scheduler, (1, 3, 8, 8), 6)
    scheduler_goldens(out, "scheduler.super_res", super_res_scheduler, (1, 3, 8, 8), 3)

    torch.manual_seed(5)
    image_embeddings = torch.randn(1, TEXT_HIDDEN)
    prompt_embeds = torch.randn(2, TEXT_HIDDEN)
    text_hidden = torch.randn(2, 77, TEXT_HIDDEN)
    hidden, additive = text_proj(image_embeddings=image_embeddings, prompt_embeds=prompt_embeds,
                                 text_encoder_hidden_states=text_hidden, do_classifier_free_guidance=True)
    out["text_proj.image_embeddings"] = f32(image_embeddings)
    out["text_proj.prompt_embeds"] = f32(prompt_embeds)
    out["text_proj.text_encoder_hidden_states"] = f32(text_hidden)
    out["text_proj.encoder_hidden_states"] = f32(hidden)  # [2,81,100]
    out["text_proj.additive_clip_time_embeddings"] = f32(additive)  # [2,128]

    torch.manual_seed(6)
    sample = torch.randn(2, 3, 32, 32)
    encoder_states = torch.randn(2, 81, CROSS_ATTENTION_DIM)
    class_labels = torch.randn(2, TIME_EMBED_DIM)
    mask = torch.ones(2, 81, dtype=torch.bool)
    mask[0, 10:] = False
    mask[1, 20:] = False
    decoded = decoder(sample=sample, timestep=torch.tensor(500), encoder_hidden_states=encoder_states,
                      class_labels=class_labels, attention_mask=mask).sample
    out["decoder.sample"] = f32(sample)
    out["decoder.timestep"] = torch.tensor([500], dtype=torch.int32)
    out["decoder.encoder_hidden_states"] = f32(encoder_states)
    out["decoder.class_labels"] = f32(class_labels)
    out["decoder.attention_mask"] = i32(mask)
    out["decoder.output"] = f32(decoded)  # [2,6,32,32]

    torch.manual_seed(8)
    sr_sample = torch.randn(1, 6, 64, 64)
    sr = super_res_first(sample=sr_sample, timestep=torch.tensor(333)).sample
    out["super_res.sample"] = f32(sr_sample)
    out["super_res.timestep"] = torch.tensor([333], dtype=torch.int32)
    out["super_res.output"] = f32(sr)  # [1,3,64,64]

    torch.manual_seed(9)
    small = torch.rand(1, 3, 32, 32) * 2 - 1
    out["bicubic.input"] = f32(small)
    out["bicubic.output"] = f32(F.interpolate(small, size=[64, 64], mode="bicubic", align_corners=False, antialias=True))
    save(out, "unclip_components.safetensors")


class Recorder:
    """Records the inputs and outputs of the models and schedulers during one pipeline call."""

    def __init__(self, pipe, names):
        self.values = {}
        self.counts = {}
        self.handles = []
        for name in names:
            module = getattr(pipe, name, None)
            if isinstance(module, torch.nn.Module):
                self.handles.append(module.register_forward_hook(self.hook(name), with_kwargs=True))
        self.originals = {}
        for name in ("prior_scheduler", "decoder_scheduler", "super_res_scheduler"):
            scheduler = getattr(pipe, name, None)
            if scheduler is not None:
                self.originals[name] = scheduler.step
                scheduler.step = self.wrap_step(name, scheduler.step)
        self.pipe = pipe
        # The variance noise each scheduler step draws from the generator.
        import diffusers.schedulers.scheduling_unclip as scheduling

        original_randn = scheduling.randn_tensor

        def recorded_randn(*args, **kwargs):
            result = original_randn(*args, **kwargs)
            self.put("scheduler_noise", result)
            return result

        scheduling.randn_tensor = recorded_randn
        # The bicubic up-scaling of the decoder's image (the UNets' own nearest upsampling is not kept).
        original_interpolate = F.interpolate

        # wraps keeps the signature: the pipeline passes antialias=True only if the signature has it.
        @functools.wraps(original_interpolate)
        def recorded_interpolate(*args, **kwargs):
            result = original_interpolate(*args, **kwargs)
            if kwargs.get("mode") == "bicubic":
                self.put("super_res.upscaled", result)
            return result

        F.interpolate = recorded_interpolate

        def restore():
            scheduling.randn_tensor = original_randn
            F.interpolate = original_interpolate

        self.restore = restore
        original_prepare = pipe.prepare_latents

        def prepare(shape, dtype, device, generator, latents, scheduler):
            result = original_prepare(shape, dtype, device, generator, latents, scheduler)
            self.put("prepare_latents", result)
            return result

        pipe.prepare_latents = prepare

    # Copies of tensors recorded elsewhere (the pipeline concatenates or passes them on unchanged).
    SKIP = {"super_res_first.in.sample", "super_res_last.in.sample", "super_res_scheduler.model_output",
            "decoder.in.encoder_hidden_states", "decoder.in.class_labels", "decoder.in.sample",
            "image_encoder.out.last_hidden_state"}

    def put(self, name, tensor):
        if name in self.SKIP:
            return
        index = self.counts.get(name, 0)
        self.counts[name] = index + 1
        self.values[f"{name}.{index}"] = f32(tensor)

    def hook(self, name):
        def record(module, args, kwargs, output):
            for key, value in kwargs.items():
                if isinstance(value, torch.Tensor) and value.dtype != torch.bool:
                    self.put(f"{name}.in.{key}", value)
                elif isinstance(value, torch.Tensor):
                    self.put(f"{name}.in.{key}", value.to(torch.float32))
            for position, value in enumerate(args):
                if isinstance(value, torch.Tensor):
                    self.put(f"{name}.in.arg{position}", value)
            if isinstance(output, tuple):
                for position, value in enumerate(output):
                    if isinstance(value, torch.Tensor):
                        self.put(f"{name}.out.{position}", value)
            elif hasattr(output, "keys"):
                for key in output.keys():
                    if isinstance(output[key], torch.Tensor):
                        self.put(f"{name}.out.{key}", output[key])
        return record

    def wrap_step(self, name, step):
        def recorded(model_output, timestep, sample, *args, **kwargs):
            self.put(f"{name}.model_output", model_output)
            self.put(f"{name}.timestep", torch.tensor([int(timestep)], dtype=torch.float32))
            result = step(model_output, timestep, sample, *args, **kwargs)
            self.put(f"{name}.prev_sample", result.prev_sample)
            return result
        return recorded


@torch.no_grad()
def end_to_end(components, image_encoder, feature_extractor, input_image):
    pipe = UnCLIPPipeline(**components)
    pipe.set_progress_bar_config(disable=True)
    names = ["text_encoder", "prior", "text_proj", "decoder", "super_res_first", "super_res_last"]
    recorder = Recorder(pipe, names)
    image = pipe(prompt="horse", prior_num_inference_steps=2, decoder_num_inference_steps=2,
                 super_res_num_inference_steps=2, generator=torch.Generator().manual_seed(0), output_type="np").images
    recorder.restore()
    values = dict(recorder.values)
    values["image"] = torch.from_numpy(image).float()  # [1,64,64,3]
    save(values, "unclip_text_to_image.safetensors", prompt="horse", steps="2/2/2", seed=0,
         guidance="prior 4.0, decoder 8.0")
    again = pipe(prompt="horse", prior_num_inference_steps=2, decoder_num_inference_steps=2,
                 super_res_num_inference_steps=2, generator=torch.Generator().manual_seed(0), output_type="np").images
    assert np.array_equal(image, again), "reference is not deterministic"

    variation_components = {k: v for k, v in components.items() if k not in ("prior", "prior_scheduler")}
    variation = UnCLIPImageVariationPipeline(**variation_components, image_encoder=image_encoder,
                                             feature_extractor=feature_extractor)
    variation.set_progress_bar_config(disable=True)
    recorder = Recorder(variation, names + ["image_encoder"])
    image = variation(image=input_image, decoder_num_inference_steps=2, super_res_num_inference_steps=2,
                      generator=torch.Generator().manual_seed(0), output_type="np").images
    recorder.restore()
    values = dict(recorder.values)
    values["input_pixels"] = torch.from_numpy(np.asarray(input_image.convert("RGB")).copy())
    values["image"] = torch.from_numpy(image).float()  # [1,64,64,3]
    save(values, "unclip_variations.safetensors", input="variation_input.png", steps="2/2", seed=0,
         guidance="decoder 8.0")
    return pipe


def save_folder(pipe, image_encoder, feature_extractor):
    if FOLDER.exists():
        shutil.rmtree(FOLDER)
    pipe = copy.deepcopy(pipe)
    pipe.to(torch.float16)
    pipe.save_pretrained(str(FOLDER), safe_serialization=True)
    copy.deepcopy(image_encoder).half().save_pretrained(str(FOLDER / "image_encoder"))
    feature_extractor.save_pretrained(str(FOLDER / "feature_extractor"))
    # Karlo ships vocab.json + merges.txt (no tokenizer.json, which would add 3.5 MB here).
    (FOLDER / "tokenizer" / "tokenizer.json").unlink(missing_ok=True)
    write_clip_vocabulary(FOLDER / "tokenizer")
    total = sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file())
    print(f"wrote {FOLDER.relative_to(ROOT)} ({total} bytes)")
    for p in sorted(FOLDER.rglob("*")):
        if p.is_file():
            print(f"  {p.relative_to(FOLDER)} {p.stat().st_size}")


def main():
    GOLDEN.mkdir(parents=True, exist_ok=True)
    tokenizer = make_tokenizer()
    text_encoder = make_text_encoder()
    image_encoder = make_image_encoder()
    prior = make_prior()
    text_proj = make_text_proj()
    decoder = make_decoder()
    super_res_first = make_super_res(0)
    super_res_last = make_super_res(1)
    feature_extractor = CLIPImageProcessor(crop_size=32, size=32)
    input_image = variation_input_image()
    input_image.save(GOLDEN / "variation_input.png")

    clip_goldens(tokenizer, text_encoder, image_encoder, feature_extractor, input_image)
    component_goldens(prior, text_proj, decoder, super_res_first, make_schedulers())

    prior_scheduler, decoder_scheduler, super_res_scheduler = make_schedulers()
    components = {
        "prior": prior, "decoder": decoder, "text_proj": text_proj, "text_encoder": text_encoder,
        "tokenizer": tokenizer, "super_res_first": super_res_first, "super_res_last": super_res_last,
        "prior_scheduler": prior_scheduler, "decoder_scheduler": decoder_scheduler,
        "super_res_scheduler": super_res_scheduler,
    }
    pipe = end_to_end(components, image_encoder, feature_extractor, input_image)
    save_folder(pipe, image_encoder, feature_extractor)

    # The saved folder must load in diffusers and give the very same image (f16 -> f32 is exact).
    # model_index.json names text_proj's library "diffusers", which no longer exports the deprecated
    # class, so the components load one by one.
    f = str(FOLDER)
    loaded = UnCLIPPipeline(
        prior=PriorTransformer.from_pretrained(f, subfolder="prior"),
        decoder=UNet2DConditionModel.from_pretrained(f, subfolder="decoder"),
        text_proj=UnCLIPTextProjModel.from_pretrained(f, subfolder="text_proj"),
        text_encoder=CLIPTextModelWithProjection.from_pretrained(f, subfolder="text_encoder"),
        tokenizer=CLIPTokenizer.from_pretrained(f, subfolder="tokenizer"),
        super_res_first=UNet2DModel.from_pretrained(f, subfolder="super_res_first"),
        super_res_last=UNet2DModel.from_pretrained(f, subfolder="super_res_last"),
        prior_scheduler=UnCLIPScheduler.from_pretrained(f, subfolder="prior_scheduler"),
        decoder_scheduler=UnCLIPScheduler.from_pretrained(f, subfolder="decoder_scheduler"),
        super_res_scheduler=UnCLIPScheduler.from_pretrained(f, subfolder="super_res_scheduler"),
    ).to(torch.float32)
    loaded.set_progress_bar_config(disable=True)
    image = loaded(prompt="horse", prior_num_inference_steps=2, decoder_num_inference_steps=2,
                   super_res_num_inference_steps=2, generator=torch.Generator().manual_seed(0), output_type="np").images
    reference = pipe(prompt="horse", prior_num_inference_steps=2, decoder_num_inference_steps=2,
                     super_res_num_inference_steps=2, generator=torch.Generator().manual_seed(0), output_type="np").images
    print("reload max abs diff:", float(np.abs(image - reference).max()))


if __name__ == "__main__":
    sys.exit(main())
