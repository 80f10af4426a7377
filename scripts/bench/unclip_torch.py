#!/usr/bin/env python3
"""Reference side of scripts/bench/unclip.sh: one denoising step of the unCLIP prior or decoder UNet with
diffusers on PyTorch CPU, from the folder scripts/bench/unclip_fixture.py writes.

Pinned reference: torch 2.13 (CPU), diffusers 0.42.0, safetensors.

    .venv/bin/python scripts/bench/unclip_torch.py FOLDER prior|decoder THREADS [REPEATS [PROMPT_TOKENS]]

The f16 weights are loaded with torch_dtype=torch.float32 (upcast: PyTorch's CPU kernels for these
layers run in f32, as a CPU user of diffusers would run Karlo), and the forward computes in f32 under
torch.inference_mode(). One warm-up forward, then the best of REPEATS. Run one measurement per fresh
process: the peak RSS (resource.getrusage ru_maxrss) covers loading and the forwards of this process.
Prints one "RESULT" line in the format of `easel-bench unclip`.
"""

import resource
import sys
import time
from pathlib import Path

import torch
from diffusers import PriorTransformer, UNet2DConditionModel
from safetensors.torch import load_file


def main() -> None:
    folder, component, threads = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    prompt_tokens = int(sys.argv[5]) if len(sys.argv) > 5 else None  # the conditional prompt's length (fixture: 12)
    torch.set_num_threads(threads)
    inputs = {k.split(".", 1)[1]: v for k, v in load_file(str(folder / "inputs.safetensors")).items()
              if k.startswith(component + ".")}
    if prompt_tokens is not None:  # row 1 is the conditional prompt, after the decoder's 4 extra context tokens
        extra = 0 if component == "prior" else 4
        inputs["attention_mask"][1] = (torch.arange(inputs["attention_mask"].shape[1]) < extra + prompt_tokens).to(
            inputs["attention_mask"].dtype)
    start = time.perf_counter()
    if component == "prior":
        model = PriorTransformer.from_pretrained(str(folder / "prior"), torch_dtype=torch.float32).eval()
        mask = inputs["attention_mask"].bool()

        def step():
            return model(inputs["hidden_states"], timestep=int(inputs["timestep"][0]),
                         proj_embedding=inputs["proj_embedding"],
                         encoder_hidden_states=inputs["encoder_hidden_states"],
                         attention_mask=mask).predicted_image_embedding
    elif component == "decoder":
        model = UNet2DConditionModel.from_pretrained(str(folder / "decoder"), torch_dtype=torch.float32).eval()

        def step():
            return model(inputs["sample"], int(inputs["timestep"][0]),
                         encoder_hidden_states=inputs["encoder_hidden_states"],
                         class_labels=inputs["class_labels"],
                         attention_mask=inputs["attention_mask"]).sample
    else:
        sys.exit(f"unknown component {component}; use prior or decoder")
    load = time.perf_counter() - start
    with torch.inference_mode():
        start = time.perf_counter()
        output = step()  # warm-up, not in best_s
        first = time.perf_counter() - start
        best = best_cpu = float("inf")  # best_cpu: process CPU time, not charged for waiting on a shared machine
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            output = step()
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
            best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: KiB
    shape = "x".join(str(d) for d in output.shape)
    print(f"RESULT unclip side=torch component={component} threads={threads} prompt_tokens={prompt_tokens or 12} load_s={load:.2f} first_s={first:.3f} "
          f"best_s={best:.3f} best_cpu_s={best_cpu:.3f} peak_rss_mb={peak} out_shape={shape} out_mean_abs={output.abs().mean().item():.6f}")


if __name__ == "__main__":
    main()
