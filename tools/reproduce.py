"""The main job behind `make reproduce`: rebuild the embedded data set, then run the experiment notebooks.

Until the experiment notebook (`nbs/experiments/performance.ipynb`) exists, this builds (or loads from its
cache) the data set of the chosen preset, prints its sizes and cleaning report, and says so. It never writes a
result it did not compute.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "nbs" / "experiments" / "performance.ipynb"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default=os.environ.get("S2S_PRESET", "default"))
    args = ap.parse_args()
    os.environ["S2S_PRESET"] = args.preset
    from s2s_search.core import get_preset
    from s2s_search.data import load_street2shop, load_report

    cfg = get_preset(args.preset)
    t = time.time()
    dd = load_street2shop(cfg=cfg.data)
    print(f"data ({cfg.name} preset, source {cfg.data.source!r}) ready in {time.time() - t:.1f}s")
    for split, ds in dd.items():
        print(f"  {split:20s} {ds.num_rows:6d} rows  {len(set(ds['product_id'])):5d} products")
    print(f"  cleaning report: {load_report(cfg=cfg.data)['dropped']}")
    if not EXPERIMENT.exists():
        print(f"\nThe experiment notebook {EXPERIMENT.relative_to(ROOT)} does not exist yet: no models are trained "
              "and no results are produced by this run.")
        return 0
    import papermill as pm
    out = ROOT / "runs" / f"performance-{cfg.name}.ipynb"
    out.parent.mkdir(exist_ok=True)
    pm.execute_notebook(str(EXPERIMENT), str(out), parameters={"preset": cfg.name}, kernel_name="python3", cwd=str(EXPERIMENT.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
