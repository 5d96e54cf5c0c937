"""Difficulty guard for Synthetic Street2Shop: a non-learned colour histogram must not solve it.

Loads (or generates and caches) the preset's data, takes the test split, crops every street photo
to its box (oracle crop), builds the gallery from the distinct test shop products, embeds both with
a joint colour histogram (8x8x8 bins, L2-normalised, cosine similarity) and prints top-1/top-10
accuracy. Targets for the synthetic default preset: top-1 <= 20% and top-10 <= 50%.

Usage: python benchmarks/difficulty_guard.py [preset] [--bins 8]
"""
import argparse
import time

import numpy as np

from s2s_search.core import get_preset
from s2s_search.synth import load_or_generate

TARGETS = {1: 0.20, 10: 0.50}


def colour_histogram(img, bins: int, space: str) -> np.ndarray:
    "L2-normalised joint `bins`^3 histogram of `img` in colour `space` (RGB or HSV)"
    arr = np.asarray(img.convert("RGB").convert(space) if space != "RGB" else img.convert("RGB"), np.int64).reshape(-1, 3)
    q = arr * bins // 256  # (P, 3) bin per channel
    h = np.bincount((q[:, 0] * bins + q[:, 1]) * bins + q[:, 2], minlength=bins ** 3).astype(np.float32)
    return h / np.linalg.norm(h)


def top_k_accuracy(query_emb, query_ids, gallery_emb, gallery_ids, ks=(1, 10)) -> dict:
    "Share of queries whose product id is among the `k` most similar gallery items"
    sims = query_emb @ gallery_emb.T  # (Q, G)
    order = np.argsort(-sims, axis=1)
    hits = np.asarray(gallery_ids)[order] == np.asarray(query_ids)[:, None]  # (Q, G)
    return {k: float(hits[:, :k].any(1).mean()) for k in ks}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset", nargs="?", default="default")
    ap.add_argument("--bins", type=int, default=8)
    args = ap.parse_args()
    t0 = time.perf_counter()
    test = load_or_generate(get_preset(args.preset).data.synth)["test"]
    print(f"data ready in {time.perf_counter() - t0:.1f} s: {len(test)} test rows")
    gallery_rows = {}
    for i, pid in enumerate(test["product_id"]): gallery_rows.setdefault(pid, i)
    gallery_ids = list(gallery_rows)
    shops = test.select(list(gallery_rows.values()))["shop_photo_image"]
    crops = [r["street_photo_image"].crop((r["left"], r["top"], r["left"] + r["width"], r["top"] + r["height"])) for r in test]
    print(f"queries: {len(crops)} oracle crops, gallery: {len(gallery_ids)} distinct test products")
    ok = True
    for space in ("RGB", "HSV"):
        g = np.stack([colour_histogram(im, args.bins, space) for im in shops])
        q = np.stack([colour_histogram(im, args.bins, space) for im in crops])
        acc = top_k_accuracy(q, test["product_id"], g, gallery_ids)
        line = ", ".join(f"top-{k} {100 * v:.1f}% (target <= {100 * TARGETS[k]:.0f}%)" for k, v in acc.items())
        print(f"{space} {args.bins}x{args.bins}x{args.bins} histogram, cosine: {line}")
        ok &= all(acc[k] <= TARGETS[k] for k in TARGETS)
    print("difficulty guard:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
