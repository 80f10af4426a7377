"""Loads an unCLIP folder in Karlo's layout with diffusers 0.42, whose from_pretrained can no longer
resolve the `unclip` library name that Karlo's model_index.json (and ours) gives text_proj."""
from pathlib import Path

import torch
from diffusers import PriorTransformer, UNet2DConditionModel, UNet2DModel
from diffusers.pipelines.deprecated.unclip import (UnCLIPImageVariationPipeline, UnCLIPPipeline,
                                                    UnCLIPTextProjModel)
from diffusers.schedulers import UnCLIPScheduler
from transformers import (CLIPImageProcessor, CLIPTextModelWithProjection, CLIPTokenizer,
                          CLIPVisionModelWithProjection)


def load_pipelines(folder: Path, dtype=torch.float32):
    folder = Path(folder)
    common = dict(
        decoder=UNet2DConditionModel.from_pretrained(folder / "decoder", torch_dtype=dtype),
        text_encoder=CLIPTextModelWithProjection.from_pretrained(folder / "text_encoder", torch_dtype=dtype),
        tokenizer=CLIPTokenizer.from_pretrained(folder / "tokenizer"),
        text_proj=UnCLIPTextProjModel.from_pretrained(folder / "text_proj", torch_dtype=dtype),
        super_res_first=UNet2DModel.from_pretrained(folder / "super_res_first", torch_dtype=dtype),
        super_res_last=UNet2DModel.from_pretrained(folder / "super_res_last", torch_dtype=dtype),
        decoder_scheduler=UnCLIPScheduler.from_pretrained(folder / "decoder_scheduler"),
        super_res_scheduler=UnCLIPScheduler.from_pretrained(folder / "super_res_scheduler"),
    )
    text_to_image = UnCLIPPipeline(
        prior=PriorTransformer.from_pretrained(folder / "prior", torch_dtype=dtype),
        prior_scheduler=UnCLIPScheduler.from_pretrained(folder / "prior_scheduler"), **common)
    variations = UnCLIPImageVariationPipeline(
        image_encoder=CLIPVisionModelWithProjection.from_pretrained(folder / "image_encoder", torch_dtype=dtype),
        feature_extractor=CLIPImageProcessor.from_pretrained(folder / "feature_extractor"), **common)
    return text_to_image, variations
