"""Iterate one epoch of the paired training data of a preset; print throughput and peak resident memory.

    python benchmarks/data_epoch.py --preset default --workers 2 --batch-size 64

Peak RSS is reported for the main process and, separately, for the largest worker process, as
`resource.getrusage` sees them (ru_maxrss, KiB on Linux).
"""
from __future__ import annotations

import argparse
import resource
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    from s2s_search.config import get_preset
    from s2s_search.data import Street2ShopImageSimilarityDataset, load_street2shop, make_loader

    cfg = get_preset(args.preset)
    t = time.time()
    load_street2shop(cfg=cfg.data, verbose=False)
    print(f"data ready in {time.time() - t:.1f}s")
    ds = Street2ShopImageSimilarityDataset(ratio=1.0, num_negative_pairs=cfg.data.num_negative_pairs, cfg=cfg.data)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.time()
    n = 0
    for street, shop, label in make_loader(ds, batch_size=args.batch_size, num_workers=args.workers):
        n += len(label)
    secs = time.time() - t
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"preset {cfg.name}: {len(ds)} pairs ({ds.rows.num_rows} rows), image size {ds.size}, "
          f"{args.workers} workers, batch {args.batch_size}")
    print(f"one epoch: {secs:.1f}s, {n / secs:.0f} pairs/s ({2 * n / secs:.0f} images/s)")
    print(f"peak RSS: main process {me:.0f} MiB (before the epoch {rss0 / 1024:.0f} MiB), largest worker {kids:.0f} MiB")


if __name__ == "__main__":
    main()
