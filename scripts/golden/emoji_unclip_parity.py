"""Golden images of the embedded default model (assets/models/emoji-unclip) from diffusers, for the
Swift parity test (issue: Easel's images equal the Python reference pipeline's within 1e-3).
Pinned: torch 2.13.0+cpu, diffusers 0.42.0, transformers 5.23.0.
  .venv/bin/python scripts/golden/emoji_unclip_parity.py
Writes Tests/UnCLIPStagesTests/Resources/golden/emoji_unclip_parity.safetensors with the float
images [1,64,64,3] of text-to-image ("red apple") and of variations (of that image, rounded to 8 bits:
`input_pixels`), the pipelines' steps (25/25/7) and guidance (prior 4, decoder 2, as
pipelines/text-to-image.yaml), seed 0, plus the model folder's SHA-256 of each file so the test can
tell a retrained model from a mismatch."""
import hashlib
import sys
from pathlib import Path

import torch
from PIL import Image
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools/train"))
from folder import load_pipelines  # noqa: E402

MODEL = ROOT / "assets/models/emoji-unclip"
DECODER_GUIDANCE = 2.0  # pipelines/text-to-image.yaml and image-variations.yaml
OUT = ROOT / "Tests/UnCLIPStagesTests/Resources/golden/emoji_unclip_parity.safetensors"


def main():
    text_to_image, variations = load_pipelines(MODEL)
    for pipe in (text_to_image, variations):
        pipe.set_progress_bar_config(disable=True)
    image = text_to_image("red apple", decoder_guidance_scale=DECODER_GUIDANCE, generator=torch.Generator().manual_seed(0),
                          output_type="np").images
    pixels = (image[0] * 255).round().astype("uint8")  # [64,64,3]
    source = Image.fromarray(pixels)
    varied = variations(source, decoder_guidance_scale=DECODER_GUIDANCE, generator=torch.Generator().manual_seed(0),
                        output_type="np").images
    digest = hashlib.sha256()
    for path in sorted(p for p in MODEL.rglob("*.safetensors")):
        digest.update(path.read_bytes())
    save_file({"text_to_image": torch.from_numpy(image).contiguous(), "variations": torch.from_numpy(varied).contiguous(),
               "input_pixels": torch.from_numpy(pixels).contiguous()},
              str(OUT), metadata={"prompt": "red apple", "seed": "0", "weights_sha256": digest.hexdigest(),
                                  "steps": "25/25/7", "guidance": f"4.0/{DECODER_GUIDANCE}"})
    print("wrote", OUT, image.shape, varied.shape)


if __name__ == "__main__":
    main()
