"""Exit 1 unless the code here loads a preset's data exactly as an earlier cache holds it: rows, columns and every photo's bytes.

    python tools/compare_data.py CACHED [--preset default]

`CACHED` is a data set folder an earlier run left: a cache folder of `load_street2shop` (`report.json` and one Arrow
file a split) or a `save_to_disk` folder. A change to how the data is stored (the photo store, the cache layout) must
leave every row's values and every row's photos byte for byte the same, whether a row holds its photo's bytes or
refers to a stored file; the data loads into the current `S2S_CACHE`.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from datasets import Dataset, DatasetDict, Image as ImageFeature, load_from_disk

from s2s_search.config import get_preset
from s2s_search.data import load_street2shop


def read(folder: Path) -> DatasetDict:
    "The splits of an earlier data cache, either layout"
    if (folder / "report.json").exists():
        return DatasetDict({s: Dataset.from_file(str(folder / f"{s}.arrow")) for s in json.loads((folder / "report.json").read_text())["rows"]})
    return load_from_disk(str(folder))


def photo_bytes(ds: Dataset, column: str) -> list[bytes]:
    "Each row's photo bytes, read once per stored file"
    files: dict = {}
    return [c["bytes"] if c["bytes"] is not None else files.setdefault(c["path"], Path(c["path"]).read_bytes())
            for c in ds.cast_column(column, ImageFeature(decode=False))[column]]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cached", type=Path)
    ap.add_argument("--preset", default="default")
    args = ap.parse_args()
    t = time.time()
    new, old = load_street2shop(cfg=get_preset(args.preset).data, verbose=False), read(args.cached)
    print(f"loaded in {time.time() - t:.0f} s")
    differ = [] if list(new) == list(old) else [f"splits {list(old)} != {list(new)}"]
    for s in old:
        a, b = old[s], new.get(s)
        if b is None or (a.column_names, a.features, a.num_rows) != (b.column_names, b.features, b.num_rows):
            differ.append(f"{s}: columns, features or row count"); continue
        for c in a.column_names:
            same = photo_bytes(a, c) == photo_bytes(b, c) if isinstance(a.features[c], ImageFeature) else a[c] == b[c]
            if not same: differ.append(f"{s}.{c}")
        print(f"{s}: {a.num_rows} rows, {len(a.column_names)} columns" + ("" if not differ else f"; different: {differ}"))
    print("the same data" if not differ else f"different: {', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
