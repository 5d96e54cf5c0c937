"""What reading the real data set costs: the loader's ingest against decoding each street photo once at full size.

    python benchmarks/ingest_cost.py [--photos 30] [--side 1440] [--distinct 8] [--quality 90] [--no-baseline]

Fabricates a copy in the real schema in a temporary folder (parquet shards in the hub's layout, JPEG bytes in the
rows): `--photos` street photos of 3840x5760 (22 MP) with two garments each, worn by about 0.54 products per photo
(the real validation set's 700 products for 1,300 photos), each product with three shop photos of 913x1304, one row
per (garment, shop photo) pair, so each street photo sits on six rows. The photos have
texture (a smooth random field plus grain), so their JPEGs weigh what camera photos weigh; `--distinct` different
images are laid under the photo ids in turn (decoding works by id, so each id still costs a decode). Then, each in a
fresh process, with its time and peak resident memory:

- baseline: decode each distinct street photo once at full size (PIL), nothing else;
- the project: `load_street2shop` on a cold cache (the ingest: every distinct photo decoded once, reduced to `--side`
  on its long side), `build_gallery`, and every oracle crop and every full photo read once.

The issue's goal: the second costs less than the first. `--photos 1300` is the real validation set's size (about 700
products; peak memory goal 4 GiB): with `--quality 60 --no-baseline` it takes about 15 minutes and 30 GB of disk.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STREET, SHOP = (3840, 5760), (913, 1304)


def textured_jpeg(size: tuple[int, int], seed: int, quality: int = 90) -> bytes:
    "A JPEG of `size` with a camera photo's weight: a smooth random colour field with grain"
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(seed)
    base = Image.fromarray(rng.integers(0, 255, (24, 16, 3), dtype=np.uint8)).resize(size, Image.BICUBIC)
    grain = rng.normal(0, 10, (size[1] // 4, size[0] // 4, 3))
    img = np.asarray(base, np.float32) + np.asarray(Image.fromarray(np.clip(grain + 128, 0, 255).astype(np.uint8)).resize(size, Image.NEAREST), np.float32) - 128
    buf = io.BytesIO(); Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def fabricate(root: Path, n_photos: int, n_distinct: int, quality: int = 90) -> dict:
    "Parquet shards of the real schema under `root/data`; what was written"
    import datasets
    from s2s_search.painted import FEATURES
    streets = [textured_jpeg(STREET, s, quality) for s in range(min(n_distinct, n_photos))]
    n_products = max(2, round(n_photos * 700 / 1300))
    shops = [textured_jpeg(SHOP, 1000 + s) for s in range(3)]
    (root / "data").mkdir(parents=True)
    def rows(photos: range) -> list[dict]:
        out = []
        for s in photos:
            for g, pid in enumerate(((2 * s) % n_products, (2 * s + 1) % n_products)):
                l, t, w, h = (0.05 + 0.5 * g) * STREET[0], 0.1 * STREET[1], 0.4 * STREET[0], 0.7 * STREET[1]
                for j in range(3):
                    out.append({"type": "test", "category": ("dresses", "skirts", "tops")[pid % 3], "street_photo_id": 10_000 + s, "product_id": pid,
                                "width": w, "top": t, "height": h, "left": l, "shop_photo_id": 3 * pid + j,
                                "street_photo_url": f"http://street.example/{s}.jpg", "shop_photo_url": f"http://shop.example/{3 * pid + j}.jpg",
                                "street_photo_image": {"bytes": streets[s % len(streets)], "path": None},
                                "shop_photo_image": {"bytes": shops[j], "path": None}})
        return out
    chunk = 50  # street photos per shard: memory while writing stays small
    shards = [range(a, min(a + chunk, n_photos)) for a in range(0, n_photos, chunk)]
    for i, photos in enumerate(shards):
        datasets.Dataset.from_list(rows(photos), features=FEATURES).to_parquet(str(root / "data" / f"test-{i:05d}-of-{len(shards):05d}.parquet"))
    datasets.Dataset.from_list(rows(range(n_photos, n_photos + 2)), features=FEATURES).to_parquet(str(root / "data" / "train-00000-of-00001.parquet"))
    return {"street_photos": n_photos, "products": n_products, "rows": 6 * n_photos, "parquet_gb": round(sum(p.stat().st_size for p in (root / "data").iterdir()) / 1e9, 2),
            "street_jpeg_mb": round(sum(map(len, streets)) / len(streets) / 1e6, 2)}


def baseline(root: str) -> dict:
    "Decode each distinct street photo of the test shards once, at full size"
    import pyarrow.parquet as pq
    from PIL import Image
    t, seen = time.time(), set()
    for shard in sorted(Path(root, "data").glob("test-*.parquet")):
        table = pq.read_table(shard, columns=["street_photo_id", "street_photo_image"])
        for sid, cell in zip(table["street_photo_id"].to_pylist(), table["street_photo_image"].to_pylist()):
            if sid in seen: continue
            seen.add(sid); Image.open(io.BytesIO(cell["bytes"])).convert("RGB")
    return {"seconds": time.time() - t, "decoded": len(seen)}


class MemorySampler:
    "Peaks of this process's anonymous memory and of its resident file pages (memory-mapped Arrow, reclaimable), by stage"
    def __init__(self, every: float = 0.1):
        import threading
        self.stage, self.peaks, self.every, self.done = "start", {}, every, False
        self.thread = threading.Thread(target=self._run, daemon=True); self.thread.start()
    def _run(self) -> None:
        while not self.done:
            status = dict(l.split(":", 1) for l in Path("/proc/self/status").read_text().splitlines() if ":" in l)
            for key in ("RssAnon", "RssFile"):
                v = int(status[key].split()[0]) / 2**20
                if v > self.peaks.get(key, (0, ""))[0]: self.peaks[key] = (round(v, 2), self.stage)
            time.sleep(self.every)
    def stop(self) -> dict: self.done = True; self.thread.join(); return self.peaks


def project(root: str, side: int) -> dict:
    "The loader's ingest on a cold cache, the gallery, and every oracle query and full photo read once"
    from s2s_search.config import DataConfig
    from s2s_search.data import load_report, load_street2shop
    from s2s_search.gallery import build_gallery, query_images, query_indices, query_photos
    mem, t = MemorySampler(), time.time()
    cfg = DataConfig(source=root, working_side=int(side))
    mem.stage = "load_street2shop"
    test = load_street2shop(cfg=cfg, verbose=False)["test"]
    t_load = time.time() - t
    mem.stage = "build_gallery"
    gallery = build_gallery(test)
    rows = query_indices(test)
    photos, _ = query_photos(test, rows)
    read = 0
    for mem.stage, images in (("oracle queries", query_images(test, rows, "oracle")), ("full photos", query_images(test, photos, "full"))):
        for a in range(0, len(images), 64): read += len(images[a:a + 64])
    return {"seconds": time.time() - t, "load_seconds": t_load, "images_read": read, "queries": len(rows), "gallery": len(gallery.product_ids),
            "photos": load_report(cfg=cfg)["photos"]["test"], "peaks_gib": mem.stop()}


def peak_gib() -> float:
    "This process's peak resident memory (`VmHWM`: unlike `ru_maxrss`, it starts afresh at exec, not with the parent's)"
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 2**20


def _child(stage: str, *args: str) -> dict:
    "Run a stage in a fresh process; its result with the peak resident memory"
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import ingest_cost as b; "
            f"r = b.{stage}(*{list(args)!r}); r['peak_gib'] = b.peak_gib(); print(json.dumps(r))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode: sys.exit(f"{stage} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=30)
    ap.add_argument("--side", type=int, default=1440)
    ap.add_argument("--distinct", type=int, default=8)
    ap.add_argument("--quality", type=int, default=90, help="JPEG quality of the street photos (90: about 5 MB each)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the full-size decodes (the memory goal at real size needs only the project's run)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="s2s-ingest-") as tmp:
        root = Path(tmp) / "street2shop-copy"
        t = time.time(); made = fabricate(root, args.photos, args.distinct, args.quality)
        print(f"fabricated {made} in {time.time() - t:.0f}s; {os.cpu_count()} cores", flush=True)
        os.environ.update(S2S_CACHE=str(Path(tmp) / "cache"), HF_DATASETS_CACHE=str(Path(tmp) / "hf"))  # the Arrow copies go with the folder
        ours = _child("project", str(root), str(args.side))
        base = None if args.no_baseline else _child("baseline", str(root))
    print(f"project:  ingest on a cold cache ({ours['load_seconds']:.1f}s; {ours['photos']}), gallery of {ours['gallery']} photos, "
          f"{ours['queries']} oracle queries and the full photos read once ({ours['images_read']} images): {ours['seconds']:.1f}s, "
          f"peak {ours['peak_gib']:.2f} GiB; peaks of anonymous memory and of resident file pages, with their stage: {ours['peaks_gib']}")
    if base is None: return
    print(f"baseline: each of {base['decoded']} street photos decoded once at full size: {base['seconds']:.1f}s, peak {base['peak_gib']:.2f} GiB")
    print(f"ratio project / baseline: {ours['seconds'] / base['seconds']:.2f}")


if __name__ == "__main__":
    main()
