"""How far one-process training of the smoke embedder moves with its training seed: the yardstick of the DDP test.

    python benchmarks/ddp_seed_spread.py [--seeds 5]

`nbs/15_scale.ipynb` trains the smoke CLIP ViT on 300 products for 3 epochs once in one process and once in two
(DDP), and accepts the two-process validation AUC when it is no worse than the one-process AUC less this spread.
Prints the validation pair AUC and seconds of each seed, then their range. Uses a temporary cache.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    os.environ["S2S_CACHE"] = tempfile.mkdtemp()
    from s2s_search.config import get_preset
    from s2s_search.train import fit_embedder
    aucs = []
    for seed in range(args.seeds):
        cfg = get_preset("smoke", {"data.synth.n_train_products": 300, "train.epochs": 3, "seed": seed})
        t = time.time()
        _, record = fit_embedder(cfg, "clip_vit", progress=False)
        aucs.append(record["best_val_auc"])
        print(f"seed {seed}: validation AUC {aucs[-1]:.3f} ({time.time() - t:.0f} s)", flush=True)
    print(f"range {max(aucs) - min(aucs):.3f} (min {min(aucs):.3f}, max {max(aucs):.3f}) over {len(aucs)} seeds")


if __name__ == "__main__":
    main()
