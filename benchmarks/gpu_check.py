"""The device checks and the GPU rates of the real run, in one short script for a lent GPU machine.

    python benchmarks/gpu_check.py [--seconds 20] [--out gpu_check.json]

Three parts, each printed as it finishes and written together to `--out`:
1. **Placement** (what the tests check with `testing.stub_device` on a CPU): a smoke-preset embedder trained on the GPU
   is returned there, loaded there from its cache, and evaluation and the pipeline's stages (embedder, captioner,
   text model, re-ranker) compute there: forward hooks record the device of every input batch.
2. **Memory of a training step** of the `street2shop` families at the preset's batch (random weights: the architecture
   sets the sizes), `torch.cuda.max_memory_allocated`, beside the CPU count of `benchmarks/activation_memory.py`.
3. **Rates** of the real architectures on this card: training pairs/s at the preset's batch and side, embedding
   images/s (eval, batch 256), each over about `--seconds`: the GPU side of what a full real run costs (decoding and
   cleaning the photos are CPU work).
Exits with an error on a machine without CUDA.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import torch


def placement() -> dict:
    "Where a smoke run's models and batches go on this machine's GPU"
    from s2s_search.config import get_preset
    from s2s_search.runtime import get_device
    from s2s_search.data import load_street2shop
    from s2s_search.evaluate import evaluate_embedder, EvalConfig
    from s2s_search.gallery import build_gallery
    from s2s_search.pipeline import load_components, Pipeline
    from s2s_search.train import fit_embedder
    os.environ["S2S_CACHE"] = tempfile.mkdtemp(prefix="s2s-gpu-check-")
    cfg = get_preset("smoke")
    seen: dict[str, set] = {}
    def record(name):
        def hook(module, args):
            for a in args:
                if isinstance(a, torch.Tensor): seen.setdefault(name, set()).add(a.device.type)
        return hook
    trained, _ = fit_embedder(cfg, "clip_vit", progress=False)
    loaded, _ = fit_embedder(cfg, "clip_vit", progress=False)  # from the cache
    out = {"device": str(get_device()), "trained_on": trained.device.type, "loaded_on": loaded.device.type}
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    gallery = build_gallery(test)
    h = loaded.register_forward_pre_hook(record("evaluation: embedder"))
    evaluate_embedder(loaded, test, gallery, "full", EvalConfig(n_bootstrap=10))
    h.remove()
    comps = load_components(cfg, progress=False)
    hooks = [comps["embedder"].register_forward_pre_hook(record("pipeline: embedder")),
             comps["captioner"].register_forward_pre_hook(record("pipeline: captioner")),
             comps["reranker"].register_forward_pre_hook(record("pipeline: re-ranker")),
             comps["text_embedder"].model.register_forward_pre_hook(record("pipeline: text model"))]
    pipe = Pipeline(comps["embedder"], gallery, cfg.pipeline, detector=comps["detector"], captioner=comps["captioner"],
                    text_embedder=comps["text_embedder"], reranker=comps["reranker"])
    pipe.stages(gallery.images[:8], use_detector=True)
    for h in hooks: h.remove()
    out["inputs_on"] = {k: sorted(v) for k, v in seen.items()}
    out["all_on_gpu"] = out["trained_on"] == out["loaded_on"] == "cuda" and all(v == {"cuda"} for v in seen.values())
    return out


def train_step_memory_and_rate(seconds: float) -> list[dict]:
    "Peak memory and pairs/s of a training step of each street2shop family at its preset batch (random weights)"
    from s2s_search.config import get_preset
    from s2s_search.runtime import autocast_dtype
    from s2s_search.models import create_embedder
    from s2s_search.losses import create_loss
    from s2s_search.train import param_groups
    cfg, rows = get_preset("street2shop"), []
    for family in ("xception", "clip_vit"):
        tcfg = cfg.train.for_family(family)
        model = create_embedder(getattr(cfg.model, family), embedding_dim=cfg.model.embedding_dim, pretrained=False).cuda().train()
        if tcfg.grad_checkpointing: model.backbone.set_grad_checkpointing(True)
        opt = torch.optim.AdamW(param_groups(model, tcfg), lr=tcfg.lr, weight_decay=tcfg.weight_decay, fused=True)
        loss_fn, dtype = create_loss("infonce"), autocast_dtype(torch.device("cuda"))
        b, s = tcfg.batch_size, model.image_size
        street, shop = torch.randn(b, 3, s, s, device="cuda"), torch.randn(b, 3, s, s, device="cuda")
        torch.cuda.reset_peak_memory_stats()
        steps, t = 0, None
        while t is None or time.time() - t < seconds:
            with torch.autocast("cuda", dtype=dtype or torch.float32, enabled=dtype is not None):
                loss = loss_fn(model(street).float(), model(shop).float())
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            torch.cuda.synchronize()
            if t is None: t = time.time()  # the first step warms up
            else: steps += 1
        rate = steps * b / (time.time() - t)
        model.eval(); n = 0; x = torch.randn(256, 3, s, s, device="cuda")
        with torch.inference_mode(), torch.autocast("cuda", dtype=dtype or torch.float32, enabled=dtype is not None):
            model(x); torch.cuda.synchronize(); t = time.time()
            while time.time() - t < seconds / 2: model(x); n += len(x)
            torch.cuda.synchronize()
        rows.append({"family": family, "variant": getattr(cfg.model, family), "side": s, "batch_pairs": b,
                     "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2), "train_pairs_per_s": round(rate, 1),
                     "embed_images_per_s": round(n / (time.time() - t), 1), "precision": str(dtype)})
        print(json.dumps(rows[-1]), flush=True)
        del model, opt, street, shop, x; torch.cuda.empty_cache()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--out", default="gpu_check.json")
    args = ap.parse_args()
    if not torch.cuda.is_available(): raise SystemExit("no CUDA device: this check is for a GPU machine")
    result = {"gpu": torch.cuda.get_device_name(0), "bf16": torch.cuda.is_bf16_supported(), "torch": torch.__version__}
    print(json.dumps(result), flush=True)
    result["placement"] = placement(); print(json.dumps(result["placement"]), flush=True)
    result["training"] = train_step_memory_and_rate(args.seconds)
    with open(args.out, "w") as f: json.dump(result, f, indent=1)
    print("placement on the GPU end to end:", result["placement"]["all_on_gpu"])


if __name__ == "__main__":
    main()
