"""Execute the numbered notebooks on the smoke preset and keep their outputs, so they read with results in JupyterLab.

    python tools/execute_notebooks.py [nbs/03_models.ipynb ...]     # default: every numbered notebook
    python tools/execute_notebooks.py --check                        # outputs present, small, and free of machine paths

Each notebook runs as `make test` runs it (nbdev's shell, cells flagged `slow` or `gpu` skipped, offline), with
`S2S_PRESET=smoke` and a fresh temporary cache. Its code cells' outputs are written back: standard output, tables and
figures; standard error (progress bars, library warnings) is dropped. Paths of this machine (the checkout, the
temporary cache, the home folder) are replaced by placeholders, then `nbdev_clean` tidies the metadata.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import run_tests  # tools/run_tests.py, beside this script: the test flags `make test` skips

ROOT = Path(__file__).resolve().parents[1]
MAX_NBS_BYTES = 5 * 2**20  # all of nbs/, outputs included
MACHINE_PATH = re.compile(r"(/tmp/|/var/folders/|/home/[^/\s]+/|/root/|/work/|/private/var/)")


def numbered_notebooks() -> list[Path]:
    return sorted(p for p in (ROOT / "nbs").glob("[0-9][0-9]*_*.ipynb"))


def _flags(source: str) -> set[str]:
    "The nbdev directives of a cell's leading `#|` lines (e.g. {'export'}, {'slow'}, {'eval: false'})"
    out = set()
    for line in source.splitlines():
        if not line.startswith("#|"): break
        out.add(line[2:].strip())
    return out


def execute(path: Path) -> None:
    "Run `path` in this process's nbdev shell and write its outputs back into the file"
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from s2s_search.report import scrub_outputs
    cache = tempfile.mkdtemp(prefix="s2s-nb-")
    os.environ.update(S2S_PRESET="smoke", S2S_CACHE=cache, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
                      TRANSFORMERS_OFFLINE="1", YOLO_OFFLINE="1", IN_TEST="1")
    nb = read_nb(path)
    skip_flags = run_tests.skip_flags() | {"eval: false"}
    skip = lambda c: c.cell_type != "code" or bool(_flags(c.source) & skip_flags)
    shell = CaptureShell(path)
    shell.run_cell(f"import sys; sys.path.insert(0, {str(ROOT)!r})")
    cwd = os.getcwd(); os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    replacements = sorted({(cache, "<cache>"), (str(ROOT), "<checkout>"), (tempfile.gettempdir() + "/", "<tmp>/"),
                           (str(Path.home()) + "/", "~/")}, key=lambda r: -len(r[0]))
    for c in nb.cells:
        if c.cell_type != "code": continue
        c["outputs"], c["execution_count"] = scrub_outputs(c.get("outputs", []), replacements), None
    write_nb(nb, path)


def check(paths: list[Path]) -> list[str]:
    "What is wrong with the committed outputs: a notebook without any, a machine path, nbs/ over its size"
    problems = []
    for p in paths:
        nb = json.loads(p.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        if not any(c.get("outputs") for c in code): problems.append(f"{p.relative_to(ROOT)} has no outputs")
        for i, c in enumerate(code):
            for o in c.get("outputs", []):
                text = json.dumps({k: v for k, v in o.items() if k in ("text", "data")})
                text = re.sub(r'"image/png": "[^"]*"', "", text)  # base64 pictures hold no paths
                if m := MACHINE_PATH.search(text):
                    problems.append(f"{p.relative_to(ROOT)}: code cell {i} shows a machine path ({m.group(0)}...)")
    size = sum(f.stat().st_size for f in (ROOT / "nbs").rglob("*.ipynb"))
    if size > MAX_NBS_BYTES: problems.append(f"nbs/ holds {size / 2**20:.1f} MiB of notebooks, over {MAX_NBS_BYTES / 2**20:.0f} MiB")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every numbered notebook)")
    ap.add_argument("--check", action="store_true", help="check the committed outputs instead of executing")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: execute one notebook in this process
    args = ap.parse_args()
    if args.one:
        execute(args.one.resolve()); return 0
    paths = [p.resolve() for p in args.paths] or numbered_notebooks()
    if args.check:
        problems = check(paths)
        print("\n".join(problems) if problems else f"{len(paths)} notebooks have outputs, free of machine paths")
        return 1 if problems else 0
    failed = []
    for p in paths:
        print(f"executing {p.relative_to(ROOT)}", flush=True)
        r = subprocess.run([sys.executable, __file__, "--one", str(p)], cwd=ROOT)  # one process each, as the tests run them
        if r.returncode: failed.append(p.name)
    subprocess.run([str(Path(sys.executable).parent / "nbdev_clean")], cwd=ROOT, check=True)
    problems = check(paths)
    for line in problems: print(line)
    if failed: print(f"failed: {', '.join(failed)} (their files are unchanged)")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
