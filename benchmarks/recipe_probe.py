"""A deliberately independent, minimal contrastive training loop: what found where the library's first stage lost.

It shares no training code with `s2s_search.train` (only the data, the embedder registry and the evaluation):
decoded images kept in memory, batches of distinct products built in the training process, the street crop jittered
around its box, the shop photo flipped half the time, in-batch InfoNCE, AdamW with warm-up and cosine decay,
gradient clipping, bf16 autocast where the CPU has it. It trains for a fixed number of steps (or seconds) and prints
oracle-crop top-1/top-10 over the `default` preset's whole test gallery (1,500 queries, 500 products). Each switch
below turns one of the changes measured in nbs/experiments/first_stage_recipe.md on or off.

    python benchmarks/recipe_probe.py --model resnet18 --seconds 330 --bf16 0
    python benchmarks/recipe_probe.py --model resnet18 --seconds 330 --bf16 0 --group 16
    python benchmarks/recipe_probe.py --model resnet18 --seconds 240
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 2e-3 --seconds 330 --bf16 0 --zinit 0
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 2e-3 --seconds 240 --zinit 0
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 4e-3 --seconds 240 --zinit 0
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 4e-3 --steps 570
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 4e-3 --steps 570 --erase 0.3 --colour 0.1
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 4e-3 --seconds 240 --blocks wide32 --zinit 0
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 3e-3 --steps 330 --blocks mid8
    python benchmarks/recipe_probe.py --model xception-slim-os8-64 --lr 3e-3 --steps 570 --blocks stem4 --erase 0.3 --colour 0.1
    python benchmarks/recipe_probe.py --model clip-vit-cs8-64 --seconds 240
    python benchmarks/recipe_probe.py --model clip-vit-cs8-64 --lr 2e-3 --steps 420

`--seconds` runs are only comparable on a quiet machine; `--steps` runs give the same result on a busy one.
"""
from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def _block(i: int, o, s: int, **kw) -> dict: return dict(in_chs=i, out_chs=o, stride=s, **kw)
_EXIT = dict(no_skip=True, start_with_relu=False)
XCEPTION_BLOCKS = {  # timm `xception41` block configurations (with `--model xception-slim-os8-64`)
    "wide32": [_block(64, 128, 2), _block(128, 256, 2), _block(256, 512, 2), *[_block(512, 512, 1)] * 3,
               _block(512, (512, 768, 768), 2), _block(768, (1024, 1024, 1024), 1, **_EXIT)],
    "mid8": [_block(64, 128, 2), _block(128, 192, 2), _block(192, 288, 1), *[_block(288, 288, 1)] * 2,
             _block(288, (288, 384, 384), 1), _block(384, (576, 576, 768), 1, **_EXIT)],
    "stem4": [_block(64, 128, 2), *[_block(128 if i == 0 else 256, 256, 1) for i in range(3)],
              _block(256, (384, 512, 512), 2), _block(512, (768, 768, 1024), 1, **_EXIT)],  # after a stride-4 stem
}

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="resnet18", help="a registered embedder variant, or a timm model name built at --size")
    ap.add_argument("--seconds", type=float, default=240, help="training time (ignored with --steps)")
    ap.add_argument("--steps", type=int, default=0, help="a fixed number of steps instead of --seconds")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--bs", type=int, default=64, help="distinct products per batch")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--temp", type=float, default=0.07)
    ap.add_argument("--jitter", type=float, default=0.3)
    ap.add_argument("--colour", type=float, default=0.0, help="street brightness/contrast/saturation jitter")
    ap.add_argument("--erase", type=float, default=0.0, help="probability of one random-colour rectangle on a street crop")
    ap.add_argument("--group", type=int, default=0, help="batches made of groups of this many same-category products")
    ap.add_argument("--bf16", type=int, default=1, help="bf16 autocast (where the CPU has native bf16)")
    ap.add_argument("--zinit", type=int, default=1, help="Xception variants: residual blocks start as the identity")
    ap.add_argument("--blocks", choices=sorted(XCEPTION_BLOCKS), help="an Xception block configuration tried in nbs/03_models")
    ap.add_argument("--arch", default="{}", help="JSON architecture overrides, e.g. '{\"stem_depth\": 2}'")
    args = ap.parse_args()
    from s2s_search.config import get_preset
    from s2s_search.images import load_image
    from s2s_search.data import crop_to_box, load_street2shop, split_train_val
    from s2s_search.evaluate import first_hit_rank
    from s2s_search.gallery import build_gallery, query_images
    from s2s_search.models import timm_embedder, _zero_init_residuals, create_embedder, list_embedders
    from datasets import Image as ImageFeature

    torch.manual_seed(0); rng = np.random.default_rng(0)
    cfg = get_preset("default")
    dd = load_street2shop(cfg=cfg.data, verbose=False)
    rows = split_train_val(dd["train"], cfg.data.val_fraction, cfg.data.seed)[0]
    arch = json.loads(args.arch) | ({"block_cfg": [dict(b) for b in XCEPTION_BLOCKS[args.blocks]]} if args.blocks else {})
    if args.model in list_embedders():
        model = create_embedder(args.model, **({"zero_init_residual": bool(args.zinit)} if args.model.startswith("xception-slim") else {}), **arch)
    else:
        model = timm_embedder(args.model, model_name=args.model, tag=None, image_size=args.size, channels_last=True, **arch)
    if args.blocks == "stem4":  # the stem's second convolution strided too: the blocks start at a quarter of the input
        from timm.layers import ConvNormAct
        model.backbone.stem[1] = ConvNormAct(32, 64, kernel_size=3, stride=2)
        model.to(memory_format=torch.channels_last)
    if args.zinit and args.model.startswith("xception"): _zero_init_residuals(model.backbone)
    S = model.image_size

    rows = rows.cast_column("street_photo_image", ImageFeature(decode=False)).cast_column("shop_photo_image", ImageFeature(decode=False))
    street = [load_image(r) for r in rows["street_photo_image"]]
    boxes = list(zip(rows["left"], rows["top"], rows["width"], rows["height"]))
    products, product_of = np.unique(np.asarray(rows["product_id"]), return_inverse=True)
    rows_of = [np.flatnonzero(product_of == p) for p in range(len(products))]
    category = np.array([rows["category"][r[0]] for r in rows_of])
    shop = [np.asarray(load_image(rows["shop_photo_image"][r[0]]).resize((S, S), Image.BILINEAR)) for r in rows_of]
    mean, std = torch.tensor(model.mean).view(1, 3, 1, 1), torch.tensor(model.std).view(1, 3, 1, 1)

    def epochs():
        while True:
            if args.group:
                groups = [g for c in np.unique(category) for ps in [rng.permutation(np.flatnonzero(category == c))]
                          for g in np.array_split(ps, max(1, len(ps) // args.group))]
                order = np.concatenate([groups[i] for i in rng.permutation(len(groups))])
            else: order = rng.permutation(len(products))
            for i in range(0, len(order) - args.bs + 1, args.bs): yield order[i:i + args.bs]

    def batch(prods) -> tuple[torch.Tensor, torch.Tensor]:
        st = [np.asarray(crop_to_box(street[r], boxes[r], jitter=args.jitter, rng=rng).resize((S, S), Image.BILINEAR))
              for r in (int(rng.choice(rows_of[p])) for p in prods)]
        sh = [shop[p][:, ::-1] if rng.random() < 0.5 else shop[p] for p in prods]
        xs, xp = (torch.from_numpy(np.stack(a)).permute(0, 3, 1, 2).float() / 255 for a in (st, sh))
        if args.colour:
            for f in range(3):  # brightness, contrast, saturation
                k = 1 + (torch.rand(len(xs), 1, 1, 1) * 2 - 1) * args.colour
                ref = 0 if f == 0 else xs.mean((1, 2, 3), keepdim=True) if f == 1 else xs.mean(1, keepdim=True)
                xs = ((xs - ref) * k + ref).clamp(0, 1)
        for i in np.flatnonzero(rng.random(len(xs)) < args.erase):
            h, w = int(S * rng.uniform(0.15, 0.4)), int(S * rng.uniform(0.15, 0.4))
            y0, x0 = rng.integers(0, S - h + 1), rng.integers(0, S - w + 1)
            xs[i, :, y0:y0 + h, x0:x0 + w] = torch.rand(3, 1, 1)
        return (xs - mean) / std, (xp - mean) / std

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    schedule = lambda step, total: ((step + 1) / args.warmup if step < args.warmup
                                    else 0.5 * (1 + math.cos(math.pi * min(1, (step - args.warmup) / max(1, total - args.warmup)))))
    model.train()
    t, step, total, batches = time.time(), 0, args.steps or 10**9, epochs()
    while step < total:
        if not args.steps and step in (20, 60): total = int(args.seconds * step / (time.time() - t))  # re-estimated once warm
        for g in opt.param_groups: g["lr"] = args.lr * schedule(step, total)
        xs, xp = batch(next(batches))
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bool(args.bf16)):
            zs, zp = model(xs), model(xp)
        logits = zs.float() @ zp.float().T / args.temp
        target = torch.arange(len(zs))
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
        step += 1
        if step % 100 == 0: print(f"step {step}: loss {loss.item():.3f}, {time.time() - t:.0f}s", flush=True)
    seconds = time.time() - t
    test = dd["test"]; gallery = build_gallery(test)
    q = model.embed(query_images(test, np.arange(test.num_rows), "oracle"), batch_size=256)
    top = np.argsort(-(q @ model.embed(gallery.images, batch_size=256).T), 1)[:, :10]
    rank = first_hit_rank(gallery.product_ids[top], np.asarray(test["product_id"], dtype=object))
    print(f"{args.model}: {step} steps in {seconds:.0f}s ({2 * args.bs * step / seconds:.0f} img/s); oracle-crop top-1 "
          f"{100 * np.mean(rank == 1):.1f}%, top-10 {100 * np.mean((rank > 0) & (rank <= 10)):.1f}% ({len(rank)} queries)")


if __name__ == "__main__":
    main()
