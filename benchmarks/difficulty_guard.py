"""Difficulty guard for Synthetic Street2Shop: a non-learned colour histogram must not solve it.

Loads (or generates and caches) the preset's data, takes the test split, crops every street photo to its box
(oracle crop), builds the gallery from the distinct test shop products, and evaluates the colour-histogram
baseline of `s2s_search.evaluate` through the same index and metrics as every model. Targets for the
`default` preset: top-1 <= 20% and top-10 <= 50%.

Usage: python benchmarks/difficulty_guard.py [preset] [--bins 8]
"""
import argparse
import time

from s2s_search.config import EvalConfig, get_preset
from s2s_search.data import load_street2shop
from s2s_search.evaluate import ColourHistogramEmbedder, evaluate_embedder
from s2s_search.gallery import build_gallery

TARGETS = {1: 0.20, 10: 0.50}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset", nargs="?", default="default")
    ap.add_argument("--bins", type=int, default=8)
    args = ap.parse_args()
    cfg = get_preset(args.preset)
    t0 = time.perf_counter()
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    gallery = build_gallery(test)
    print(f"data ready in {time.perf_counter() - t0:.1f} s: {test.num_rows} oracle-crop queries, "
          f"gallery of {len(gallery.product_ids)} distinct test products")
    res = evaluate_embedder(ColourHistogramEmbedder(bins=args.bins), test, gallery, "oracle", EvalConfig(ks=tuple(TARGETS)))
    o = res.summary["overall"]
    print(f"{res.system}, cosine: " + ", ".join(
        f"top-{k} {100 * o[f'top_{k}']['value']:.1f}% [{100 * o[f'top_{k}']['lo']:.1f}, {100 * o[f'top_{k}']['hi']:.1f}] "
        f"(target <= {100 * v:.0f}%)" for k, v in TARGETS.items()))
    ok = all(o[f"top_{k}"]["value"] <= v for k, v in TARGETS.items())
    print("difficulty guard:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
