"""Train the glyph encoder shipped as data/glyph/glyph_encoder.safetensors.

Contrastive, CE-CLCNN-style: each step draws a batch of characters (URO plus the
Ext A characters at least one shipped font covers), renders each in two
different shipped fonts (the same font twice when only one covers it), distorts
both views a little (shift, scale, rotation, stroke weight, blur, noise) and
trains the CNN so the two views of a character are closer (cosine, temperature
``--tau``) than any other character in the batch (symmetric InfoNCE).

Trained on glyph images of the shipped fonts only; no text data. CPU, about
0.5 s per step on one free core (600 steps: 5-6 minutes; 19 minutes on a busy
machine):

    nice -n 10 python scripts/train_glyph_encoder.py            # 600 steps, 1 thread

Deterministic for a given seed, step count and thread count. Evaluate with
``python benchmarks/bench_glyph_similarity.py --weights FILE``. Training also
writes the ONNX export beside the weights (``glyph_encoder.onnx``, what
inference runs on); ``--export`` only re-exports the existing weights:

    python scripts/train_glyph_encoder.py --export
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

FONTS = ("song", "hei", "kai")


def training_set(size: int) -> tuple[np.ndarray, np.ndarray, str]:
    """uint8 images (N, F, S, S) with blank slots where a font lacks the character, coverage (N, F), chars."""
    from cjkglyph.glyph import glyph_table

    table = glyph_table(blocks=("ext-a", "uro"), fonts=FONTS, size=size, fallback=(), synthesise=False)
    cov = table.sources >= 0
    keep = np.nonzero(cov.any(axis=1))[0]
    return np.asarray(table.images)[keep], cov[keep], "".join(table.chars[i] for i in keep.tolist())


def augment(x, gen):  # type: ignore[no-untyped-def]
    """Small random distortions of a batch (B, 1, S, S) in [0, 1]."""
    import torch
    import torch.nn.functional as F

    b = x.shape[0]
    dev = x.device
    scale = 1 + (torch.rand(b, generator=gen) * 0.2 - 0.1)
    angle = (torch.rand(b, generator=gen) * 2 - 1) * math.radians(4)
    shift = (torch.rand(b, 2, generator=gen) * 2 - 1) * (2.0 / x.shape[-1] * 1.5)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1).to(dev)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    r = torch.rand(b, 1, 1, 1, generator=gen)
    thick = F.max_pool2d(x, 3, 1, 1)
    thin = -F.max_pool2d(-x, 3, 1, 1)
    x = torch.where(r < 0.2, 0.5 * (x + thick), torch.where(r > 0.85, 0.5 * (x + thin), x))
    blur = torch.rand(b, 1, 1, 1, generator=gen) < 0.3
    k = torch.tensor([0.25, 0.5, 0.25])
    kern = (k[:, None] * k[None, :])[None, None]
    x = torch.where(blur, F.conv2d(x, kern, padding=1), x)
    x = x + torch.randn(x.shape, generator=gen) * 0.03
    return x.clamp_(0, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description="train the glyph encoder")
    ap.add_argument("--out", type=Path, default=REPO / "data" / "glyph" / "glyph_encoder.safetensors")
    ap.add_argument("--steps", type=int, default=600, help="training steps (0 = run for --minutes, schedule by time)")
    ap.add_argument("--minutes", type=float, default=120.0, help="stop after this many minutes in any case")
    ap.add_argument("--batch", type=int, default=256, help="characters per step (2 views each)")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--size", type=int, default=24)
    ap.add_argument("--tau", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (results depend on it; the shipped file used 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--export", action="store_true", help="only write the ONNX export of the weights in --out")
    args = ap.parse_args()
    from cjkglyph.glyph.encoder import export_onnx

    if args.export:
        print(f"wrote {export_onnx(args.out.with_suffix('.onnx'), args.out)}")
        return

    import torch
    import torch.nn.functional as F

    from cjkglyph.glyph.encoder import build_model, save_encoder

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    t0 = time.time()
    images, cov, chars = training_set(args.size)
    data = torch.from_numpy(images)  # uint8 (N, F, S, S)
    print(f"{len(chars)} characters, {cov.sum()} glyph images, loaded in {time.time() - t0:.1f}s", flush=True)
    counts = cov.sum(axis=1)

    model = build_model(args.dim, args.width, args.size).to(memory_format=torch.channels_last)
    print(f"{sum(p.numel() for p in model.parameters())} parameters", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    budget = args.minutes * 60
    est_steps = args.steps or 10**9
    t_start = time.time()
    step = 0
    loss_avg = 0.0
    model.train()
    while True:
        elapsed = time.time() - t_start
        if (args.steps and step >= args.steps) or elapsed >= budget:
            break
        frac = min(1.0, step / est_steps if args.steps else elapsed / budget)
        for g in opt.param_groups:  # warm-up then cosine decay over the budget
            g["lr"] = args.lr * min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * frac))
        idx = rng.choice(len(chars), size=args.batch, replace=False)
        # two fonts per character: distinct where two or more cover it
        va = np.empty(args.batch, dtype=np.int64)
        vb = np.empty(args.batch, dtype=np.int64)
        for i, c in enumerate(idx):
            fonts = np.nonzero(cov[c])[0]
            pick = rng.choice(fonts, size=2, replace=counts[c] < 2)
            va[i], vb[i] = pick
        ti = torch.from_numpy(idx)
        xa = data[ti, torch.from_numpy(va)].float().div_(255).unsqueeze(1)
        xb = data[ti, torch.from_numpy(vb)].float().div_(255).unsqueeze(1)
        x = augment(torch.cat([xa, xb]), gen)
        z = F.normalize(model(x.contiguous(memory_format=torch.channels_last)), dim=1)
        logits = z @ z.T / args.tau
        logits.fill_diagonal_(float("-inf"))
        n = args.batch
        target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
        loss = F.cross_entropy(logits, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_avg = 0.98 * loss_avg + 0.02 * loss.item() if step else loss.item()
        step += 1
        if step % 50 == 0:
            print(f"step {step} loss {loss_avg:.3f} {time.time() - t_start:.0f}s", flush=True)

    model.eval()
    meta = {
        "fonts": json.dumps(list(FONTS)),
        "trained_on": f"glyph images of the shipped fonts {', '.join(FONTS)}: URO + covered Ext A ({len(chars)} chars)",
        "steps": step,
        "batch": args.batch,
        "tau": args.tau,
        "seed": args.seed,
        "script": "scripts/train_glyph_encoder.py",
    }
    save_encoder(model, args.out, meta)
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) after {step} steps, {time.time() - t0:.0f}s")
    print(f"wrote {export_onnx(args.out.with_suffix('.onnx'), args.out)}")


if __name__ == "__main__":
    main()
