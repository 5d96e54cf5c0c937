"""Oracle top-1 of a run's embedders split by kind of query: garments alone in their street photo, and the larger and
the smaller garment of photos with two; then by box-area quartile and by category.

    S2S_CACHE=DIR python benchmarks/query_kinds.py [--preset default] [FAMILY=CHECKPOINT_DIR ...]

Without checkpoint folders it loads the preset's trained embedders from the cache (never trains: `load_only`); a
`FAMILY=DIR` pair (e.g. `xception=$S2S_CACHE/checkpoints/xception-slim-os8-64-5e9f2c5b9989/best`) reads a run made by
an earlier code version. nbs/experiments/real_shape_queries.md holds what it printed for the committed default run.
"""
from __future__ import annotations

import argparse

import numpy as np

from s2s_search.config import get_preset
from s2s_search.runs import load_only
from s2s_search.data import load_street2shop
from s2s_search.evaluate import evaluate_embedder
from s2s_search.gallery import build_gallery
from s2s_search.models import load_embedder
from s2s_search.train import fit_embedder


def garment_kinds(street_ids: np.ndarray, areas: np.ndarray) -> np.ndarray:
    "(Q,) 'alone', 'larger' or 'smaller': each query garment's place among the garments of its street photo, by box area"
    by_photo: dict = {}
    for i, (s, a) in enumerate(zip(street_ids, areas)): by_photo.setdefault(s, []).append((-a, i))
    kinds = np.empty(len(street_ids), object)
    for members in by_photo.values():
        for k, (_, i) in enumerate(sorted(members)): kinds[i] = "alone" if len(members) == 1 else ("larger" if k == 0 else "smaller")
    return kinds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default")
    ap.add_argument("checkpoints", nargs="*", help="FAMILY=CHECKPOINT_DIR")
    args = ap.parse_args()
    cfg = get_preset(args.preset)
    given = dict(c.split("=", 1) for c in args.checkpoints)
    with load_only():
        test = load_street2shop(cfg=cfg.data)["test"]
        gallery = build_gallery(test)
        for family in ("xception", "clip_vit", "resnet18"):
            model = load_embedder(given[family]) if family in given else fit_embedder(cfg, family, progress=False)[0]
            r = evaluate_embedder(model, test, gallery, "oracle", cfg.eval, cfg.index)
            rows = test.select(r.rows)
            top1 = r.rank == 1
            area = np.asarray(rows["width"], float) * np.asarray(rows["height"], float)
            kinds = garment_kinds(np.asarray(rows["street_photo_id"]), area)
            split = "; ".join(f"{k} {top1[kinds == k].mean():.3f} (n={(kinds == k).sum()})" for k in ("alone", "larger", "smaller"))
            print(f"{family}: all {top1.mean():.3f} (n={len(top1)}); {split}")
            quartile = np.digitize(area, np.quantile(area, [0.25, 0.5, 0.75]))
            print("  by box-area quartile (smallest first):", " ".join(f"{top1[quartile == b].mean():.3f}" for b in range(4)))
            cats = np.asarray(rows["category"])
            print("  by category:", ", ".join(f"{c} {top1[cats == c].mean():.2f}" for c in sorted(set(cats.tolist()))))


if __name__ == "__main__":
    main()
