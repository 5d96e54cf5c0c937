"""Render `nbs/index.ipynb` to `README.md` (quarto, which `nbdev_readme` needs, cannot be installed here).

Cells flagged `#| hide` are left out and `#|` directive lines are removed, as nbdev does.
The results table of the last reproduce run (`readme_data/results.md`, rendered from `results.json`) is pasted
between the `<!-- results:begin -->` and `<!-- results:end -->` markers of the notebook.
`python tools/make_readme.py --check` exits 1 when README.md differs from what the notebook renders, or when the
README's table, `results.json` and the committed figures disagree (`s2s_search.report.check_results`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]
TWO_COMMANDS = "make reproduce\nmake test"
INDEX, README = ROOT / "nbs" / "index.ipynb", ROOT / "README.md"
RESULTS_DIR = ROOT / "readme_data"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _with_results(text: str) -> str:
    "`text` with the results table of `readme_data/results.md` between the markers"
    if BEGIN not in text or not (RESULTS_DIR / "results.md").exists(): return text
    head, rest = text.split(BEGIN, 1)
    return f"{head}{BEGIN}\n{(RESULTS_DIR / 'results.md').read_text().strip()}\n{END}{rest.split(END, 1)[1]}"


def _directives(cell) -> list[str]:
    return [l[3:].strip() for l in cell.source.splitlines() if l.startswith("#| ")]


def render(index: Path = INDEX) -> str:
    "Markdown of `index` as README.md shows it"
    nb = nbformat.read(index, as_version=4)
    cells = []
    for cell in nb.cells:
        if "hide" in _directives(cell): continue
        if cell.cell_type == "code":
            cell.source = "\n".join(l for l in cell.source.splitlines() if not l.startswith("#|")).strip()
        cells.append(cell)
    nb.cells = cells
    body, _ = MarkdownExporter().from_notebook_node(nb)
    return _with_results(body.strip() + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args()
    text = render()
    if args.check:
        first_block = text.split("```")[1].split("\n", 1)[1].strip() if "```" in text else ""
        if first_block != TWO_COMMANDS:
            print(f"README's first code block must be exactly the two commands {TWO_COMMANDS!r}, found {first_block!r}")
            return 1
        if README.read_text() != text:
            print("README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`")
            return 1
        if (RESULTS_DIR / "results.json").exists():
            from s2s_search.report import check_results
            problems = check_results(RESULTS_DIR, README)
            if problems:
                print("readme_data/ and README.md do not agree with results.json:\n  " + "\n  ".join(problems))
                return 1
        return 0
    README.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
