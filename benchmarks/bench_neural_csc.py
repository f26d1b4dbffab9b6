"""Benchmark the fine-tuned neural correctors (onnxruntime) on the SIGHAN development set.

Default file: ../shared/benchmarks/csc/sighan14_test.tsv (never trained or tuned on). Rows: each
exported corrector directory (``encoder.onnx`` + ``vocab.txt``, made by scripts/train_neural_csc.py;
default: the shipped data/spellcheck/neural and, when given, ``--models DIR ...``) alone, at the
thresholds chosen on the held-out SIGHAN train fold (its ``cjkglyph_corrector.json``) and at the plain
argmax (threshold 0, as MacBERT4CSC decodes), plus the shipped statistical corrector as the baseline
of the same run. Sentence-level detection/correction P/R/F1 (cjkglyph.spelling.metrics), speed in one
process (wall and per CPU second, as a ratio to the baseline) and through ``cjkglyph check --jobs 2``.

    OMP_NUM_THREADS=1 CJKGLYPH_THREADS=1 python benchmarks/bench_neural_csc.py [FILE] [--models DIR ...] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from cjkglyph._splits import CSC_DEV_FILE

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "benchmarks" / "csc" / CSC_DEV_FILE


def read(path: Path) -> tuple[list[str], list[str]]:
    srcs, golds = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and len(parts[0]) == len(parts[1]):
                srcs.append(parts[0])
                golds.append(parts[1])
    return srcs, golds


def timed(fn, texts: list[str]) -> tuple[list[str], float, float]:  # noqa: ANN001
    """Predictions, sentences per wall-clock second, sentences per CPU second of this process."""
    start, cpu = time.perf_counter(), time.process_time()
    preds = fn(texts)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return preds, len(texts) / max(wall, 1e-9), len(texts) / max(used, 1e-9)


def row(name: str, m: dict, speed: float, cspeed: float, base_cspeed: float, par: float | None) -> str:
    d, c = m["sentence"]["detection"], m["sentence"]["correction"]
    p2 = f"{par:.0f}" if par is not None else "-"
    return (f"| {name} | {100 * d['p']:.1f} / {100 * d['r']:.1f} / {100 * d['f1']:.1f} "
            f"| {100 * c['p']:.1f} / {100 * c['r']:.1f} / {100 * c['f1']:.1f} "
            f"| {speed:.0f} | {cspeed:.0f} ({cspeed / base_cspeed:.2f}x) | {p2} |")


def two_processes(options: dict, srcs: list[str], prebuilt) -> float:  # noqa: ANN001
    """Sentences per second through the code path of ``cjkglyph check --jobs 2``."""
    from cjkglyph.cli._parallel import ordered_map
    from cjkglyph.cli.check import JOB_BATCH, processor

    batches = (srcs[i : i + JOB_BATCH] for i in range(0, len(srcs), JOB_BATCH))
    start = time.perf_counter()
    n = sum(len(res) for _, res in ordered_map(processor, options, batches, 2, prebuilt=prebuilt))
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--models", nargs="*", default=[], metavar="DIR", help="more exported corrector directories (name = folder)")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="also time `cjkglyph check --jobs N` (1 = skip)")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("CJKGLYPH_THREADS", "1")
    from cjkglyph.spelling.corrector import Corrector
    from cjkglyph.spelling.metrics import csc_metrics
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector, is_onnx_dir

    srcs, golds = read(Path(args.file))
    if args.limit:
        srcs, golds = srcs[: args.limit], golds[: args.limit]
    shipped = REPO / "data" / "spellcheck" / "neural"
    dirs = ([shipped] if is_onnx_dir(shipped) else []) + [Path(d) for d in args.models]
    base = Corrector()
    base.correct_batch(srcs[:8])
    bpreds, bspeed, bcspeed = timed(lambda x: [r["target"] for r in base.correct_batch(x)], srcs)
    print(f"{Path(args.file).name}: {len(srcs)} sentences ({sum(s != g for s, g in zip(srcs, golds))} with errors)")
    print("| system | sentence detection P / R / F1 | sentence correction P / R / F1 | sent/s (1 process, wall) "
          "| sent/s per CPU second (x statistical) | sent/s, check --jobs 2 (wall) |")
    print("|---|---|---|---|---|---|")
    print(row("statistical corrector (baseline of this run)", csc_metrics(srcs, golds, bpreds), bspeed, bcspeed, bcspeed, None))
    for d in dirs:
        name = "shipped data/spellcheck/neural" if d == shipped else d.name
        for thr in (None, 0.0):
            c = OnnxCorrector.load(d, threshold=thr)
            c.correct_batch(srcs[:8])
            preds, speed, cspeed = timed(lambda x, c=c: [r["target"] for r in c.correct_batch(x)], srcs)
            par = None
            if args.jobs > 1 and thr is None:
                par = two_processes({"model": str(d), "lm": None, "threshold": None, "confusion": None}, srcs, c.correct_batch)
            s = c.settings
            label = f"{name}, threshold {s['threshold']:g}, detect {s['detect']:g} (held-out fold)" if thr is None else f"{name}, argmax"
            print(row(label, csc_metrics(srcs, golds, preds), speed, cspeed, bcspeed, par))


if __name__ == "__main__":
    main()
