"""Peak memory of indexing a gallery: the default gallery versus the same gallery padded with 50,000 distractor photos.

    python benchmarks/gallery_memory.py [--distractors 50000] [--size 640x480]

Writes (once, into the cache) a data set of `--distractors` synthetic shop photos at a realistic resolution in the
project's schema (JPEG bytes in an Arrow table, as the hub's parquet shards hold them): each is one of the default
test gallery's shop photos, enlarged to `--size`, tinted and mirrored at random. Then, in two fresh processes, it
builds the gallery (`gallery.build_gallery`) and its FAISS index with the default preset's Xception architecture
(`GalleryIndex.from_embedder`): once for the default test gallery, once with the distractors added. Each process
reports its peak resident memory (`ru_maxrss`) and, sampled every 20 ms, its peak anonymous memory (RssAnon: what the
process allocated, without the pages of memory-mapped files such as the Arrow table, which the kernel can drop).
The goal (issue #14): the padded peak exceeds the default one by no more than the added vectors and ids plus 1 GiB.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _anon_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"): return int(line.split()[1])
    return 0


def _make_photo(args: tuple) -> bytes:
    from PIL import Image, ImageOps
    base, size, seed = args
    rng = np.random.default_rng(seed)
    img = Image.open(io.BytesIO(base)).convert("RGB").resize(size, Image.BICUBIC)
    px = np.asarray(img).astype(np.float32) * rng.uniform(0.7, 1.2, 3) + rng.normal(0, 6, (size[1], size[0], 3))
    img = Image.fromarray(np.clip(px, 0, 255).astype(np.uint8))
    if rng.random() < 0.5: img = ImageOps.mirror(img)
    buf = io.BytesIO(); img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def distractor_set(n: int, size: tuple[int, int]):
    "The cached data set of `n` distractor shop photos (built on first use)"
    from datasets import Dataset, Features, Image as ImageFeature, Value, load_from_disk
    from multiprocessing import Pool
    from s2s_search.config import get_preset
    from s2s_search.runtime import cache_dir
    from s2s_search.data import load_street2shop
    from s2s_search.gallery import build_gallery
    path = cache_dir("benchmarks") / f"distractors-{n}-{size[0]}x{size[1]}"
    if (path / "dataset_info.json").exists(): return load_from_disk(str(path))
    cfg = get_preset("default")
    gallery = build_gallery(load_street2shop(cfg=cfg.data, verbose=False)["test"])
    bases = []
    for img in gallery.images[:]:
        buf = io.BytesIO(); img.save(buf, "PNG"); bases.append(buf.getvalue())
    cats = gallery.categories.tolist()
    feats = Features({"product_id": Value("string"), "category": Value("string"), "shop_photo_image": ImageFeature()})
    def rows():
        with Pool(os.cpu_count() or 1) as pool:
            jobs = ((bases[i % len(bases)], size, i) for i in range(n))
            for i, data in enumerate(pool.imap(_make_photo, jobs, chunksize=64)):
                yield {"product_id": f"dis-{i:07d}", "category": cats[i % len(cats)], "shop_photo_image": {"bytes": data, "path": None}}
    t = time.time()
    ds = Dataset.from_generator(rows, features=feats, cache_dir=str(cache_dir("benchmarks", "hf")))
    ds.save_to_disk(str(path))
    print(f"wrote {n} distractor photos at {size[0]}x{size[1]} in {time.time() - t:.0f} s "
          f"({sum(f.stat().st_size for f in path.glob('*.arrow')) / 2**30:.2f} GiB)", flush=True)
    return load_from_disk(str(path))


def measure(padded: bool, n: int, size: tuple[int, int]) -> dict:
    "Build the (padded) gallery and its index in this process; its peak memory figures"
    from s2s_search.config import get_preset
    from s2s_search.data import load_street2shop
    from s2s_search.gallery import build_gallery
    from s2s_search.index import GalleryIndex
    from s2s_search.models import create_embedder
    cfg = get_preset("default")
    peak_anon, done = [0], threading.Event()
    def sample():
        while not done.is_set(): peak_anon[0] = max(peak_anon[0], _anon_kib()); time.sleep(0.02)
    threading.Thread(target=sample, daemon=True).start()
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    extra = distractor_set(n, size) if padded else None
    model = create_embedder(cfg.model.xception, embedding_dim=cfg.model.embedding_dim)
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.time()
    gallery = build_gallery(test, extra)
    gi = GalleryIndex.from_embedder(model, gallery.images, gallery.product_ids, gallery.fingerprint, cfg.index, progress=True)
    seconds = time.time() - t
    done.set(); time.sleep(0.05)
    vectors = gi.emb.nbytes + sum(len(p) for p in gi.product_ids.tolist())
    return {"gallery": len(gi), "seconds": seconds, "photos_per_s": len(gi) / seconds, "rss_before_mib": start_rss,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "peak_anon_mib": peak_anon[0] / 1024,
            "vectors_and_ids_mib": vectors / 2**20}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--distractors", type=int, default=50_000)
    ap.add_argument("--size", default="640x480", help="distractor photo size, WIDTHxHEIGHT")
    ap.add_argument("--measure", choices=("default", "padded"), help=argparse.SUPPRESS)  # internal: one measurement
    args = ap.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.measure:
        print(json.dumps(measure(args.measure == "padded", args.distractors, size))); return 0
    distractor_set(args.distractors, size)  # built outside the measured processes
    runs = {}
    for which in ("default", "padded"):
        r = subprocess.run([sys.executable, __file__, "--measure", which, "--distractors", str(args.distractors), "--size", args.size],
                           capture_output=True, text=True, cwd=ROOT)
        if r.returncode: print(r.stdout[-2000:], r.stderr[-3000:]); return 1
        runs[which] = json.loads(r.stdout.strip().splitlines()[-1])
    print(f"\n| gallery | photos | seconds | photos/s | peak RSS MiB | peak anonymous MiB | vectors+ids MiB |\n|---|---|---|---|---|---|---|")
    for which, r in runs.items():
        print(f"| {which} | {r['gallery']} | {r['seconds']:.0f} | {r['photos_per_s']:.0f} | {r['peak_rss_mib']:.0f} | "
              f"{r['peak_anon_mib']:.0f} | {r['vectors_and_ids_mib']:.1f} |")
    d, p = runs["default"], runs["padded"]
    allowed = p["vectors_and_ids_mib"] - d["vectors_and_ids_mib"] + 1024
    for label, key in (("peak RSS", "peak_rss_mib"), ("peak anonymous memory", "peak_anon_mib")):
        grew = p[key] - d[key]
        print(f"{label}: padded exceeds default by {grew:.0f} MiB; allowed {allowed:.0f} MiB (added vectors and ids + 1 GiB): "
              f"{'within' if grew <= allowed else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
