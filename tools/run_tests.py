"""The test suite behind `make test`: every notebook's tests through nbdev, plus repository checks.

Each notebook runs in its own process with nbdev's `test_nb` (what `nbdev_test` runs), skipping cells flagged
with the `tst_flags` of settings.ini (`slow`, `gpu`). The last line printed is `N passed, N failed`, where N
counts the notebooks and checks that really executed; notebooks marked `skip_exec` are reported as skipped.
"""
from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
import time
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "nbs" / "experiments" / "performance.ipynb"


def settings() -> configparser.SectionProxy:
    "settings.ini's DEFAULT section (nbdev's settings)"
    cp = configparser.ConfigParser(delimiters=["="]); cp.read(ROOT / "settings.ini")
    return cp["DEFAULT"]


def skip_flags() -> set[str]:
    "The nbdev test flags whose cells `make test` skips unless asked for: settings.ini's `tst_flags`"
    return set(settings().get("tst_flags", "").split())


def notebooks() -> list[Path]:
    "Library and experiment notebooks, in reading order"
    return sorted(p for p in (ROOT / "nbs").rglob("*.ipynb")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(ROOT / "nbs").parts))


def _run_notebook(path: str, skip_flags: list[str]) -> tuple[str, str, float, str]:
    "Run one notebook's tests in this (worker) process: (path, status, seconds, error text)"
    import io, contextlib
    from nbdev.test import test_nb
    from nbdev.process import NBProcessor
    from nbdev.frontmatter import FrontmatterProc
    nb = NBProcessor(Path(path), procs=FrontmatterProc, process=True).nb
    if str(getattr(nb, "frontmatter_", {}).get("skip_exec", "")).lower() == "true":
        return path, "skipped", 0.0, "skip_exec"
    if not any(c.cell_type == "code" and c.source.strip() for c in nb.cells):
        return path, "skipped", 0.0, "no code cells"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        ok, secs = test_nb(Path(path), skip_flags=skip_flags, showerr=True, basepath=str(ROOT))
    return path, "passed" if ok else "failed", secs, err.getvalue()


def _run_in_subprocess(path: str, skip_flags: list[str]) -> tuple[str, str, float, str]:
    "Run `_run_notebook` in a fresh interpreter, so notebooks cannot affect each other"
    r = subprocess.run([sys.executable, __file__, "--one", path, "--skip", " ".join(skip_flags)], cwd=ROOT,
                       capture_output=True, text=True)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    try: return tuple(json.loads(last))
    except ValueError: return path, "failed", 0.0, f"test process died (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"


SKIPPED_EXIT = 77  # a check that cannot run here (e.g. no browser) exits with this and says why on its last line

def _check(name: str, cmd: list[str]) -> tuple[str, str, float, str]:
    t = time.time()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode == SKIPPED_EXIT: return name, "skipped", time.time() - t, (r.stdout.strip().splitlines() or ["skipped"])[-1]
    return name, "passed" if r.returncode == 0 else "failed", time.time() - t, r.stdout + r.stderr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", help="notebooks to test (default: all)")
    ap.add_argument("--flags", default="", help="space-separated tst_flags to run as well (e.g. 'slow')")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--one", help=argparse.SUPPRESS) # internal: test one notebook in this process
    ap.add_argument("--skip", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_run_notebook(args.one, args.skip.split())))
        return 0
    all_flags = sorted(skip_flags())
    skip = [f for f in all_flags if f not in args.flags.split()]
    paths = [Path(p).resolve() for p in args.paths] or notebooks()
    os.environ.setdefault("S2S_PRESET", "smoke")

    results = []
    start = time.time()
    with ThreadPoolExecutor(args.workers) as pool:
        futures = [pool.submit(_run_in_subprocess, str(p), skip) for p in paths]
        for fut in futures:
            path, status, secs, err = fut.result()
            results.append((path, status, secs, err))
            note = f" ({err})" if status == "skipped" else ""
            print(f"{status.upper():8s} {Path(path).relative_to(ROOT)}  ({secs:.1f}s){note}", flush=True)
            if status == "failed": print(err, flush=True)
    if not args.paths:
        checks = [("README.md matches nbs/index.ipynb and readme_data/results.json", [sys.executable, "tools/make_readme.py", "--check"]),
                  ("s2s_search/ matches the notebooks (nbdev_export)", [sys.executable, "tools/check_export.py"]),
                  ("no import circle among s2s_search's modules, imports inside functions included", [sys.executable, "tools/check_imports.py"]),
                  ("numbered notebooks carry their outputs, free of machine paths; nbs/ under 5 MiB",
                   [sys.executable, "tools/execute_notebooks.py", "--check"])]
        if EXPERIMENT.exists():
            checks.append(("experiment notebook runs through papermill (smoke preset, temporary directory)",
                           [sys.executable, "-m", "s2s_search.cli", "reproduce", "--preset", "smoke", "--scratch"]))
        checks.append(("search page in headless Chromium: upload, click a garment, true product in the first 5",
                       [sys.executable, "tools/browser_test.py"]))
        checks.append(("rehearsal: the street2shop run offline on fabricated real-architecture checkpoints (tools/rehearse.py)",
                       [sys.executable, "tools/rehearse.py"]))
        for res in (_check(*c) for c in checks):
            results.append(res)
            note = f" ({res[3]})" if res[1] == "skipped" else ""
            print(f"{res[1].upper():8s} {res[0]}  ({res[2]:.1f}s){note}", flush=True)
            if res[1] == "failed": print(res[3], flush=True)

    n = {s: sum(r[1] == s for r in results) for s in ("passed", "failed", "skipped")}
    print(f"\ntests took {time.time() - start:.0f}s")
    print(f"{n['passed']} passed, {n['failed']} failed" + (f", {n['skipped']} skipped" if n["skipped"] else ""))
    return 1 if n["failed"] or not n["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())
