"""Train one embedder configuration and print what the choice of a default rests on: validation top-1 per epoch,
training time, steps and throughput, and oracle-crop test top-1/top-10 over the preset's test gallery.

    python benchmarks/embedder_choice.py [--preset default] [--family xception] [--variant NAME]
                                         [--set KEY=VALUE ...]

The runs behind the default recipe (nbs/experiments/first_stage_recipe.md and the pages beside it), each on a quiet 2-core machine:

    python benchmarks/embedder_choice.py --family resnet18
    python benchmarks/embedder_choice.py --family xception
    python benchmarks/embedder_choice.py --family clip_vit
    python benchmarks/embedder_choice.py --family xception --set train.amp=false
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.002, "epochs": 11}}'
    python benchmarks/embedder_choice.py --family clip_vit --variant clip-vit-s8-64
    python benchmarks/embedder_choice.py --family xception --set train.category_weight=0       # letterbox alone
    python benchmarks/embedder_choice.py --family xception --set train.category_weight=2
    python benchmarks/embedder_choice.py --family clip_vit --set 'train.per_family={"clip_vit": {"epochs": 6, "mine_from": 3}}'
    python benchmarks/embedder_choice.py --family clip_vit --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5}, "clip_vit": {"epochs": 6, "mine_from": 3, "distil_from": "xception"}}'
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "clip_vit": {"epochs": 8, "mine_from": 4}, "resnet18": {"epochs": 15, "mine_from": 8}}'
    python benchmarks/embedder_choice.py --family clip_vit --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "clip_vit": {"epochs": 8, "mine_from": 4, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 12, "mine_from": 6, "distil_from": "resnet18"}, "clip_vit": {"epochs": 8, "mine_from": 4, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'
    python benchmarks/embedder_choice.py --family clip_vit --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "clip_vit": {"epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'

Taught by similarities (nbs/experiments/distillation.md; TRAINING_CODE_VERSION 8 on), on a cache holding the default resnet18:

    python benchmarks/embedder_choice.py --family xception      # the default: distil_weight 2
    python benchmarks/embedder_choice.py --family clip_vit      # the default: distil_weight 1
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18", "distil_weight": 1.0}, "clip_vit": {"epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18", "distil_weight": 3.0}, "clip_vit": {"epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'
    python benchmarks/embedder_choice.py --family xception --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 10, "mine_from": 5, "distil_from": "resnet18", "distil_weight": 4.0}, "clip_vit": {"epochs": 10, "mine_from": 5, "distil_from": "resnet18"}, "resnet18": {"epochs": 15, "mine_from": 8}}'

Scaled to fit a 25-minute reproduce (nbs/experiments/reproduce_time_budget.md), on a cache holding the default data:

    python benchmarks/embedder_choice.py --family resnet18 --set 'train.per_family={"xception": {"lr": 0.004, "epochs": 6, "mine_from": 3, "distil_from": "resnet18", "distil_weight": 2.0}, "clip_vit": {"epochs": 6, "mine_from": 3, "distil_from": "resnet18"}, "resnet18": {"epochs": 9, "mine_from": 5}}'
    (then the same with --family xception and --family clip_vit)

Runs are cached like any `fit_embedder` run (keyed by the full configuration), so a repeated line only evaluates.
"""
from __future__ import annotations

import argparse


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default")
    ap.add_argument("--family", default="xception")
    ap.add_argument("--variant", default=None, help="a registered embedder variant (default: the preset's)")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                    help="config override with a JSON value, e.g. train.epochs=1 (repeatable)")
    args = ap.parse_args()
    from s2s_search.cli import config_from_args
    from s2s_search.data import load_street2shop
    from s2s_search.evaluate import evaluate_embedder
    from s2s_search.gallery import build_gallery
    from s2s_search.train import fit_embedder

    cfg = config_from_args(args.preset, args.sets)
    test = load_street2shop(cfg=cfg.data, verbose=False)["test"]
    model, rec = fit_embedder(cfg, args.family, variant=args.variant, progress=False)
    s = evaluate_embedder(model, test, build_gallery(test), "oracle", cfg.eval, cfg.index).summary["overall"]
    tcfg = cfg.train.for_family(args.family)
    print(f"{rec['name']} ({args.family}, preset {cfg.name}): lr {tcfg.lr:g}, batch {tcfg.batch_size}, {rec['epochs']} epochs, {rec['steps']} steps")
    print("  validation top-1 per epoch:   ", ", ".join(f"{h['val_top1']:.3f}" for h in rec["history"]))
    print("  training images/s per epoch:  ", ", ".join(f"{h['train_images_per_s']:.0f}" for h in rec["history"]))
    print(f"  {rec['train_seconds']:.0f}s of training; oracle-crop test top-1 {100 * s['top_1']['value']:.1f}%, "
          f"top-10 {100 * s['top_10']['value']:.1f}% ({s['n_queries']} queries)")

if __name__ == "__main__":
    main()
