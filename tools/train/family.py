"""The Easel emoji unCLIP family: component configs in diffusers' unCLIP layout (the same classes
Karlo uses, smaller), so Easel's stages run it exactly as they run kakaobrain/karlo-v1-alpha."""
from diffusers import PriorTransformer, UNet2DConditionModel, UNet2DModel
from diffusers.pipelines.deprecated.unclip import UnCLIPTextProjModel
from diffusers.schedulers import UnCLIPScheduler
from transformers import (CLIPImageProcessor, CLIPTextConfig, CLIPTextModelWithProjection,
                          CLIPVisionConfig, CLIPVisionModelWithProjection)

EMBED = 128           # CLIP projection = text hidden = prior embedding (UnCLIPTextProjModel needs it)
DECODER_SIZE = 32
SUPER_RES_SIZE = 64
CLIP_IMAGE_SIZE = 64
CROSS_ATTENTION = 128
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def text_encoder():
    return CLIPTextModelWithProjection(CLIPTextConfig(
        vocab_size=49408, hidden_size=EMBED, intermediate_size=4 * EMBED, num_hidden_layers=4,
        num_attention_heads=4, max_position_embeddings=77, projection_dim=EMBED, hidden_act="quick_gelu",
        bos_token_id=49406, eos_token_id=49407, pad_token_id=49407))


def image_encoder():
    return CLIPVisionModelWithProjection(CLIPVisionConfig(
        image_size=CLIP_IMAGE_SIZE, patch_size=8, hidden_size=EMBED, intermediate_size=4 * EMBED,
        num_hidden_layers=4, num_attention_heads=4, projection_dim=EMBED, hidden_act="quick_gelu"))


def feature_extractor():
    return CLIPImageProcessor(size={"shortest_edge": CLIP_IMAGE_SIZE},
                              crop_size={"height": CLIP_IMAGE_SIZE, "width": CLIP_IMAGE_SIZE},
                              image_mean=list(CLIP_MEAN), image_std=list(CLIP_STD), resample=3)


def prior():
    return PriorTransformer(num_attention_heads=4, attention_head_dim=32, num_layers=6,
                            embedding_dim=EMBED, num_embeddings=77, additional_embeddings=4)


def text_proj():
    return UnCLIPTextProjModel(clip_extra_context_tokens=4, clip_embeddings_dim=EMBED,
                               time_embed_dim=4 * 32, cross_attention_dim=CROSS_ATTENTION)


def decoder():
    return UNet2DConditionModel(
        sample_size=DECODER_SIZE, in_channels=3, out_channels=6, layers_per_block=1,
        block_out_channels=(32, 64, 128),
        down_block_types=("ResnetDownsampleBlock2D", "SimpleCrossAttnDownBlock2D", "SimpleCrossAttnDownBlock2D"),
        up_block_types=("SimpleCrossAttnUpBlock2D", "SimpleCrossAttnUpBlock2D", "ResnetUpsampleBlock2D"),
        mid_block_type="UNetMidBlock2DSimpleCrossAttn", cross_attention_dim=CROSS_ATTENTION,
        attention_head_dim=32, resnet_time_scale_shift="scale_shift", class_embed_type="identity",
        norm_num_groups=32)


def super_res():
    return UNet2DModel(
        sample_size=SUPER_RES_SIZE, in_channels=6, out_channels=3, layers_per_block=1,
        block_out_channels=(32, 64, 128),
        down_block_types=("ResnetDownsampleBlock2D", "ResnetDownsampleBlock2D", "ResnetDownsampleBlock2D"),
        up_block_types=("ResnetUpsampleBlock2D", "ResnetUpsampleBlock2D", "ResnetUpsampleBlock2D"),
        resnet_time_scale_shift="scale_shift", norm_num_groups=16)


def prior_scheduler():
    return UnCLIPScheduler(variance_type="fixed_small_log", prediction_type="sample",
                           num_train_timesteps=1000, clip_sample=True, clip_sample_range=5.0)


def decoder_scheduler():
    # x0 ("sample") prediction: with epsilon prediction a small decoder's x0 estimate at the first
    # sampling steps (alpha_bar 2e-9 at t = 999) is noise amplified ~1e4 times, clamped to +-1, and
    # it survives as colour casts and speckled backgrounds.
    return UnCLIPScheduler(variance_type="learned_range", prediction_type="sample",
                           num_train_timesteps=1000)


def super_res_scheduler():
    # x0 prediction, as the decoder's (the same colour casts otherwise).
    return UnCLIPScheduler(variance_type="fixed_small_log", prediction_type="sample",
                           num_train_timesteps=1000)
