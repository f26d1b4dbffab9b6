"""Throughput of one task over the same lines with 1 and 2 workers: CLI, ``--jobs``, sharded CLI, Ray Data, HF datasets.

Default input: the source column of ../shared/benchmarks/csc/sighan14_test.tsv
repeated to ``--lines`` (20,000) lines, written to a temporary file (nothing is
kept). Every run is timed end to end as a user would see it (process start and
model loading included; Ray's cluster start is timed separately), and its
output is checked to equal the single-process CLI output. Prints lines/s for
each run and its ratio to the in-process pipeline (the baseline, timed in this
process without start-up), and the peak memory of one worker process.

    python benchmarks/bench_scale.py [FILE] [--lines N] [--task check|pinyin|convert] [--skip ray,datasets]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cjkglyph._splits import CSC_DEV_FILE

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "benchmarks" / "csc" / CSC_DEV_FILE

#: task -> (CLI arguments, integrations class name, constructor options, output column)
TASKS = {
    "check": (["check"], "SpellCheck", {}, "target"),
    "pinyin": (["pinyin"], "Pinyin", {}, "pinyin"),
    "convert": (["convert", "--to", "traditional"], "Convert", {"to": "traditional"}, "output"),
}
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "CJKGLYPH_THREADS": "1", "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def read_lines(path: Path, n: int) -> list[str]:
    with open(path, encoding="utf-8") as f:
        src = [line.rstrip("\n").split("\t")[0] for line in f if line.strip()]
    return [src[i % len(src)] for i in range(n)]


def cli(argv: list[str], src: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "cjkglyph", *argv, "-i", str(src), "-o", str(out), *extra]
    return subprocess.Popen(cmd, env=ENV, stderr=subprocess.PIPE)


def wait(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            sys.exit(f"bench_scale: {p.args} failed: {err.decode()[-500:]}")


def report(name: str, workers: int, n: int, seconds: float, base: float, same: bool | None) -> None:
    rate = n / seconds
    check = "" if same is None else ("  output = CLI" if same else "  OUTPUT DIFFERS")
    print(f"{name:<28} {workers} worker(s)  {rate:8.0f} lines/s  {rate / base:5.2f}x baseline  ({seconds:6.1f} s){check}", flush=True)


def worker_memory(task: str, src: Path) -> float:
    """Peak RSS (MB) of a fresh process that builds the task's op and runs it on 1,000 lines."""
    _, cls, opts, _ = TASKS[task]
    code = (
        "import resource, sys; from cjkglyph import integrations as I; "
        f"op = I.{cls}(**{opts!r}); lines = open(sys.argv[1], encoding='utf-8').read().split(chr(10))[:1000]; "
        "op.columns(lines); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    return float(subprocess.run([sys.executable, "-c", code, str(src)], env=ENV, capture_output=True, text=True, check=True).stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--task", choices=sorted(TASKS), default="check")
    ap.add_argument("--skip", default="", help="comma-separated: ray, datasets")
    args = ap.parse_args()
    if not args.file.exists():
        sys.exit(f"bench_scale: needs {args.file} (its first tab-separated column is used), or give any text FILE")
    skip = set(filter(None, args.skip.split(",")))
    argv, cls_name, opts, column = TASKS[args.task]
    lines = read_lines(args.file, args.lines)
    n = len(lines)
    from cjkglyph import integrations

    op_cls = getattr(integrations, cls_name)
    with tempfile.TemporaryDirectory(prefix="bench_scale") as tmp:
        d = Path(tmp)
        src = d / "in.txt"
        src.write_text("".join(t + "\n" for t in lines), encoding="utf-8")
        print(f"task {args.task}: {n} lines, {sum(map(len, lines))} characters, {os.cpu_count()} CPUs", flush=True)

        op = op_cls(**opts)
        op.columns(lines[:10])  # load outside the timing: the baseline is the pipeline itself
        t = time.perf_counter()
        op.columns(lines)
        base = n / (time.perf_counter() - t)
        print(f"{'baseline: in-process pipeline':<28} 1 worker(s)  {base:8.0f} lines/s  (model already loaded)", flush=True)

        t = time.perf_counter()
        wait([cli(argv, src, d / "cli1.txt", "--jobs", "1") if args.task == "check" else cli(argv, src, d / "cli1.txt")])
        report("CLI", 1, n, time.perf_counter() - t, base, None)
        want = (d / "cli1.txt").read_text(encoding="utf-8")
        if args.task == "check":
            t = time.perf_counter()
            wait([cli(argv, src, d / "jobs2.txt", "--jobs", "2")])
            report("CLI --jobs 2", 2, n, time.perf_counter() - t, base, (d / "jobs2.txt").read_text(encoding="utf-8") == want)
        t = time.perf_counter()
        extra = ["--jobs", "1"] if args.task == "check" else []
        wait([cli(argv, src, d / f"shard{i}.txt", "--shard", f"{i}/2", "--shard-mode", "range", *extra) for i in range(2)])
        joined = "".join((d / f"shard{i}.txt").read_text(encoding="utf-8") for i in range(2))
        report("CLI --shard I/2 (2 procs)", 2, n, time.perf_counter() - t, base, joined == want)
        want_col = want.split("\n")[:-1]

        if "datasets" not in skip:
            import datasets

            datasets.disable_progress_bars()
            ds = datasets.Dataset.from_dict({"id": list(range(n)), "text": lines})
            for procs in (1, 2):
                t = time.perf_counter()
                out = integrations.map_datasets(ds, op_cls(**opts), num_proc=procs if procs > 1 else None, load_from_cache_file=False)
                got = out[column]
                report("datasets map(num_proc)", procs, n, time.perf_counter() - t, base, got == want_col)

        if "ray" not in skip:
            import ray

            t = time.perf_counter()
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": ENV["PYTHONPATH"]}})
            ray.data.DataContext.get_current().enable_progress_bars = False
            print(f"(ray.init: {time.perf_counter() - t:.1f} s, not counted)", flush=True)
            for actors in (1, 2):
                rds = ray.data.from_items([{"id": i, "text": x} for i, x in enumerate(lines)], override_num_blocks=40)
                t = time.perf_counter()
                rows = integrations.map_ray(rds, op_cls, concurrency=actors, batch_size=256, **opts).take_all()
                elapsed = time.perf_counter() - t
                rows.sort(key=lambda r: r["id"])
                report("Ray Data map_batches", actors, n, elapsed, base, [r[column] for r in rows] == want_col)
            ray.shutdown()

        print(f"peak memory of one worker process: {worker_memory(args.task, src):.0f} MB (RSS; the memory-mapped LM pages are shared between workers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
