"""Load test of `s2s-search serve` on loopback: one client at a time versus 8 concurrent clients.

    python benchmarks/serve_load.py [--preset default] [--requests 400] [--clients 8]

Starts the service in a subprocess over a temporary catalogue (the preset's models must be trained: `make
reproduce`), warms it up, then sends street photos of the test split to `POST /search` (whole photos, the full
pipeline): first `--sequential` requests from one client, one after the other; then `--requests` requests from
`--clients` concurrent clients. Prints queries/s, p50/p95 latency and errors of each, the service's batches, and
its resident memory after warm-up and after the run. Bounded: it stops by itself after the requests are sent.
"""
from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def rss_mib(pid: int) -> float:
    "Resident memory of process `pid` in MiB (Linux /proc)"
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    return float("nan")


def run_clients(url: str, photos: list[bytes], n_requests: int, n_clients: int) -> dict:
    "Send `n_requests` searches from `n_clients` threads; latencies in ms, errors, wall seconds"
    import httpx
    lat, errors, lock, counter = [], [], threading.Lock(), iter(range(n_requests))

    def client():
        with httpx.Client(timeout=120) as c:
            while True:
                with lock: i = next(counter, None)
                if i is None: return
                t = time.perf_counter()
                try:
                    r = c.post(url + "/search", files={"image": ("q.png", photos[i % len(photos)], "image/png")}, data={"k": "10"})
                    ok = r.status_code == 200 and len(r.json()["hits"]) == 10
                except httpx.HTTPError as e: ok, r = False, e
                with lock:
                    lat.append(1000 * (time.perf_counter() - t))
                    if not ok: errors.append(str(getattr(r, "status_code", r)))

    t = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    for th in threads: th.start()
    for th in threads: th.join()
    wall = time.perf_counter() - t
    return {"requests": n_requests, "clients": n_clients, "seconds": wall, "qps": n_requests / wall,
            "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)), "errors": len(errors)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default")
    ap.add_argument("--requests", type=int, default=400, help="requests of the concurrent run")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--sequential", type=int, default=100, help="requests of the one-client run")
    ap.add_argument("--warmup", type=int, default=200, help="concurrent requests before memory is first read")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from s2s_search.cli import config_from_args
    from s2s_search.data import load_street2shop
    from s2s_search.gallery import query_images
    cfg = config_from_args(args.preset)
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    rows = np.random.default_rng(0).choice(test.num_rows, 100, replace=False)
    photos = []
    for img in query_images(test, rows, "full"):
        buf = io.BytesIO(); img.save(buf, "PNG"); photos.append(buf.getvalue())

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    url, state = f"http://127.0.0.1:{port}", tempfile.mkdtemp(prefix="s2s-load-")
    proc = subprocess.Popen([sys.executable, "-m", "s2s_search.cli", "serve", "--preset", args.preset, "--port", str(port),
                             "--state", state, "-q"], cwd=ROOT)
    try:
        import httpx
        t = time.time()
        while True:
            if proc.poll() is not None: print(f"the service exited with code {proc.returncode}"); return 1
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200: break
            except httpx.HTTPError: time.sleep(0.5)
            if time.time() - t > 600: print("the service did not start within 600 s"); return 1
        print(f"service of the {args.preset!r} preset up in {time.time() - t:.1f} s; {os.cpu_count()} CPU cores", flush=True)
        run_clients(url, photos, args.warmup, args.clients)  # warm-up: every code path and batch size, the allocators' pools
        warm = rss_mib(proc.pid)
        one = run_clients(url, photos, args.sequential, 1)
        many = run_clients(url, photos, args.requests, args.clients)
        after = rss_mib(proc.pid)
        stats = httpx.get(url + "/stats").json()
        print(f"\n| clients | requests | queries/s | p50 ms | p95 ms | errors |\n|---|---|---|---|---|---|")
        for r in (one, many):
            print(f"| {r['clients']} | {r['requests']} | {r['qps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['errors']} |")
        print(f"\nspeed-up of {args.clients} concurrent clients over one: {many['qps'] / one['qps']:.2f}x; "
              f"mean batch {stats['requests'] / max(stats['batches'], 1):.1f} photos over {stats['batches']} batches")
        print(f"resident memory: {warm:.0f} MiB after warm-up, {after:.0f} MiB after the run ({after - warm:+.0f} MiB)")
        return 0 if many["errors"] == 0 and one["errors"] == 0 else 1
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill()


if __name__ == "__main__":
    sys.exit(main())
