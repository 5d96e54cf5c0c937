"""Training memory of the `street2shop` preset's pretrained families, counted tensor by tensor on the CPU.

    python benchmarks/activation_memory.py [--card-gib 24] [--images 4]

A training step of an embedder keeps, until its backward pass, every tensor autograd saved in the forward pass of
both photos of each pair (street and shop). This script runs one forward pass of `--images` images per family
(random weights: the architecture, not the values, sets the sizes) under `torch.autograd.graph.saved_tensors_hooks`,
counts the distinct storages saved (fp32, and bf16 autocast as on a GPU that has it), scales that to the preset's
pairs per step and adds weights, gradients and AdamW's two moments (16 bytes a parameter in fp32). It prints, per
family, the estimate at the preset's batch and the largest batch whose estimate stays under 85% of `--card-gib`
(the rest is left to the CUDA context, the allocator's fragmentation and cuDNN workspaces). An estimate, not a
measurement on a GPU: a lent GPU can check it with `torch.cuda.max_memory_allocated`.
"""
from __future__ import annotations

import argparse

import torch


def saved_bytes(model: torch.nn.Module, x: torch.Tensor, autocast: bool) -> int:
    "Bytes of the distinct storages autograd saves for backward in one forward pass of `x`"
    seen: dict[int, int] = {}
    def pack(t: torch.Tensor):
        s = t.untyped_storage()
        seen[s.data_ptr()] = s.nbytes()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), \
         torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        model(x)
    return sum(seen.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--card-gib", type=float, default=24.0)
    ap.add_argument("--images", type=int, default=4, help="images per counted forward pass")
    args = ap.parse_args()
    from s2s_search.config import get_preset
    from s2s_search.models import create_embedder
    cfg = get_preset("street2shop")
    budget = 0.85 * args.card_gib * 2**30
    print(f"street2shop preset, one {args.card_gib:.0f} GiB card, budget {budget / 2**30:.1f} GiB; bytes counted on {args.images} images")
    print("| family | variant | side | params | fixed GiB | per pair fp32 MiB | per pair bf16 MiB | batch | estimate bf16 GiB | largest batch bf16 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for family in ("xception", "clip_vit"):
        name = getattr(cfg.model, family)
        torch.manual_seed(0)
        model = create_embedder(name, embedding_dim=cfg.model.embedding_dim, pretrained=False).train()
        tcfg = cfg.train.for_family(family)
        if tcfg.grad_checkpointing: model.backbone.set_grad_checkpointing(True)
        x = torch.randn(args.images, 3, model.image_size, model.image_size)
        n_params = sum(p.numel() for p in model.parameters())
        fixed = 16 * n_params
        per_pair = {amp: 2 * saved_bytes(model, x, amp) / args.images for amp in (False, True)}  # a pair is two photos
        est = fixed + tcfg.batch_size * per_pair[True]
        largest = int((budget - fixed) // per_pair[True])
        print(f"| {family} | {name} | {model.image_size} | {n_params / 1e6:.1f} M | {fixed / 2**30:.2f} | {per_pair[False] / 2**20:.0f} | "
              f"{per_pair[True] / 2**20:.0f} | {tcfg.batch_size} | {est / 2**30:.1f} | {largest} |")


if __name__ == "__main__":
    main()
