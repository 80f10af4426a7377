#!/usr/bin/env python3
"""References for `easel-bench core`: NumPy (OpenBLAS) and PyTorch CPU on the same workloads.

Run by scripts/bench/core.sh. Each library runs in its own process per thread count, so OpenBLAS
and OpenMP worker threads never spin while something else is timed; the thread count is set before
anything is imported or timed. Timings are the best of --repeats runs after one warm-up, like
easel-bench. Prints RESULT lines in easel-bench's format, with a `library=` field.

    .venv/bin/python scripts/bench/core_reference.py --threads 1,2 [--repeats 7] [--cpu-time]
    .venv/bin/python scripts/bench/core_reference.py --table easel-*.txt reference-*.txt  # best per row
"""
import argparse
import os
import subprocess
import sys
import time

WORKLOADS = {
    "gemm": 2 * 1024**3,
    "gemm-tall": 2 * 4096 * 320 * 2880,
    "conv": 2 * 320 * 320 * 9 * 64 * 64,
    "attention": 4 * 8 * 4096 * 4096 * 64,
}


CLOCK = time.perf_counter  # time.process_time with --cpu-time (single-threaded runs only)


def best_of(repeats, run):
    run()
    best = float("inf")
    for _ in range(repeats):
        start = CLOCK()
        run()
        best = min(best, CLOCK() - start)
    return best


def report(library, name, threads, seconds, note=""):
    gflops = WORKLOADS[name] / seconds / 1e9
    print(f"RESULT {name} threads={threads} seconds={seconds:.5f} gflops={gflops:.1f} library={library}  # {note}",
          flush=True)


def numpy_worker(threads, repeats):
    # OPENBLAS_NUM_THREADS / OPENBLAS_CORETYPE come from the parent, read when numpy loads OpenBLAS.
    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(threads)
    info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
    kernel = f"openblas {info[0]['version']} {info[0]['architecture']} x{info[0]['num_threads']}" if info else "?"
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (1024, 1024)).astype(np.float32)
    b = rng.uniform(-1, 1, (1024, 1024)).astype(np.float32)
    report("numpy", "gemm", threads, best_of(repeats, lambda: a @ b), kernel)
    a = rng.uniform(-1, 1, (4096, 2880)).astype(np.float32)
    b = rng.uniform(-1, 1, (2880, 320)).astype(np.float32)
    report("numpy", "gemm-tall", threads, best_of(repeats, lambda: a @ b), kernel)


def torch_worker(threads, repeats):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    note = f"torch {torch.__version__} x{torch.get_num_threads()}"
    g = torch.Generator().manual_seed(0)

    def rand(*shape):
        return torch.rand(*shape, generator=g) * 2 - 1

    with torch.no_grad():
        a, b = rand(1024, 1024), rand(1024, 1024)
        report("torch", "gemm", threads, best_of(repeats, lambda: a @ b), note)
        a, b = rand(4096, 2880), rand(2880, 320)
        report("torch", "gemm-tall", threads, best_of(repeats, lambda: a @ b), note)
        x, w, bias = rand(1, 320, 64, 64), rand(320, 320, 3, 3), rand(320)
        report("torch", "conv", threads, best_of(repeats, lambda: F.conv2d(x, w, bias, padding=1)), note)
        q, k, v = rand(1, 8, 4096, 64), rand(1, 8, 4096, 64), rand(1, 8, 4096, 64)
        report("torch", "attention", threads,
               best_of(repeats, lambda: F.scaled_dot_product_attention(q, k, v)), note)


def run_workers(thread_counts, repeats, cpu_time):
    for threads in thread_counts:
        env = dict(os.environ)
        env.pop("OPENBLAS_L2_SIZE", None)
        env.update(OPENBLAS_CORETYPE="SkylakeX", OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        for worker in ("numpy", "torch"):
            subprocess.run([sys.executable, __file__, "--worker", worker, "--threads", str(threads),
                            "--repeats", str(repeats)] + (["--cpu-time"] if cpu_time else []), env=env, check=True)


def parse(path):
    results = {}
    for line in open(path):
        if not line.startswith("RESULT"):
            continue
        fields = dict(part.split("=", 1) for part in line.split("#")[0].split()[2:])
        library = fields.get("library", "easel")
        results[(library, line.split()[1], int(fields["threads"]))] = (float(fields["seconds"]), float(fields["gflops"]))
    return results


def table(paths):
    """Markdown table; a ratio is reference time / Easel time, so > 1 means Easel is faster."""
    results = {}
    for path in paths:
        for key, value in parse(path).items():
            # Several rounds: keep each measurement's best (the peak's highest GFLOPS).
            if key not in results or (value[1] > results[key][1] if key[1] == "fma-peak" else value[0] < results[key][0]):
                results[key] = value
    threads = sorted({key[2] for key in results})
    print("| workload | threads | Easel ms | Easel GFLOPS | of FMA peak | OpenBLAS ms | PyTorch ms "
          "| Easel vs OpenBLAS | Easel vs PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for t in threads:
        peak = results.get(("easel", "fma-peak", t), (0, 0))[1]
        print(f"| FMA peak (register-only loop) | {t} | | {peak:.0f} | 1.00× | | | | |")
        for name in WORKLOADS:
            easel = results.get(("easel", name, t))
            if easel is None:
                continue
            cells = []
            ratios = []
            for lib in ("numpy", "torch"):
                ref = results.get((lib, name, t))
                cells.append(f"{ref[0] * 1e3:.1f}" if ref else "–")
                ratios.append(f"{ref[0] / easel[0]:.2f}×" if ref else "–")
            share = f"{easel[1] / peak:.2f}×" if peak else "–"
            print(f"| {name} | {t} | {easel[0] * 1e3:.1f} | {easel[1]:.0f} | {share} | {cells[0]} | {cells[1]} "
                  f"| {ratios[0]} | {ratios[1]} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--worker", choices=["numpy", "torch"])
    parser.add_argument("--table", nargs="+")
    parser.add_argument("--cpu-time", action="store_true",
                        help="process CPU time instead of wall time (like easel-bench --cpu-time)")
    args = parser.parse_args()
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    if args.table:
        table(args.table)
    elif args.worker == "numpy":
        numpy_worker(int(args.threads), args.repeats)
    elif args.worker == "torch":
        torch_worker(int(args.threads), args.repeats)
    else:
        run_workers([int(t) for t in args.threads.split(",")], args.repeats, args.cpu_time)


if __name__ == "__main__":
    main()
