"""Input and output shared by every subcommand.

Records come from TEXT arguments, ``-i FILE`` (one record per line, ``-`` =
stdin) or piped stdin. Lines are split on ``\\n`` only (a trailing ``\\r`` is
dropped), so every other character, control characters included, reaches the
command. Output keeps one result per input record, in input order, streamed in
batches so memory stays constant on large files.

``--shard I/N`` keeps one shard of the records (see :mod:`._shard`; line
numbers in errors stay those of the whole file). ``--field NAME`` reads each
line as a JSON object and processes the text in field NAME; json/jsonl output
is then each input object with the result's fields added (a result field
replaces an input field of the same name, except NAME itself).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from .._progress import tracking
from ..errors import InputError
from ..pipelines.base import to_json
from ._shard import SHARD_MODES, Shard, count_lines, parse_shard, range_bounds

__all__ = [
    "FORMATS",
    "add_io_arguments",
    "dumps",
    "open_output",
    "read_records",
    "run_records",
    "tsv_field",
]

FORMATS = ("text", "json", "jsonl", "tsv")

Result = dict[str, Any]


def add_io_arguments(
    parser: argparse.ArgumentParser,
    *,
    formats: Sequence[str] = FORMATS,
    default_format: str = "text",
    text_help: str = "text to process; each argument is one record (or use -i)",
) -> None:
    """Add TEXT, -i/--input, -o/--output, --format, --errors, --progress, --shard, --shard-mode and --field."""
    parser.add_argument("text", nargs="*", metavar="TEXT", help=text_help)
    parser.add_argument("-i", "--input", metavar="FILE", help="read one record per line from FILE ('-' = stdin)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write results to FILE instead of stdout")
    parser.add_argument("--format", choices=list(formats), default=default_format, help="output format (default: %(default)s)")
    parser.add_argument(
        "--errors",
        choices=("strict", "replace"),
        default="strict",
        help="invalid UTF-8 input: stop with an error naming the line (strict, default) or continue with U+FFFD (replace)",
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar on stderr for file input")
    parser.add_argument(
        "--shard",
        type=parse_shard,
        metavar="I/N",
        help="process only shard I of N (0-based), e.g. one job of a Slurm/K8s array: every N-th record from record I, "
        "or with --shard-mode range the I-th of N contiguous blocks; shards 0..N-1 together cover the input once, in order",
    )
    parser.add_argument(
        "--shard-mode",
        choices=SHARD_MODES,
        default="stride",
        help="stride (default): every N-th record; range: contiguous blocks (needs -i FILE; outputs concatenate in order)",
    )
    parser.add_argument(
        "--field",
        metavar="NAME",
        help="input lines are JSON objects (JSONL): process the text in field NAME; json/jsonl output is each object "
        "with the result's fields added (its other fields kept)",
    )


def _decode(raw: bytes, errors: str, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if errors == "replace":
            return raw.decode("utf-8", "replace")
        raise InputError(f"{where}: invalid UTF-8 at byte {e.start + 1} ({_encoding_hint(raw)})") from None


def _encoding_hint(raw: bytes) -> str:
    """What to do about undecodable bytes: convert when they look like UTF-16 or a legacy Chinese encoding."""
    fix = "convert it to UTF-8 first, e.g. iconv -f {} -t UTF-8 FILE, or use --errors replace to continue"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(0) * 4 >= len(raw[:200]) > 0:
        return "this looks like UTF-16: " + fix.format("UTF-16")
    try:
        raw.decode("gb18030")
        return "this may be GBK/GB18030: " + fix.format("GB18030")
    except UnicodeDecodeError:
        return "use --errors replace to continue"


def _file_lines(stream: IO[bytes], name: str, errors: str, keep: tuple[int, int, int] | None = None) -> Iterator[tuple[int, str]]:
    """(line number, line); ``keep`` = (start, stop, step) 0-based line indices, the others skipped undecoded."""
    for lineno, raw in enumerate(stream, 1):
        if keep is not None:
            start, stop, step = keep
            if lineno > stop:
                break
            if lineno <= start or (lineno - 1 - start) % step:
                continue
        if raw.endswith(b"\n"):
            raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
        line = _decode(raw, errors, f"{name}: line {lineno}")
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield lineno, line


def _arg_text(text: str, n: int, errors: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        return _decode(raw, errors, f"argument {n}")


def _keep(args: argparse.Namespace, total: Any) -> tuple[int, int, int] | None:
    """The (start, stop, step) record indices ``--shard`` keeps; ``total()`` counts the records (range mode only)."""
    shard: Shard | None = getattr(args, "shard", None)
    if shard is None:
        return None
    if getattr(args, "shard_mode", "stride") == "range":
        start, stop = range_bounds(total(), shard)
        return start, stop, 1
    return shard[0], 1 << 62, shard[1]


def _numbered_records(args: argparse.Namespace) -> Iterator[tuple[int, str]]:
    """(line or argument number, record) for the records named by ``args``, ``--shard`` applied."""
    texts: list[str] = getattr(args, "text", None) or []
    path: str | None = getattr(args, "input", None)
    errors: str = getattr(args, "errors", "strict")
    if texts and path:
        raise InputError("give TEXT arguments or -i FILE, not both")
    if texts:
        keep = _keep(args, lambda: len(texts))
        start, stop, step = keep or (0, len(texts), 1)
        for n in range(start, min(stop, len(texts)), step):
            yield n + 1, _arg_text(texts[n], n + 1, errors)
        return
    if path is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no input: give TEXT arguments, -i FILE, or pipe text on stdin")
        path = "-"
    if path == "-":
        if getattr(args, "shard", None) is not None and getattr(args, "shard_mode", "stride") == "range":
            raise InputError("--shard-mode range needs -i FILE (stride mode works on stdin)")
        yield from _file_lines(sys.stdin.buffer, "<stdin>", errors, _keep(args, None))
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    with stream:
        keep = _keep(args, lambda: count_lines(path))
        try:
            yield from _file_lines(stream, path, errors, keep)
        except OSError as e:
            raise InputError(f"cannot read {path}: {e.strerror or e}") from None


def _progress_bar(args: argparse.Namespace) -> Any:
    """A progress bar over the characters of the input file (``--progress``, or stderr a terminal), else None.

    It counts work done: characters of records processed, advanced inside long
    records by the library's :func:`cjkglyph._progress.advance` reports.
    """
    path: str | None = getattr(args, "input", None)
    if not path or path == "-" or getattr(args, "text", None) or not (getattr(args, "progress", False) or sys.stderr.isatty()):
        return None
    import numpy as np
    from tqdm import tqdm

    total = 0
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                total += int(np.count_nonzero((np.frombuffer(block, dtype=np.uint8) & 0xC0) != 0x80))  # UTF-8 lead bytes
    except OSError:
        return None
    return tqdm(total=total or None, unit="char", unit_scale=True, file=sys.stderr, desc=os.path.basename(path))


def _items(args: argparse.Namespace) -> Iterator[tuple[dict[str, Any] | None, str]]:
    """(input object, text): the object is None unless ``--field`` names the text field of JSONL records."""
    field: str | None = getattr(args, "field", None)
    path = getattr(args, "input", None)
    where = "argument" if getattr(args, "text", None) else f"{path if path not in (None, '-') else '<stdin>'}: line"
    for n, record in _numbered_records(args):
        if field is None:
            yield None, record
            continue
        try:
            obj = json.loads(record)
        except ValueError as e:
            raise InputError(f"{where} {n}: not a JSON object ({e.msg}); --field needs JSONL input") from None
        if not isinstance(obj, dict):
            raise InputError(f"{where} {n}: not a JSON object; --field needs JSONL input")
        text = obj.get(field)
        if not isinstance(text, str):
            problem = "has no field" if field not in obj else "has a non-string field"
            raise InputError(f"{where} {n}: {problem} {field!r}")
        yield obj, text


def read_records(args: argparse.Namespace) -> Iterator[str]:
    """Yield the records named by ``args`` (TEXT arguments, -i FILE, or piped stdin; ``--shard``, ``--field`` applied)."""
    for _, text in _items(args):
        yield text


@contextmanager
def open_output(args: argparse.Namespace) -> Iterator[IO[str]]:
    """The text stream for results: ``-o FILE`` or stdout, UTF-8 with ``\\n`` line ends."""
    path: str | None = getattr(args, "output", None)
    if path and path != "-":
        try:
            stream = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as e:
            raise InputError(f"cannot write {path}: {e.strerror or e}") from None
        with stream:
            yield stream
        return
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="replace", newline="\n", write_through=False)
    try:
        yield out
        out.flush()
    finally:
        out.detach()


def dumps(obj: Any, *, pretty: bool = False) -> str:
    """JSON text with CJK characters kept readable."""
    if pretty:
        return json.dumps(obj, ensure_ascii=False, indent=2)
    return to_json(obj)


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for r in records:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _merged(objects: list[dict[str, Any] | None], results: list[Result], field: str | None) -> list[Result]:
    """``--field``: each input object with the result's fields added (the text field kept as it was)."""
    if field is None:
        return results
    out = []
    for obj, r in zip(objects, results, strict=True):
        assert obj is not None
        merged = {**obj, **r}
        merged[field] = obj[field]
        out.append(merged)
    return out


def run_records(
    args: argparse.Namespace,
    process: Callable[[list[str]], list[Result]],
    *,
    to_text: Callable[[Result], str],
    to_tsv: Callable[[Result], str] | None = None,
    tsv_header: str | None = None,
    batch_size: int = 256,
    parallel: Callable[[Iterator[list[str]]], Iterator[tuple[list[str], list[Result]]]] | None = None,
) -> int:
    """Read records, run ``process`` on batches and write one result per record.

    ``process`` maps a list of records to one JSON-serialisable dict each;
    ``to_text``/``to_tsv`` render one dict as a single output line.
    ``parallel`` (for file and piped input) maps the batches to (batch, results)
    pairs in input order instead, e.g. :func:`cjkglyph.cli._parallel.ordered_map`.
    """
    fmt: str = getattr(args, "format", "text")
    field: str | None = getattr(args, "field", None)
    interactive = not getattr(args, "text", None) and getattr(args, "input", None) in (None, "-") and sys.stdin.isatty()
    collected: list[Result] = []
    with open_output(args) as out:
        if fmt == "tsv" and tsv_header:
            out.write(tsv_header + "\n")
        objects: deque[list[dict[str, Any] | None]] = deque()

        def texts(item_batches: Iterator[list[tuple[dict[str, Any] | None, str]]]) -> Iterator[list[str]]:
            for items in item_batches:
                objects.append([obj for obj, _ in items])
                yield [text for _, text in items]

        batches = texts(_batches(_items(args), 1 if interactive else batch_size))
        bar = _progress_bar(args)
        ticked = [0]

        def tick(n: int) -> None:
            ticked[0] += n
            bar.update(n)

        if parallel is not None and not interactive and not getattr(args, "text", None):
            pairs = parallel(batches)
        else:
            pairs = ((batch, process(batch)) for batch in batches)
        if bar is not None:
            pairs = _tracked(pairs, tick)
        for batch, results in pairs:
            if bar is not None:
                bar.update(max(0, sum(len(r) + 1 for r in batch) - ticked[0]))
                ticked[0] = 0
            if len(results) != len(batch):
                raise RuntimeError(f"internal error: {len(batch)} records gave {len(results)} results")
            batch_objects = objects.popleft()
            if fmt == "json":
                collected.extend(_merged(batch_objects, results, field))
                continue
            if fmt == "jsonl":
                lines = [dumps(r) for r in _merged(batch_objects, results, field)]
            elif fmt == "tsv":
                if to_tsv is None:
                    raise InputError("--format tsv is not supported by this command")
                lines = [to_tsv(r) for r in results]
            else:
                lines = [to_text(r) for r in results]
            out.write("\n".join(lines) + "\n")
            if interactive:
                out.flush()
        if fmt == "json":
            single = len(getattr(args, "text", None) or []) == 1 and len(collected) == 1
            out.write(dumps(collected[0] if single else collected, pretty=True) + "\n")
        if bar is not None:
            bar.close()
    return 0


def _tracked(pairs: Iterator[Any], tick: Callable[[int], None]) -> Iterator[Any]:
    """``pairs``, with the library's work-done reports going to ``tick`` while they are consumed (in-process work only)."""
    with tracking(tick):
        yield from pairs


def tsv_field(value: Any) -> str:
    """One TSV cell: tabs, newlines and backslashes escaped so a row stays one line."""
    s = value if isinstance(value, str) else dumps(value) if isinstance(value, (list, dict)) else "" if value is None else str(value)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
