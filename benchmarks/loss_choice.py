"""Which loss trains the better embedder in the same budget: in-batch InfoNCE or the seed's CosineEmbeddingLoss.

    python benchmarks/loss_choice.py [--preset default] [--family clip_vit] [--epochs 1]

Trains the preset's embedder once per loss with everything else equal (cached like any `fit_embedder` run),
then prints the best validation pair AUC, the training time and the oracle-crop test top-1/top-10 of each.
The cosine loss sees `num_negative_pairs` extra (negative) pairs per positive, so its epochs cost more.
"""
from __future__ import annotations

import argparse

from s2s_search.config import get_preset
from s2s_search.data import load_street2shop
from s2s_search.evaluate import evaluate_embedder
from s2s_search.gallery import build_gallery
from s2s_search.train import fit_embedder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default")
    ap.add_argument("--family", default="clip_vit")
    ap.add_argument("--epochs", type=int, default=1)
    args = ap.parse_args()
    base = get_preset(args.preset, {"train.epochs": args.epochs})
    test = load_street2shop(cfg=base.data, verbose=False)["test"]
    gallery = build_gallery(test)
    print(f"{args.family} on {base.name}, {args.epochs} epoch(s) per loss")
    for loss in ("infonce", "cosine"):
        cfg = get_preset(args.preset, {"train.epochs": args.epochs, "train.loss": loss})
        model, rec = fit_embedder(cfg, args.family, progress=False)
        s = evaluate_embedder(model, test, gallery, "oracle", cfg.eval, cfg.index).summary["overall"]
        print(f"  {loss:8s}: val pair AUC {rec['best_val_auc']:.3f}, {rec['train_seconds']:.0f}s training "
              f"({rec['train_pairs']} pairs/epoch); oracle top-1 {100 * s['top_1']['value']:.1f}%, "
              f"top-10 {100 * s['top_10']['value']:.1f}%", flush=True)


if __name__ == "__main__":
    main()
