"""The main job behind `make reproduce`: run the experiment notebook with papermill and print its results table.

`python tools/reproduce.py --preset default` rebuilds data, models, numbers and figures into `readme_data/`
(trained models and indexes are cached under `S2S_CACHE`, keyed by their full configuration, so a second run
reuses them). `--scratch` writes into a temporary directory instead (what `make test` does on the smoke preset),
so the committed figures are never touched by a test.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "nbs" / "experiments" / "performance.ipynb"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default=os.environ.get("S2S_PRESET", "default"))
    ap.add_argument("--out-dir", default=str(ROOT / "readme_data"), help="where figures and results go")
    ap.add_argument("--scratch", action="store_true", help="write into a temporary directory (tests)")
    args = ap.parse_args()
    import papermill as pm

    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp) / "readme_data" if args.scratch else Path(args.out_dir).resolve()
        run_nb = (Path(tmp) if args.scratch else ROOT / "runs") / f"performance-{args.preset}.ipynb"
        run_nb.parent.mkdir(parents=True, exist_ok=True)
        t = time.time()
        print(f"running {EXPERIMENT.relative_to(ROOT)} on the {args.preset!r} preset -> {out_dir} (executed copy: {run_nb})", flush=True)
        try:
            pm.execute_notebook(str(EXPERIMENT), str(run_nb), kernel_name="python3", cwd=str(EXPERIMENT.parent),
                                parameters={"preset": args.preset, "out_dir": str(out_dir), "progress": not args.scratch},
                                progress_bar=False, stdout_file=sys.stdout, stderr_file=sys.stderr)
        except pm.PapermillExecutionError as e:
            print(f"\nthe experiment notebook failed in cell {e.exec_count}: {e.ename}: {e.evalue}\n(executed copy: {run_nb})")
            return 1
        if not args.scratch and out_dir == (ROOT / "readme_data").resolve():  # the README shows this run's table: keep it in step
            sys.path.insert(0, str(ROOT / "tools"))
            import make_readme
            make_readme.README.write_text(make_readme.render())
            print(f"rewrote {make_readme.README.relative_to(ROOT)} with this run's results table")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
        print(f"\nreproduce ({args.preset}) finished in {(time.time() - t) / 60:.1f} min; peak resident memory {peak:.2f} GiB")
        print((out_dir / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
