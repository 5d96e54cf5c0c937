"""Time Synthetic Street2Shop generation for a preset and print the dataset sizes.

Usage: python benchmarks/synth_generation.py [preset] [--workers N]
Generates from scratch (no cache) so the time is the generator's own.
"""
import argparse
import dataclasses
import os
import resource
import tempfile
import time
from pathlib import Path

from s2s_search.config import get_preset
from s2s_search.synth import generate_street2shop
from s2s_search.synth_products import near_duplicate_share, sample_products


def _cpu_seconds() -> float:
    "User + system CPU seconds of this process and its finished child processes"
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("preset", nargs="?", default="default")
    ap.add_argument("--workers", type=int, default=None, help="override cfg.workers")
    args = ap.parse_args()
    load0 = f"{os.getloadavg()[0]:.2f}"
    cfg = get_preset(args.preset).data.synth
    if args.workers is not None: cfg = dataclasses.replace(cfg, workers=args.workers)
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    dd = generate_street2shop(cfg, progress=False)
    t_gen, cpu = time.perf_counter() - t0, _cpu_seconds() - cpu0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        dd.save_to_disk(tmp)
        t_save = time.perf_counter() - t0
        mb = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file()) / 2**20
    print(f"preset={args.preset} workers={cfg.workers} cpus={os.cpu_count()}")
    print(f"load average before/after: {load0} / {os.getloadavg()[0]:.2f} (other processes slow the wall time down)")
    print(f"generate: {t_gen:.1f} s wall, {cpu:.1f} s CPU in this process and its workers "
          f"(about {cpu / max(min(cfg.workers, os.cpu_count()), 1):.0f} s wall on an otherwise idle machine), save_to_disk: {t_save:.1f} s, on disk: {mb:.0f} MiB")
    for split, ds in dd.items():
        print(f"  {split}: {len(ds)} rows, {len(set(ds['product_id']))} products")
    print(f"near-duplicate share of the product specs: {near_duplicate_share(sample_products(cfg)):.3f}")


if __name__ == "__main__":
    main()
