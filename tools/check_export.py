"Exit 1 when `nbdev_export` would change `s2s_search/`: the committed module must be what the notebooks export."
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "s2s_search"


def _differences(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    out = [f"{p}: only in one side" for p in cmp.left_only + cmp.right_only]
    out += [f"{p}: differs" for p in cmp.diff_files]
    for sub in cmp.common_dirs: out += _differences(a / sub, b / sub)
    return out


with tempfile.TemporaryDirectory() as tmp:
    before = Path(tmp) / "before"
    shutil.copytree(LIB, before, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([str(Path(sys.executable).parent / "nbdev_export")], cwd=ROOT, check=True)
    diff = _differences(before, LIB)
    if diff:
        print("nbdev_export changed s2s_search/ (commit the exported module with its notebooks):\n  " + "\n  ".join(diff))
        sys.exit(1)
