"""Train (or load) the re-ranker on a first stage and print what re-ranking that stage's top-20 does on the test oracle crops.

    python benchmarks/rerank_check.py FAMILY [KEY=VALUE ...]

FAMILY is the first stage (`xception`, `clip_vit`, `resnet18`); KEY=VALUE are config overrides with JSON values
(strings may go bare). The runs behind the default (nbs/10_rerank, "The default re-ranker"):

    python benchmarks/rerank_check.py resnet18 rerank.model=mobilevit-xxs-128 rerank.train.epochs=4
    python benchmarks/rerank_check.py xception rerank.train.epochs=5

The re-ranker learns on the detector's boxes of the training photos (`rerank.train_boxes`, the default); the runs
behind that default (nbs/10_rerank, "Trained on the detector's crops"):

    python benchmarks/rerank_check.py xception pipeline.embedder=xception
    python benchmarks/rerank_check.py xception pipeline.embedder=xception rerank.train_boxes=oracle

It prints the re-ranker's training record, then test top-1 of the first stage alone and of
`(1 - a) z(first stage) + a z(re-ranker)` for several `a`, each with its paired-bootstrap p-value against the first stage.
Last, the same through the pipeline (`build_pipeline`, its other weights tuned on validation), on oracle crops and on
full photos with its detector, with and without text fusion: top-1 without the re-ranker, and with it at several
fixed shares, each with its paired-bootstrap p-value.
"""
import json, sys, time
import numpy as np
from s2s_search.config import get_preset, override
from s2s_search.data import load_street2shop
from s2s_search.train import fit_embedder
from s2s_search.rerank import train_reranker, standardise
from s2s_search.evaluate import first_hit_rank, paired_bootstrap_p, topk_hits
from s2s_search.gallery import build_gallery, query_images
from s2s_search.pipeline import build_pipeline
sets = dict(a.split("=", 1) for a in sys.argv[2:])
def _val(v):
    try: return json.loads(v)
    except ValueError: return v
cfg = get_preset("default", {k: _val(v) for k, v in sets.items()})
fam = sys.argv[1]
fs, rec = fit_embedder(cfg, fam, progress=False)
print(fam, "val top1", rec["best_val_top1"])
t = time.time()
rr, rrec = train_reranker(cfg, fam, progress=True)
print({k: v for k, v in rrec.items() if k != "history"})
for h in rrec["history"]: print(h)
test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
gal = build_gallery(test)
qs = query_images(test, np.arange(test.num_rows), "oracle")
truth = np.asarray(test["product_id"])
q, g = fs.embed(qs, 256), fs.embed(gal.images, 256)
sims = q @ g.T
R = 20
cand = np.argsort(-sims, 1)[:, :R]
img = np.take_along_axis(sims, cand, 1)
t = time.time()
rs = rr.score(rr.features(qs, 64), cand, rr.features(gal.images, 64))
print(f"re-ranker scoring of {len(qs)} queries: {time.time() - t:.1f}s")
def top1(scores):
    best = cand[np.arange(len(cand)), np.nanargmax(scores, 1)]
    return gal.product_ids[best] == truth
base = top1(img)
print(f"first stage top-1 {base.mean():.3f}; truth in top-{R}: {(gal.product_ids[cand] == truth[:, None]).any(1).mean():.3f}")
for a in (0.2, 0.4, 0.5, 0.6, 0.8, 1.0):
    h = top1((1 - a) * standardise(img) + a * standardise(rs))
    print(f"a={a}: top-1 {h.mean():.3f}  p={paired_bootstrap_p(base.astype(float), h.astype(float)):.4f}")
pipe, tuned = build_pipeline(cfg, gal, progress=False)
print("pipeline weights tuned on validation:", {k: tuned[k] for k in ("image_weight", "crop_weight", "rerank_weight")})
for setting, detector in (("oracle", False), ("full", True)):  # the pipeline on oracle crops, then on full photos with its detector
    stages = pipe.stages(query_images(test, np.arange(test.num_rows), setting), use_detector=detector)
    pipe_top1 = lambda **kw: topk_hits(first_hit_rank(pipe.rank(stages, 10, **kw).product_ids, truth), 1)
    for text in (False, True):
        base, row = pipe_top1(use_text=text, use_rerank=False), []
        for a in (0.1, 0.2, 0.3):
            h = pipe_top1(use_text=text, use_rerank=True, rerank_weight=a)
            row.append(f"a={a} {h.mean():.3f} (p={paired_bootstrap_p(base.astype(float), h.astype(float)):.3f})")
        print(f"pipeline, {setting} photos, text {'on' if text else 'off'}: top-1 {base.mean():.3f} -> " + "  ".join(row))
