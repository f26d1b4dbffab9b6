"""Input and output shared by every subcommand.

Records come from TEXT arguments, ``-i FILE`` (one record per line, ``-`` =
stdin) or piped stdin. Lines are split on ``\\n`` only (a trailing ``\\r`` is
dropped), so every other character, control characters included, reaches the
command. Output keeps one result per input record, in input order, streamed in
batches so memory stays constant on large files.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from .._progress import tracking
from ..errors import InputError

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
    """Add TEXT, -i/--input, -o/--output, --format, --errors and --progress."""
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


def _file_lines(stream: IO[bytes], name: str, errors: str) -> Iterator[str]:
    for lineno, raw in enumerate(stream, 1):
        if raw.endswith(b"\n"):
            raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
        line = _decode(raw, errors, f"{name}: line {lineno}")
        if lineno == 1 and line.startswith("\ufeff"):
            line = line[1:]
        yield line


def _arg_text(text: str, n: int, errors: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        return _decode(raw, errors, f"argument {n}")


def read_records(args: argparse.Namespace) -> Iterator[str]:
    """Yield the records named by ``args`` (TEXT arguments, -i FILE, or piped stdin)."""
    texts: list[str] = getattr(args, "text", None) or []
    path: str | None = getattr(args, "input", None)
    errors: str = getattr(args, "errors", "strict")
    if texts and path:
        raise InputError("give TEXT arguments or -i FILE, not both")
    if texts:
        for n, t in enumerate(texts, 1):
            yield _arg_text(t, n, errors)
        return
    if path is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("no input: give TEXT arguments, -i FILE, or pipe text on stdin")
        path = "-"
    if path == "-":
        yield from _file_lines(sys.stdin.buffer, "<stdin>", errors)
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    with stream:
        try:
            yield from _file_lines(stream, path, errors)
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
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def _batches(records: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for r in records:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
    interactive = not getattr(args, "text", None) and getattr(args, "input", None) in (None, "-") and sys.stdin.isatty()
    collected: list[Result] = []
    with open_output(args) as out:
        if fmt == "tsv" and tsv_header:
            out.write(tsv_header + "\n")
        batches = _batches(read_records(args), 1 if interactive else batch_size)
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
            if fmt == "json":
                collected.extend(results)
                continue
            if fmt == "jsonl":
                lines = [dumps(r) for r in results]
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
