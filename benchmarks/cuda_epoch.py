"""The CUDA path once: one epoch of each embedder on the `default` preset with bf16 mixed precision.

    python benchmarks/cuda_epoch.py [--epochs 1] [--workers 8]

Prints the device, the data set size, and per model the epoch's losses, validation pair AUC, training
images/s and wall time. Exits with an error on a machine without CUDA.
"""
from __future__ import annotations

import argparse
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=8, help="data-loading and generator processes")
    ap.add_argument("--families", default="clip_vit,xception")
    args = ap.parse_args()
    if not torch.cuda.is_available(): raise SystemExit("no CUDA device: this benchmark is for a GPU machine")
    from s2s_search.config import get_preset
    from s2s_search.data import load_street2shop
    from s2s_search.train import fit_embedder

    cfg = get_preset("default", train__epochs=args.epochs, train__num_workers=args.workers,
                     data__synth__workers=args.workers)
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}, bf16 supported: {torch.cuda.is_bf16_supported()}")
    t = time.time()
    dd = load_street2shop(cfg=cfg.data, verbose=False)
    print(f"data: {dd['train'].num_rows} train rows, {dd['test'].num_rows} test rows, ready in {time.time() - t:.0f}s")
    for family in args.families.split(","):
        torch.cuda.reset_peak_memory_stats()
        t = time.time()
        model, rec = fit_embedder(cfg, family, progress=False, device="cuda")
        h = rec["history"][-1]
        print(f"{rec['name']}: {rec['epochs']} epoch(s) in {time.time() - t:.0f}s; train loss {h['train_loss']:.4f}, "
              f"val top-1 {h['val_top1']:.3f}, val mAP {h['val_mAP']:.3f}, val pair AUC {h['val_auc']:.3f}, {h['train_images_per_s']:.0f} train images/s, "
              f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
