"""The real Street2Shop run, rehearsed offline: `make rehearse` (also a check of `make test`).

Lays the real world out in a temporary folder and runs the unchanged code on it:
- the data set `petr7555/street2shop` as parquet shards in the Hugging Face hub cache, in exactly its schema
  (`DESIGN.md`, "The real data set"): integer `street_photo_id`, `product_id` and `shop_photo_id`, one row per (street
  garment, shop photo) pair, two garments per street photo, three shop photos per product, JPEG bytes; among the street
  photos two of 22 MP (5760x3840), one of 48 MP (over the 40 MP guard for uploads: the loader decodes it reduced, as it
  does the 22 MP ones, to the preset's 1,440-pixel working copies, and scales the boxes with them) and one with an EXIF
  orientation tag whose right-hand box fits only the stored frame. Each product is painted its own colour
  (`s2s_search.painted`), so that
- a plumbing check can use an embedder that cannot be wrong (`painted.PaintReader`): through the project's own loader,
  gallery, queries and evaluation (oracle crops), and through the pipeline's ranking (oracle crops, and full photos
  with the annotated boxes as the detector's; no text or re-ranker), it must score top-1 100% with one query per
  distinct garment and every distinct shop photo in the gallery;
- randomly initialised checkpoints of exactly the real architectures under their real repository ids and file names,
  where each library looks: timm `legacy_xception` (torch hub), `resnet18.a1_in1k` and `mobilevit_s.cvnets_in1k` (hub),
  open_clip `ViT-B-32`/`openai` (hub), BLIP-2 under `Salesforce/blip2-opt-2.7b` as a tiny configuration of the same
  classes, and `yolov8s.pt` built from `yolov8s.yaml` where ultralytics looks; MiniLM is the real one;
- `HF_HUB_OFFLINE=1` and friends, a temporary `HF_HOME`, `TORCH_HOME` and `S2S_CACHE`.

Then `s2s-search preflight --preset street2shop` must report everything present, the experiment notebook runs through
papermill with the `street2shop` preset (only sizes overridden: rows, epochs, batch sizes), its table must hold the
zero-shot rows of the pretrained families (the models before fine-tuning), and every pretrained load is checked
against the fabricated file: the models the run builds hold the fabricated tensors. Prints its wall time.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "nbs" / "experiments" / "performance.ipynb"
# only sizes change: rows (the data written below), epochs, batch sizes, bootstrap rounds
OVERRIDES = {"train.epochs": 1, "train.batch_size": 8, "train.num_workers": 0, "train.warmup_steps": 2, "train.patience": 1,
             "train.per_family.xception.batch_size": 8, "train.per_family.clip_vit.batch_size": 8,
             "detect.train.epochs": 1, "detect.train.batch_size": 4, "rerank.train.epochs": 1, "rerank.train.batch_size": 8, "rerank.train.warmup_steps": 2,
             "eval.n_bootstrap": 100, "index.batch_size": 16, "pipeline.batch_size": 8}


def _offline_env(tmp: Path) -> dict[str, str]:
    return dict(os.environ, HOME=str(tmp / "home"), HF_HOME=str(tmp / "hf"), TORCH_HOME=str(tmp / "torch"), S2S_CACHE=str(tmp / "s2s"),
                YOLO_CONFIG_DIR=str(tmp / "yolo"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                YOLO_OFFLINE="1", S2S_PRESET="street2shop", MPLBACKEND="Agg")


def _digest(t) -> str:
    return hashlib.sha1(t.detach().float().cpu().contiguous().numpy().tobytes()).hexdigest()


def _digests(state: dict) -> list[str]:
    "Fingerprints of the larger tensors of a state dict (random values: equal fingerprints mean the same file was read)"
    return sorted({_digest(v) for v in state.values() if hasattr(v, "numel") and v.numel() >= 1024 and v.is_floating_point()})


def painted_copy() -> dict:
    "The real-schema splits of the rehearsal (see the module's docstring), as lists of rows"
    from PIL import Image
    from s2s_search.painted import painted_split
    def rows(split, products, size, keep_photos=None):
        out = painted_split(split, products, shop_per_product=3, street_size=size)
        photos = list(dict.fromkeys(r["street_photo_id"] for r in out))[:keep_photos]
        return [r for r in out if r["street_photo_id"] in photos]
    train = rows("train", range(0, 20), (640, 480)) + rows("train", [20, 21], (8000, 6000), keep_photos=1)
    test = rows("test", range(32, 48), (640, 480)) + rows("test", [48, 49], (5760, 3840))
    tagged = next(r["street_photo_id"] for r in test if r["street_photo_image"]["bytes"] and r["left"] > 320)  # a 640x480 photo
    exif = Image.Exif(); exif[0x0112] = 6  # "turn 90 degrees to display": people see it 480x640; its right box fits only 640x480
    for r in test:
        if r["street_photo_id"] == tagged:
            buf = io.BytesIO(); Image.open(io.BytesIO(r["street_photo_image"]["bytes"])).save(buf, "JPEG", exif=exif.tobytes(), quality=90)
            r["street_photo_image"] = {"bytes": buf.getvalue(), "path": None}
    return {"train": train, "test": test}


def write_data() -> dict:
    "The painted copy as the hub's parquet shards of `petr7555/street2shop`; rows per split"
    import datasets
    from s2s_search.config import STREET2SHOP_HUB_ID
    from s2s_search.artefacts import write_to_hub_cache
    from s2s_search.painted import FEATURES
    out = {}
    for split, rows in painted_copy().items():
        buf = io.BytesIO(); datasets.Dataset.from_list(rows, features=FEATURES).to_parquet(buf)
        write_to_hub_cache(STREET2SHOP_HUB_ID, f"data/{split}-00000-of-00001.parquet", buf.getvalue(), repo_type="dataset")
        out[split] = len(rows)
    return out


def plumbing(cfg) -> dict:
    "The plumbing check on the rehearsal's data (loaded from the hub cache as a real run loads it); raises AssertionError"
    import numpy as np
    from s2s_search.data import load_report, load_street2shop
    from s2s_search.evaluate import evaluate_embedder, first_hit_rank
    from s2s_search.gallery import build_gallery, query_boxes, query_images, query_indices, query_photos, query_truth
    from s2s_search.painted import PaintedGarmentFinder, PaintReader
    from s2s_search.pipeline import Pipeline
    dd = load_street2shop(cfg=cfg.data, verbose=False)
    test, report = dd["test"], load_report(cfg=cfg.data)
    garments, photos = len(set(zip(test["street_photo_id"], test["product_id"]))), len(set(test["shop_photo_id"]))
    gallery = build_gallery(test)
    oracle = evaluate_embedder(PaintReader(), test, gallery, "oracle", cfg.eval, cfg.index)
    rows = query_indices(test, cfg.eval)
    pipe = Pipeline(PaintReader(), gallery, cfg.pipeline, index_cfg=cfg.index)
    ranked = pipe.rank(pipe.stages(query_images(test, rows, "oracle"), use_detector=False), 10, use_text=False, use_rerank=False)
    truth = query_truth(test, rows)
    street_photos, photo_of = query_photos(test, rows)  # the full-photo protocol: each photo once, each garment by its matching crop
    full = Pipeline(PaintReader(), gallery, cfg.pipeline, detector=PaintedGarmentFinder(), index_cfg=cfg.index)
    by_garment = full.rank_garments(full.stages(query_images(test, street_photos, "full"), use_detector=True), photo_of, query_boxes(test, rows), 10,
                                    use_text=False, use_rerank=False)
    out = {"pair_rows": test.num_rows, "garments": garments, "queries": len(oracle.rows), "shop_photos": photos, "gallery": len(gallery.product_ids),
           "evaluation_top1": oracle.summary["overall"]["top_1"]["value"], "pipeline_top1": float((first_hit_rank(ranked.product_ids, truth) == 1).mean()),
           "full_photo_top1": float((first_hit_rank(by_garment.product_ids, truth) == 1).mean()), "photos": len(street_photos),
           "dropped": report["dropped"], "photos_decoded": report["photos"], "orientation_tagged_boxes": report["orientation_tagged_boxes"]}
    assert out["queries"] == garments and out["gallery"] == photos, out
    assert out["evaluation_top1"] == 1.0 and out["pipeline_top1"] == 1.0 and out["full_photo_top1"] == 1.0, out
    assert report["dropped"]["train"] == {} and report["photos"]["train"]["reduced"] >= 1, report  # the 48 MP photo: kept, reduced
    assert report["photos"]["test"]["reduced"] >= 2, report["photos"]  # the 22 MP photos, whose garments scored 100% above
    assert max(max(im.size) for im in query_images(test, street_photos, "full")) <= cfg.data.working_side, "a photo larger than its working copy"
    assert report["orientation_tagged_boxes"]["test"].get("fits the stored frame only", 0) > 0, report["orientation_tagged_boxes"]
    return out


def fabricate(cfg) -> dict[str, list[str]]:
    "Random checkpoints of the real architectures where their loaders look; role -> fingerprints of what was written"
    import torch
    from safetensors.torch import save as save_safetensors
    from s2s_search.runtime import write_atomic
    from s2s_search.artefacts import preset_needs, write_to_hub_cache
    written = {}
    for row in preset_needs(cfg):
        a = row.artefact
        if a is None or a.package or a.repo_type == "dataset": continue
        torch.manual_seed(len(written) + 1)
        if (m := re.fullmatch(r"timm (\S+?)\.\S+ weights", a.name)):
            import timm
            state = timm.create_model(m.group(1), pretrained=False).state_dict()
        elif (m := re.fullmatch(r"open_clip (\S+) \S+ weights", a.name)):
            import open_clip
            state = open_clip.create_model(m.group(1), pretrained=None).state_dict()
        elif a.name.startswith("BLIP-2"):
            from s2s_search.testing import tiny_blip2
            with tempfile.TemporaryDirectory() as d:
                tiny_blip2(d, seed=len(written) + 1)
                for f in Path(d).iterdir(): write_to_hub_cache(a.hf_repo, f.name, f.read_bytes())
                from safetensors.torch import load_file
                written[row.role] = _digests(load_file(str(Path(d) / "model.safetensors")))
            continue
        elif a.name.startswith("ultralytics"):
            from ultralytics import YOLO
            yolo = YOLO(Path(a.paths[0]).stem + ".yaml")
            a.paths[0].parent.mkdir(parents=True, exist_ok=True)
            yolo.save(str(a.paths[0]))  # ultralytics stores half precision, as the published file does: compare what it reads back
            written[row.role] = _digests(YOLO(str(a.paths[0])).model.float().state_dict())
            continue
        else: raise ValueError(f"the rehearsal cannot fabricate {a.name!r} ({row.role})")
        state = {k: v.contiguous() for k, v in state.items()}
        if a.hf_repo:
            name = a.filenames[0]
            if name.endswith(".safetensors"): data = save_safetensors(state)
            else: buf = io.BytesIO(); torch.save(state, buf); data = buf.getvalue()
            write_to_hub_cache(a.hf_repo, name, data)
        else:
            buf = io.BytesIO(); torch.save(state, buf); write_atomic(a.paths[0], buf.getvalue())
        written[row.role] = _digests(state)
    return written


def loaded(cfg) -> dict[str, list[str]]:
    "Fingerprints of what the code's own factories load for each pretrained component (as the run built them)"
    from s2s_search.models import create_embedder
    from s2s_search.rerank import create_reranker
    from s2s_search.detect import create_detector
    from s2s_search.caption import create_captioner
    out = {}
    for role, name in (("Xception", cfg.model.xception), ("CLIP ViT", cfg.model.clip_vit), ("resnet18 baseline", cfg.model.resnet18)):
        out[role] = _digests(create_embedder(name, embedding_dim=cfg.model.embedding_dim, pretrained=cfg.model.pretrained).backbone.state_dict())
    out["re-ranker"] = _digests(create_reranker(cfg.rerank.model, cfg.rerank.dim, cfg.rerank.hidden, pretrained=cfg.model.pretrained)
                                .encoder.backbone.state_dict())
    out["detector"] = _digests(create_detector(cfg.detect.model, cfg=cfg.detect).yolo.model.state_dict())
    out["captioner"] = _digests(create_captioner(cfg.caption.model).model.state_dict())
    return out


def _stage(name: str) -> int:
    "Run one stage of the rehearsal in this (offline, temporary) environment; print a JSON line"
    from s2s_search.config import get_preset
    cfg = get_preset("street2shop", OVERRIDES)
    if name == "fabricate":
        rows = write_data()
        print(json.dumps({"data": rows, "weights": fabricate(cfg)}))
    elif name == "plumbing":
        print(json.dumps(plumbing(cfg)))
    else:
        print(json.dumps(loaded(cfg)))
    return 0


def _run(cmd: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    t = time.time()
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    print(f"{what}: exit {r.returncode} in {time.time() - t:.0f} s", flush=True)
    if r.returncode: print(r.stdout[-4000:], r.stderr[-6000:], sep="\n")
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    ap.add_argument("--stage", choices=("fabricate", "plumbing", "loaded"), help=argparse.SUPPRESS)  # internal: one stage in the rehearsal's environment
    args = ap.parse_args()
    if args.stage: return _stage(args.stage)
    t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="s2s-rehearsal-"))
    env = _offline_env(tmp)
    try:
        r = _run([sys.executable, __file__, "--stage", "fabricate"], env, "wrote the data set and the checkpoints")
        if r.returncode: return 1
        made = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"  data set: {made['data']} rows; checkpoints: {', '.join(made['weights'])}")
        r = _run([sys.executable, __file__, "--stage", "plumbing"], env, "plumbing check: an embedder that cannot be wrong, real schema")
        if r.returncode: return 1
        got = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"  {got['pair_rows']} test pair rows: {got['queries']} queries for {got['garments']} garments, a gallery of {got['gallery']} "
              f"shop photos; top-1 {got['evaluation_top1']:.0%} (evaluation), {got['pipeline_top1']:.0%} (pipeline ranking, oracle crops), "
              f"{got['full_photo_top1']:.0%} (pipeline, {got['photos']} full photos once each, annotated boxes as the detector)")
        print(f"  dropped: {got['dropped']}; photos decoded once each: {got['photos_decoded']}; orientation-tagged boxes: {got['orientation_tagged_boxes']}")
        r = _run([sys.executable, "-m", "s2s_search.cli", "preflight", "--preset", "street2shop"], env, "preflight")
        print("\n".join("  " + line for line in r.stdout.strip().splitlines()))
        if r.returncode: return 1
        out_dir = tmp / "readme_data"
        code = ("import papermill as pm, sys; pm.execute_notebook(sys.argv[1], sys.argv[2], kernel_name='python3', cwd=sys.argv[3], "
                "progress_bar=False, parameters={'preset': 'street2shop', 'out_dir': sys.argv[4], 'progress': False, "
                f"'n_samples': 3, 'overrides': {OVERRIDES!r}}})")
        r = _run([sys.executable, "-c", code, str(EXPERIMENT), str(tmp / "performance-street2shop.ipynb"), str(EXPERIMENT.parent), str(out_dir)],
                 env, "experiment notebook on the street2shop preset")
        if r.returncode: return 1
        results = json.loads((out_dir / "results.json").read_text())
        figures = sorted(p.name for p in out_dir.glob("*.png"))
        zero_shot = {(r["system"], r["setting"]): r["overall"]["top_1"]["value"] for r in results["table"] if r["system"].endswith("zero-shot")}
        print("  zero-shot rows (random weights here, so near chance): " + ", ".join(f"{n}, {s} {v:.0%}" for (n, s), v in zero_shot.items()))
        if not {(f"{n} zero-shot", s) for n in ("Xception", "CLIP ViT") for s in ("oracle crop", "full photo")} <= set(zero_shot):
            print("FAILED: the table lacks a zero-shot row of the Xception or the CLIP ViT"); return 1
        print(f"  results and figures: {', '.join(sorted(p.name for p in out_dir.iterdir()))}")
        for rec in results.get("training", {}).values():  # CPU rates of the real architectures: the basis of the README's estimates
            print(f"  training {rec['name']}: {rec['steps'] * rec['batch_size'] / rec['train_seconds']:.2f} street/shop pairs/s (validation included)")
        if (tp := results.get("pipeline", {}).get("throughput")):
            print(f"  pipeline: {tp['queries_per_s']:.2f} queries/s; ms per query: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(tp["ms_per_query"].items())))
        print(f"  experiment: {results['wall_seconds']:.0f} s, peak resident memory {results['peak_rss_gib']} GiB")
        r = _run([sys.executable, __file__, "--stage", "loaded"], env, "pretrained loads compared with the fabricated files")
        if r.returncode: return 1
        got = json.loads(r.stdout.strip().splitlines()[-1])
        bad = []
        for role, digests in made["weights"].items():
            if role == "text model": continue
            share = len(set(got.get(role, [])) & set(digests)) / max(len(got.get(role, [])), 1)
            print(f"  {role}: {share:.0%} of its loaded tensors are the fabricated checkpoint's")
            if share < 0.9: bad.append(role)
        if bad: print(f"FAILED: these components did not load the fabricated weights: {bad}"); return 1
        if not figures or not (out_dir / "results.md").exists(): print("FAILED: the run wrote no results or figures"); return 1
        print(f"rehearsal passed in {time.time() - t0:.0f} s" + (f" (kept {tmp})" if args.keep else ""))
        return 0
    finally:
        if not args.keep: shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
