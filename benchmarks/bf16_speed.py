"""Training images per second of the default embedders at 64 px, in float32 and under bf16 autocast, on this CPU.

    python benchmarks/bf16_speed.py [VARIANT ...]    # default: resnet18-64 xception-slim-os8-64 clip-vit-cs8-64

A bare step: forward and backward of a batch of 128 random images, AdamW; no data loading. Whether bf16 pays depends
on the processor: `s2s_search.runtime.bf16_autocast_ok` says whether the training loop uses it here.
"""
from __future__ import annotations

import sys
import time

import torch


def images_per_s(model, bf16: bool, batch: int = 128, steps: int = 6) -> float:
    "Training images per second of `model` over `steps` steps after three warm-up steps"
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    x = torch.randn(batch, 3, model.image_size, model.image_size)
    model.train()
    for i in range(steps + 3):
        if i == 3: t = time.time()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            y = model(x)
        y.float().pow(2).mean().backward(); opt.step(); opt.zero_grad()
    return batch * steps / (time.time() - t)


def main() -> None:
    from s2s_search.runtime import bf16_autocast_ok
    from s2s_search.models import create_embedder
    names = sys.argv[1:] or ["resnet18-64", "xception-slim-os8-64", "clip-vit-cs8-64"]
    print(f"bf16 autocast used by training on this CPU: {bf16_autocast_ok(torch.device('cpu'))}; {torch.get_num_threads()} threads")
    for name in names:
        torch.manual_seed(0)
        fp32 = images_per_s(create_embedder(name), bf16=False)
        bf16 = images_per_s(create_embedder(name), bf16=True)
        print(f"{name:24s} float32 {fp32:6.0f} images/s   bf16 {bf16:6.0f} images/s   ({bf16 / fp32:.2f}x)")


if __name__ == "__main__":
    main()
