"""Scale benchmark: catalogue embedding on Ray Data (1 and 2 workers) beside one process, and an IVF-PQ index built from shards.

    python benchmarks/scale_bench.py [--photos 20000] [--size 256] [--vectors 200000] [--dim 512] [--factory "IVF{n},PQ{m}"]

Part 1 embeds `--photos` synthetic shop photos (a coloured garment-like shape on a plain background, `--size` px,
JPEG-encoded in memory, ~10 KB each) with the default preset's CLIP ViT architecture (`clip-vit-cs8-64`, 512-d,
untrained: throughput does not depend on the weights) saved to a temporary folder: once by one process calling
`Embedder.embed` (decoding included), then by `scale.embed_catalogue` on a local Ray with 1 and with 2 actors
(shards of 2,500 photos, Ray startup excluded, actor startup included).

Part 2 writes `--vectors` synthetic embeddings (`scale.synthetic_embeddings`: 512-d unit vectors from a 64-d latent
space in 2,000 clusters, imitating learned embeddings) as 20 parquet shards, builds the `--factory` index from them
with `s2s-search build-index` in a child process (its peak resident memory measured there), and compares recall@10
against exact search and queries/s with a Flat index over the same vectors, for 2,000 noisy queries.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def synthetic_photos(n: int, size: int, seed: int = 0) -> list[bytes]:
    "`n` JPEG shop photos: a random garment-like polygon and ellipse on a light background"
    from PIL import Image, ImageDraw
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        img = Image.new("RGB", (size, size), tuple(int(v) for v in rng.integers(200, 256, 3)))
        d = ImageDraw.Draw(img)
        c = tuple(int(v) for v in rng.integers(0, 200, 3))
        pts = [(float(x), float(y)) for x, y in rng.uniform(0.15 * size, 0.85 * size, (6, 2))]
        d.polygon(pts, fill=c)
        x, y = rng.uniform(0.2 * size, 0.6 * size, 2)
        d.ellipse([x, y, x + 0.3 * size, y + 0.2 * size], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
        buf = io.BytesIO(); img.save(buf, "JPEG", quality=90); out.append(buf.getvalue())
    return out


def embedding_part(n: int, size: int, work: Path) -> None:
    import pyarrow as pa
    import torch
    from s2s_search.config import get_preset
    from s2s_search.images import load_image
    from s2s_search.index import fingerprint
    from s2s_search.models import create_embedder
    from s2s_search.scale import ShopPhotoTable, embed_catalogue, start_ray
    cfg = get_preset("default")
    t = time.time(); photos = synthetic_photos(n, size)
    print(f"{n} synthetic {size}px JPEG shop photos made in {time.time() - t:.0f} s ({np.mean([len(p) for p in photos]) / 1e3:.1f} KB each)")
    model = create_embedder(cfg.model.clip_vit, embedding_dim=cfg.model.embedding_dim, pretrained=False)
    model.save(work / "model")
    pids = [f"p{i:06d}" for i in range(n)]
    cat = ShopPhotoTable(pa.table({"product_id": pids, "category": ["tops"] * n, "image": pa.array(photos, pa.binary()),
                              "path": pa.array([None] * n, pa.string())}), fingerprint(pids))
    print(f"model {model.name} ({cfg.model.embedding_dim}-d, {model.image_size}px input), batch {cfg.index.batch_size}, "
          f"torch {torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    t = time.time()
    ref = model.embed([load_image(p) for p in photos], batch_size=cfg.index.batch_size)
    single = n / (time.time() - t)
    print(f"  one process, embed():      {single:7.1f} photos/s")
    start_ray(num_cpus=os.cpu_count())
    for workers in (1, 2):
        rep = embed_catalogue(cat, work / "model", work / f"shards-{workers}", workers=workers, shard_size=2500,
                              batch_size=cfg.index.batch_size, progress=False)
        print(f"  Ray Data, {workers} worker{'s' if workers > 1 else ' '}:       {rep['images_per_s']:7.1f} photos/s "
              f"({rep['seconds']:.1f} s incl. actor start, {rep['shards']} shards), load average {os.getloadavg()[0]:.2f}")
    from s2s_search.scale import read_shard, shard_path
    got = np.concatenate([read_shard(shard_path(work / "shards-2", s))[0] for s in range(rep["shards"])])
    print(f"  largest difference between Ray's and embed()'s vectors: {np.abs(got - ref).max():.1e}")
    import ray; ray.shutdown()


def index_part(n: int, dim: int, factory: str, work: Path, n_queries: int = 2000, k: int = 10) -> None:
    import faiss
    from s2s_search.config import IndexConfig
    from s2s_search.index import GalleryIndex, load_index, normalise
    from s2s_search.scale import shard_path, synthetic_embeddings, write_shard
    t = time.time(); g = synthetic_embeddings(n, dim)
    pids = np.array([f"p{i:07d}" for i in range(n)])
    per = -(-n // 20)
    for s in range(20):
        rows = slice(s * per, (s + 1) * per)
        write_shard(shard_path(work / "vectors", s), g[rows], pids[rows], ["tops"] * len(pids[rows]),
                    {"model": "synthetic", "weights": "-", "gallery": "-", "shard": s, "n_shards": 20})
    print(f"\n{n:,} synthetic {dim}-d vectors in 20 shards: {time.time() - t:.0f} s; FAISS {faiss.__version__}, load average {os.getloadavg()[0]:.2f}")
    code = ("import resource, sys, time; from s2s_search.cli import main; t = time.time(); rc = main(sys.argv[1:]); "
            "print(f'BUILD {time.time() - t:.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}'); sys.exit(rc)")
    out = work / "ivfpq.npz"
    r = subprocess.run([sys.executable, "-c", code, "build-index", "--shards", str(work / "vectors"), "--factory", factory,
                        "--out", str(out), "-q"], capture_output=True, text=True)
    if r.returncode: sys.exit(r.stdout + r.stderr)
    print("  " + r.stdout.splitlines()[0])
    secs, peak_kb = r.stdout.split("BUILD ")[1].split()
    gi = load_index(out)
    index_bytes = len(faiss.serialize_index(gi.index))
    print(f"  build: {float(secs):.0f} s, peak resident memory {int(peak_kb) / 2**10:,.0f} MiB; FAISS index {index_bytes / 2**20:,.1f} MiB "
          f"(vectors as float32: {g.nbytes / 2**20:,.1f} MiB), file with the vectors {out.stat().st_size / 2**20:,.1f} MiB")
    rng = np.random.default_rng(1)
    q = normalise(g[rng.integers(0, n, n_queries)] + 0.02 * rng.normal(size=(n_queries, dim)))
    flat = GalleryIndex(g, pids, cfg=IndexConfig(factory="Flat"))
    t = time.perf_counter(); exact = flat.search(q, k).ids; flat_rate = n_queries / (time.perf_counter() - t)
    print(f"  Flat:                      recall@{k} 1.000, {flat_rate:8,.0f} queries/s, index {flat.emb.nbytes / 2**20:,.1f} MiB")
    for nprobe in (16, 64):
        gi.index.nprobe = nprobe
        t = time.perf_counter(); ids = gi.search(q, k).ids; r = n_queries / (time.perf_counter() - t)
        recall = np.mean([len(set(a) & set(e)) / k for a, e in zip(ids, exact)])
        print(f"  {gi.cfg.factory} nprobe={nprobe:<3d} recall@{k} {recall:.3f}, {r:8,.0f} queries/s = {r / flat_rate:.1f}x Flat")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=20_000)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--vectors", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=512)
    ap.add_argument("--factory", default="IVF{n},PQ{m}")
    ap.add_argument("--skip", choices=("embed", "index"), help="leave one part out")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPU cores, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as d:
        if args.skip != "index": index_part(args.vectors, args.dim, args.factory, Path(d))
        if args.skip != "embed": embedding_part(args.photos, args.size, Path(d))


if __name__ == "__main__":
    main()
