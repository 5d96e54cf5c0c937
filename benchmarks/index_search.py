"""Search speed: embed+search of the default test queries batched vs one at a time; HNSW vs Flat at 100,000 vectors.

    python benchmarks/index_search.py [--preset default] [--model clip_vit] [--n 100000] [--dim 512] [--queries 2000]

Part 1 takes the preset's trained embedder (trained first if its cache is empty) and its test gallery, and times
the full query path, from PIL street crops to per-product results, for every test query: once in batches, once
one query at a time (what the seed project did).

Part 2:

The gallery imitates learned embeddings rather than isotropic noise (which no ANN index handles well and no
encoder produces): 512-d unit vectors from a 64-d latent space, grouped into 2,000 clusters. Queries are
perturbed gallery items, as street photos are noisy views of their shop photo. Prints, for each efSearch,
recall@10 against exact search and the query rate as a multiple of Flat's, then the smallest efSearch that
meets recall@10 >= 0.95.
"""
from __future__ import annotations

import argparse
import time

import faiss
import numpy as np

from s2s_search.config import IndexConfig, get_preset
from s2s_search.index import GalleryIndex, normalise, set_search_params
from s2s_search.scale import synthetic_embeddings


def batched_vs_single(preset: str, family: str, k: int = 10) -> None:
    "Queries/s of embed+search over the preset's test queries, batched and one at a time"
    from s2s_search.train import fit_embedder
    from s2s_search.data import load_street2shop
    from s2s_search.gallery import build_gallery, gallery_index, query_images
    cfg = get_preset(preset)
    model, _ = fit_embedder(cfg, family, progress=False)
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    gallery = build_gallery(test)
    gi = gallery_index(model, gallery, cfg.index)
    queries = query_images(test, np.arange(test.num_rows), "oracle")
    t = time.perf_counter()
    batched = gi.search(model.embed(queries, batch_size=cfg.index.batch_size), k)
    t_batched = time.perf_counter() - t
    t = time.perf_counter()
    single = [gi.search(model.embed([q]), k).product_ids[0] for q in queries]
    t_single = time.perf_counter() - t
    same = np.mean([list(a) == list(b) for a, b in zip(batched.product_ids, single)])
    print(f"{model.name} on {cfg.name}: {len(queries)} queries over {len(gi)} products (Flat, k={k})")
    print(f"  batched:       {len(queries) / t_batched:8.1f} queries/s")
    print(f"  one at a time: {len(queries) / t_single:8.1f} queries/s  ({t_single / t_batched:.1f}x slower; "
          f"identical rankings for {100 * same:.1f}% of queries)")


def rate(gi: GalleryIndex, q: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    t = time.perf_counter(); ids = gi.search(q, k).ids; return ids, len(q) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default, what in (("--n", 100_000, "synthetic gallery vectors"), ("--dim", 512, "their dimension"),
                                ("--queries", 2000, "queries timed"), ("--k", 10, "neighbours per query")):
        ap.add_argument(flag, type=int, default=default, help=f"{what} (default {default:,})")
    ap.add_argument("--preset", default="default")
    ap.add_argument("--model", default="clip_vit", help="embedder family for part 1 ('none' skips it)")
    args = ap.parse_args()
    if args.model != "none": batched_vs_single(args.preset, args.model, args.k)
    print(f"FAISS {faiss.__version__}, {faiss.omp_get_max_threads()} threads")
    g = synthetic_embeddings(args.n, args.dim)
    rng = np.random.default_rng(1)
    q = normalise(g[rng.integers(0, args.n, args.queries)] + 0.02 * rng.normal(size=(args.queries, args.dim)))
    pids = np.arange(args.n).astype(str)
    t = time.time(); flat = GalleryIndex(g, pids, cfg=IndexConfig(factory="Flat")); print(f"Flat built in {time.time() - t:.1f}s")
    exact, flat_rate = rate(flat, q, args.k)
    print(f"Flat: {flat_rate:,.0f} queries/s")
    t = time.time(); hnsw = GalleryIndex(g, pids, cfg=IndexConfig(factory="HNSW32")); print(f"HNSW32 built in {time.time() - t:.1f}s")
    best = None
    for ef in (16, 32, 48, 64, 96, 128, 256):
        set_search_params(hnsw.index, IndexConfig(factory="HNSW32", ef_search=ef))
        ids, r = rate(hnsw, q, args.k)
        recall = np.mean([len(set(a) & set(e)) / args.k for a, e in zip(ids, exact)])
        print(f"HNSW32 efSearch={ef:4d}: recall@{args.k} {recall:.4f}, {r:,.0f} queries/s = {r / flat_rate:.1f}x Flat")
        if best is None and recall >= 0.95: best = (ef, recall, r / flat_rate)
    if best: print(f"smallest efSearch with recall@{args.k} >= 0.95: {best[0]} (recall {best[1]:.4f}, {best[2]:.1f}x Flat)")
    else: print(f"no efSearch tried reached recall@{args.k} >= 0.95")


if __name__ == "__main__":
    main()
