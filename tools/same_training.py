"""Train the smoke preset's components with the code of a commit and with the working tree; exit 1 unless the weights agree.

    python tools/same_training.py HEAD~1      # e.g. after a refactor of a training loop

A change meant to keep behaviour (moving a loop, a config or a cache key around) is checked by what it trains: every
embedder family (the Xception with mining and distillation on, as the default preset trains it), the attribute
captioner (long enough to stop early) and the re-ranker, each in its own fresh cache, on one thread. Prints each
component's weights checksum and validation history on both sides.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TRAIN = r'''
import json, os, sys
sys.path.insert(0, sys.argv[1])
import torch; torch.set_num_threads(1)
import s2s_search
assert s2s_search.__file__.startswith(sys.argv[1]), s2s_search.__file__
from s2s_search.config import get_preset, override
from s2s_search.train import fit_embedder
from s2s_search.rerank import train_reranker
from s2s_search.caption import train_captioner
from s2s_search.models import state_dict_checksum
smoke = override(get_preset("smoke"), {"train.per_family": {"xception": {"distil_from": "resnet18", "mine_from": 1, "epochs": 3}},
                                       "caption.train.epochs": 14, "caption.train.patience": 2, "caption.train.lr": 0.01})
out = {}
for family in ("clip_vit", "resnet18", "xception"):
    m, rec = fit_embedder(smoke, family, progress=False, device="cpu")
    out[family] = [m.weights_checksum(), [round(h["val_mAP"], 6) for h in rec["history"]]]
cap, rec = train_captioner(smoke, progress=False, device="cpu")
out["captioner"] = [state_dict_checksum(cap), [round(h["val_score"], 6) for h in rec["history"]]]
rr, rec = train_reranker(smoke, "clip_vit", progress=False, device="cpu")
out["reranker"] = [rr.weights_checksum(), [round(h["val_mAP"], 6) for h in rec["history"]]]
print(json.dumps(out))
'''


def trained(code_root: Path, cache: Path) -> dict:
    "Each component's [weights checksum, validation history] when trained by the code under `code_root`"
    env = {**os.environ, "S2S_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", TRAIN, str(code_root)], env=env, capture_output=True, text=True)
    if out.returncode: sys.exit(f"training with the code under {code_root} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(rev: str) -> int:
    with tempfile.TemporaryDirectory(prefix="s2s-same-") as tmp:
        tmp = Path(tmp)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tmp / "old"), rev], check=True)
        try:
            old, new = trained(tmp / "old", tmp / "cache-old"), trained(ROOT, tmp / "cache-new")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "old")], check=False)
    differ = [k for k in old if old[k] != new.get(k)]
    for k in old:
        print(f"{k:10s} {rev}: {old[k][0]} {old[k][1]}\n{'':10s} now: {new[k][0]} {new[k][1]}{'  DIFFERENT' if k in differ else ''}")
    print("same weights" if not differ else f"different: {', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 2: sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
