"""Embedder throughput on this machine, as a share of its own fp32 matrix-multiply peak.

    python benchmarks/embed_throughput.py --variants clip-vit-s8-64 xception-96 --n 512 --batch-size 64

For each variant: forward FLOPs per image (torch's FlopCounterMode), `Embedder.embed` end to end (PIL street-crop-
sized images in, normalised vectors out, preprocessing included), preprocessing alone, the bare forward pass on
already-transformed batches, and training (forward, backward and an AdamW step on a batch). The peak is measured in
the same run with a large `torch.mm` (once at the start, and again right beside every timing, since a shared
machine's load changes from second to second), so the fractions are comparable across machines. Training FLOPs are
approximated as 3x the forward FLOPs (forward + backward).
"""
from __future__ import annotations

import argparse
import os
import time


def matmul_peak(n: int = 2048, seconds: float = 3.0) -> float:
    "fp32 GFLOP/s of repeated (n, n) @ (n, n) products"
    import torch
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3): torch.mm(a, b)  # warm-up
    reps, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        torch.mm(a, b); reps += 1
    return 2 * n ** 3 * reps / (time.perf_counter() - t) / 1e9


def forward_flops(model, size: int) -> float:
    "Forward FLOPs per image, counted in training mode (no fused inference kernels to hide matmuls from the counter)"
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    was = model.training
    model.train()
    with FlopCounterMode(display=False) as counter: model(torch.randn(2, 3, size, size))
    model.train(was)
    return counter.get_total_flops() / 2


def best_of(fn, repeats: int) -> float:
    "Fastest of `repeats` timed calls of `fn`, seconds"
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return min(times)


def timed_against_peak(fn, repeats: int) -> tuple[float, float]:
    "(fastest time of `fn`, the matmul peak measured right beside it): on a shared machine both see the same load"
    pairs = []
    for _ in range(repeats):
        peak = matmul_peak(seconds=0.5)
        t = time.perf_counter(); fn(); pairs.append((time.perf_counter() - t, peak))
    return min(pairs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", nargs="+", default=["clip-vit-s8-64", "xception-96"])
    ap.add_argument("--n", type=int, default=512, help="images embedded per timing")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--train-steps", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3, help="timings per measurement; the best is reported")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: the number of CPUs)")
    args = ap.parse_args()

    import numpy as np
    import torch
    from PIL import Image
    from s2s_search.models import create_embedder

    torch.set_num_threads(args.threads or os.cpu_count() or 1)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    # street-crop-like inputs: 100x130 crops of a larger noisy photo
    photo = rng.integers(0, 256, (480, 360, 3), dtype=np.uint8)
    images = []
    for _ in range(args.n):
        y, x = rng.integers(0, 480 - 130), rng.integers(0, 360 - 100)
        images.append(Image.fromarray(np.ascontiguousarray(photo[y:y + 130, x:x + 100])))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; {args.n} images of 100x130, batch {args.batch_size}")
    peak = matmul_peak()
    print(f"fp32 matmul peak (2048x2048 torch.mm): {peak:.0f} GFLOP/s")

    for name in args.variants:
        model = create_embedder(name, pretrained=False)
        s, bs = model.image_size, args.batch_size
        flops = forward_flops(model, s)
        model.eval()
        tf = model.eval_transform()
        model.embed(images[:bs], batch_size=bs)  # warm-up
        t_embed, peak_embed = timed_against_peak(lambda: model.embed(images, batch_size=bs), args.repeats)
        t_prep = best_of(lambda: [tf.batch(images[i:i + bs]) for i in range(0, len(images), bs)], args.repeats)
        batches = [tf.batch(images[i:i + bs]) for i in range(0, len(images), bs)]

        def bare():
            with torch.inference_mode():
                for x in batches: model(x)
        t_fwd, peak_fwd = timed_against_peak(bare, args.repeats)

        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        x = batches[0]

        def step():
            loss = model(x).sum()  # any scalar: the cost is the same as a contrastive loss's
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        step()  # warm-up (allocates the optimiser state)
        t_train, peak_train = timed_against_peak(lambda: [step() for _ in range(args.train_steps)], max(1, args.repeats - 1))
        n_train = bs * args.train_steps

        def row(label, n_img, secs, peak_beside, mult=1.0):
            gf = mult * flops * n_img / secs / 1e9
            print(f"  {label:34s} {n_img / secs:8.0f} images/s  {gf:6.0f} GFLOP/s  {gf / peak:6.1%} of peak "
                  f"({gf / peak_beside:.1%} of the {peak_beside:.0f} GFLOP/s measured beside it)")
        params = sum(p.numel() for p in model.parameters()) / 1e6
        print(f"{name}: {s} px, {params:.1f} M parameters, {flops / 1e9:.3f} GFLOP per image (forward)")
        row("embed() end to end", len(images), t_embed, peak_embed)
        row("bare forward (inference_mode)", len(images), t_fwd, peak_fwd)
        row("training step (fwd+bwd+AdamW, ~3x)", n_train, t_train, peak_train, 3.0)
        print(f"  {'preprocessing alone':34s} {len(images) / t_prep:8.0f} images/s  "
              f"({t_prep / t_embed:.0%} of the embed() time)")


if __name__ == "__main__":
    main()
