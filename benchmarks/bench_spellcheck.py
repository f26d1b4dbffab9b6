"""Benchmark the spelling corrector on a SIGHAN-format file (``source<TAB>target`` per line).

Default file: ../shared/benchmarks/csc/sighan14_test.tsv, the development set
(never used for training or tuning). Prints sentence-level detection and
correction precision/recall/F1 as in SpellGCN/ReaLiSe (a sentence counts for
correction only when its predicted edits equal the gold edits exactly; P over
sentences with predicted edits, R over sentences with gold edits), character-level
numbers, and speed, for:

* ``cjkglyph check``: the shipped statistical corrector;
* a baseline in the same run: LM-only correction with same-pronunciation
  candidates (same language model and candidate table, relation same sound;
  an edit is accepted when it raises the sentence's log10 probability by more
  than ``--baseline-margin``), one round, as the prototype of
  ../shared/notes/spellcheck-calibration.md.

Speed is measured in this process (one core) and, with ``--jobs N`` (default 2,
the target machine has 2 cores), through the code path of ``cjkglyph check --jobs N``; the ratio to the baseline
is printed since the machine may be shared. ``--reference`` also scores the
predictions with ../shared/tools/csc_score.py (the reference implementation)
to check that both metric implementations agree. The cross-validated train
numbers stored in the model file (``scripts/train_spellcheck.py``) are printed too.

    python benchmarks/bench_spellcheck.py [FILE] [--threshold P] [--lm FILE] [--limit N] [--jobs N] [--reference]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

# as in `cjkglyph check` (cjkglyph/cli/check.py): single-threaded BLAS, set before numpy loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from cjkglyph._splits import CSC_DEV_FILE, USER_TEXT, need_data  # noqa: E402
from cjkglyph.spelling.metrics import csc_metrics  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

DEFAULT = REPO.parent / "shared" / "benchmarks" / "csc" / CSC_DEV_FILE
REFERENCE = REPO.parent / "shared" / "tools" / "csc_score.py"


def read(path: Path) -> tuple[list[str], list[str]]:
    srcs, golds = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and len(parts[0]) == len(parts[1]):
                srcs.append(parts[0])
                golds.append(parts[1])
    return srcs, golds


def line(name: str, m: dict, speed: float | None = None, extra: str = "") -> str:
    d, c = m["sentence"]["detection"], m["sentence"]["correction"]
    cd, cc = m["character"]["detection"], m["character"]["correction"]
    sp = f" | {speed:.0f} sent/s" if speed is not None else ""
    return (
        f"| {name} | {100 * d['p']:.1f} / {100 * d['r']:.1f} / {100 * d['f1']:.1f} "
        f"| {100 * c['p']:.1f} / {100 * c['r']:.1f} / {100 * c['f1']:.1f} "
        f"| {100 * cd['f1']:.1f} / {100 * cc['f1']:.1f}{sp} |{extra}"
    )


class Baseline:
    """LM-only corrector: same-sound candidates, accept the best gain above a margin, non-adjacent edits."""

    def __init__(self, corrector, margin: float) -> None:  # noqa: ANN001
        self.lm = corrector.lm
        t = corrector.table
        same = (t.rel & 0b11) > 0
        self.table = t
        self.same = same
        self.margin = margin

    def correct_batch(self, texts: list[str]) -> list[str]:
        from cjkglyph.chars import han_mask

        out = []
        for b in range(0, len(texts), 64):
            part = texts[b : b + 64]
            rows, poss, cands = [], [], []
            for r, t in enumerate(part):
                cps = np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
                pos = np.flatnonzero(np.array(han_mask(t), dtype=bool))
                trow = self.table.rows_of(cps[pos])
                ok = trow >= 0
                owner, entry = self.table.entries(trow[ok])
                keep = self.same[entry] & (self.lm.ids_of(self.table.cand[entry]) > 1)
                rows.append(np.full(int(keep.sum()), r))
                poss.append(pos[ok][owner[keep]])
                cands.append(self.table.cand[entry[keep]])
            row, pos, cand = np.concatenate(rows), np.concatenate(poss), np.concatenate(cands)
            delta = self.lm.substitution_deltas_batch(part, row, pos, cand) if len(row) else np.zeros(0)
            res = [list(t) for t in part]
            taken: dict[int, list[int]] = {}
            for k in np.argsort(-delta, kind="stable").tolist():
                if delta[k] <= self.margin:
                    break
                r, p = int(row[k]), int(pos[k])
                if any(abs(p - q) < 2 for q in taken.setdefault(r, [])):
                    continue
                taken[r].append(p)
                res[r][p] = chr(int(cand[k]))
            out.extend("".join(x) for x in res)
        return out


def timed(fn, texts: list[str]) -> tuple[list[str], float, float]:  # noqa: ANN001
    """Predictions, sentences per wall-clock second, sentences per CPU second of this process."""
    start, cpu = time.perf_counter(), time.process_time()
    preds = fn(texts)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    return preds, len(texts) / max(wall, 1e-9), len(texts) / max(used, 1e-9)


def clean_test_lines(corpus: Path, per_file: int) -> list[tuple[str, str]]:
    """(file, line): up to ``per_file`` evenly spaced lines of each corpus file from the 'test' part of
    ``cjkglyph._splits.corpus_part`` (never trained or tuned on), 8-160 characters, 4+ Han characters."""
    import lzma

    from cjkglyph._splits import CLASSICAL, corpus_part

    out: list[tuple[str, str]] = []
    for path in sorted(corpus.glob("*.txt.xz")):
        name = path.name.split(".")[0]
        if name in CLASSICAL:
            continue
        found = []
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for raw in f:
                t = raw.strip()
                if 8 <= len(t) <= 160 and corpus_part(t) == "test" and sum("\u4e00" <= c <= "\u9fff" for c in t) >= 4:
                    found.append(t)
        step = max(1, len(found) // per_file)
        out.extend((name, t) for t in found[::step][:per_file])
    return out


def two_process_speed(options: dict, srcs: list[str], jobs: int, prebuilt, expect: list[str]) -> float:  # noqa: ANN001
    """Sentences/s through the code path of ``cjkglyph check --jobs N`` (forked workers, results in order)."""
    from cjkglyph.cli._parallel import ordered_map
    from cjkglyph.cli.check import JOB_BATCH, processor

    batches = (srcs[i : i + JOB_BATCH] for i in range(0, len(srcs), JOB_BATCH))
    start = time.perf_counter()
    par = [r["target"] for _, res in ordered_map(processor, options, batches, jobs, prebuilt=prebuilt) for r in res]
    assert par == expect, "parallel output differs"
    return len(srcs) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(DEFAULT))
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--lm", default=None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="also time `cjkglyph check --jobs N` processing (1 = skip)")
    ap.add_argument("--baseline-margin", type=float, default=1.0, help="log10 gain the baseline needs (chosen on train)")
    ap.add_argument("--neural", nargs="*", default=None, metavar="DIR",
                    help="neural corrector folders to compare (default: the shipped ones under data/spellcheck/neural*)")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"), help="for the clean-text false alarms")
    ap.add_argument("--clean-per-file", type=int, default=150, help="held-out ('test') lines per corpus file (0 = skip)")
    ap.add_argument("--traditional", action="store_true", help="also the dev sentences converted to Traditional")
    ap.add_argument("--reference", action="store_true", help="also score with ../shared/tools/csc_score.py")
    ap.add_argument("--save", metavar="FILE", help="write the corrector's predictions, one line each")
    args = ap.parse_args()
    need_data(args.file, "a CSC test file (benchmarks/csc/sighan14_test.tsv)")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("CJKGLYPH_THREADS", "1")  # one core per process; 2 cores = the --jobs 2 line
    from cjkglyph.spelling.corrector import Corrector

    path = Path(args.file)
    if not path.exists():
        raise SystemExit(f"{path}: the SIGHAN development set is needed (see DATA.md); give its path as FILE")
    srcs, golds = read(path)
    if args.limit:
        srcs, golds = srcs[: args.limit], golds[: args.limit]
    t = time.perf_counter()
    kwargs = {"lm": args.lm, "threshold": args.threshold}
    corr = Corrector(**kwargs)
    corr.correct("预热一下。")
    load_s = time.perf_counter() - t
    base = Baseline(corr, args.baseline_margin)
    base.correct_batch(srcs[:8])

    systems: list[tuple[str, object, dict | None]] = [
        ("cjkglyph check (default" + (": n-gram stage + encoder stage)" if corr.encoder is not None else ": n-gram stage)"), corr, {}),
    ]
    if corr.encoder is not None:  # --fast changes nothing for a model without the encoder stage
        systems.append(("cjkglyph check --fast (n-gram stage only)", Corrector(**kwargs, fast=True), {"fast": True}))
    stage2_path = REPO / "data" / "spellcheck" / "model_stage2.json"
    if corr.encoder is None and stage2_path.exists():
        systems.append(("n-gram stage + encoder stage (opt-in: model_stage2.json)", Corrector(**kwargs, model=stage2_path), None))
    neural = args.neural
    if neural is None:
        neural = sorted(str(d) for d in (REPO / "data" / "spellcheck").glob("neural*") if (d / "encoder.onnx").exists())
    for d in neural:
        from cjkglyph.pipelines.spelling import load_neural_corrector

        systems.append((f"neural corrector alone: --model {Path(d).relative_to(REPO) if Path(d).is_relative_to(REPO) else d}",
                        load_neural_corrector(d), {"model": d}))  # fmt: skip
    n_err = sum(s != g for s, g in zip(srcs, golds))
    clean_dev = [k for k, (s, g) in enumerate(zip(srcs, golds)) if s == g]
    print(f"{path.name}: {len(srcs)} sentences ({n_err} with errors), mean length {np.mean([len(s) for s in srcs]):.1f}; "
          f"default threshold {corr.threshold:.3f}; corrector load {load_s:.2f}s")  # fmt: skip
    print("| system | sentence detection P / R / F1 | sentence correction P / R / F1 | char det / corr F1 | speed (1 process, wall) "
          "| error-free dev sentences edited |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    outputs = {}
    for name, c, opts in systems:
        c.correct_batch(srcs[:4])
        preds, speed, cspeed = timed(lambda x, c=c: [r["target"] for r in c.correct_batch(x)], srcs)
        fp = sum(preds[k] != srcs[k] for k in clean_dev) / max(1, len(clean_dev))
        outputs[name] = (preds, speed, cspeed, opts, c)
        print(line(name, csc_metrics(srcs, golds, preds), speed, f" {100 * fp:.1f}% |"))
    bpreds, bspeed, bcspeed = timed(base.correct_batch, srcs)
    print(line(f"baseline: LM only, same-sound candidates, gain > {args.baseline_margin}", csc_metrics(srcs, golds, bpreds), bspeed))
    preds, speed, cspeed = outputs[systems[0][0]][:3]
    m = csc_metrics(srcs, golds, preds)
    if args.traditional:
        # the same sentences in Traditional characters (OpenCC s2t, one character per character)
        from cjkglyph.script import traditional_aligned

        tsrcs, tgolds = [traditional_aligned(x) for x in srcs], [traditional_aligned(x) for x in golds]
        for script in ("auto", "as-is"):
            c = corr if script == "auto" else Corrector(**kwargs, script="as-is")
            tpreds, tspeed, _ = timed(lambda x, c=c: [r["target"] for r in c.correct_batch(x)], tsrcs)
            print(line(f"same sentences in Traditional (s2t), script={script}", csc_metrics(tsrcs, tgolds, tpreds), tspeed))
    print(
        "speed per CPU second (robust on a shared machine): "
        + ", ".join(f"{name.split(' (')[0] if name.startswith('cjkglyph') else name} {v[2]:.0f} sent/s" for name, v in outputs.items())
        + f"; baseline {bcspeed:.0f} sent/s"
    )
    if args.jobs > 1:
        for name, (p, sp, _, opts, c) in outputs.items():
            if opts is None or "model" in opts:
                continue  # the --jobs path serves the shipped spelling model (or a --model folder: timed alone above)
            options = {"model": None, "lm": args.lm, "threshold": args.threshold, "confusion": None, **opts}
            pspeed = two_process_speed(options, srcs, args.jobs, c.correct_batch, p)
            print(f"{name}, {args.jobs} processes (cjkglyph check --jobs {args.jobs}), wall: {pspeed:.0f} sent/s "
                  f"({pspeed / bspeed:.2f}x the 1-process baseline; wall-clock depends on idle cores)")  # fmt: skip
    corpus = Path(args.corpus)
    if args.clean_per_file and corpus.exists():
        clean = clean_test_lines(corpus, args.clean_per_file)
        texts = [t for _, t in clean]
        print(f"\nfalse alarms on clean text: {len(clean)} held-out corpus lines ('test' part: never in the LM's or "
              "the scorer's training; the encoder saw non-law lines in pretraining), share of lines edited:")  # fmt: skip
        names = [n for n, *_ in systems]
        edited = {}
        for name, c, _ in systems:
            res = c.correct_batch(texts)
            edited[name] = [r["target"] != t for r, t in zip(res, texts)]
        print("| corpus file | lines | " + " | ".join(names) + " |")
        print("|---|---|" + "---|" * len(names))
        files = sorted({g for g, _ in clean})
        per = {n: [] for n in names}
        for g in files:
            idx = [k for k, (h, _) in enumerate(clean) if h == g]
            vals = []
            for n in names:
                r = 100 * sum(edited[n][k] for k in idx) / len(idx)
                per[n].append(r)
                vals.append(f"{r:.1f}%")
            print(f"| {g}{' (user text)' if g in USER_TEXT else ''} | {len(idx)} | " + " | ".join(vals) + " |")
        print("| **macro average** | | " + " | ".join(f"**{np.mean(per[n]):.1f}%**" for n in names) + " |")
        # reviews and user queries carry real typos: many of their "false alarms" are right corrections
        for label, keep in (("edited text", False), ("user text (reviews, queries)", True)):
            sel = [k for k, g in enumerate(files) if (g in USER_TEXT) == keep]
            if sel:
                print(f"| macro, {label}: {len(sel)} files | | " + " | ".join(f"{np.mean([per[n][k] for k in sel]):.1f}%" for n in names) + " |")
        print("| micro (all lines) | " + f"{len(clean)} | " + " | ".join(f"{100 * np.mean(edited[n]):.1f}%" for n in names) + " |")
    elif args.clean_per_file:
        print(f"(clean-text false alarms skipped: no corpus at {corpus}; see DATA.md)")
    for stage, minfo in (("n-gram stage", corr.model.info), ("encoder stage", corr.model.info.get("stage2", {}))):
        info = minfo.get("cv_sentence")
        if not info:
            continue
        print(f"cross-validated on SIGHAN-13/14/15 train, {stage} (5 folds, sources + corrected targets as clean sentences):")
        for name, cv in [("all", info), *sorted(minfo.get("cv_sentence_by_file", {}).items())]:
            d, c = cv["detection"], cv["correction"]
            print(
                f"    {name:9s} detection P/R/F1 {d['p']:.1f}/{d['r']:.1f}/{d['f1']:.1f}, "
                f"correction P/R/F1 {c['p']:.1f}/{c['r']:.1f}/{c['f1']:.1f}"
            )
    if args.save:
        Path(args.save).write_text("".join(p + "\n" for p in preds), encoding="utf-8")
    if args.reference:
        if not REFERENCE.exists():
            print(f"reference scorer {REFERENCE} not found")
            return
        spec = importlib.util.spec_from_file_location("csc_score", REFERENCE)
        assert spec and spec.loader
        ref = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ref)
        r = ref.evaluate(srcs, golds, preds)
        ours = m["sentence"]
        agree = all(
            abs(r[f"sent-{a}"][k] - 100 * ours[b][k]) < 1e-9
            for a, b in (("detect", "detection"), ("correct", "correction"))
            for k in ("p", "r", "f1")
        )
        print(
            "reference csc_score.py: sent-detect F1 {:.2f}, sent-correct F1 {:.2f}; agrees with cjkglyph.spelling.metrics: {}".format(
                r["sent-detect"]["f1"], r["sent-correct"]["f1"], agree
            )
        )


if __name__ == "__main__":
    main()
