"""``cjkglyph check --jobs N``: worker processes give the same output, in input order, and the same errors.

Uses the shipped corrector (no /work/shared). Each CLI run loads it once in
the test process; forked workers inherit it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from cjkglyph.cli._parallel import ordered_map
from cjkglyph.errors import CjkglyphError, InputError

LINES = [
    "我们今天去公圆玩",
    "",
    "今天天气很好，我们一起去公园散步。",
    "他说👨\u200d👩\u200d👧 是一家人，在再家里吃饭。",
    "",
    "iPhone 15 和 2024 年，我门都很喜欢。",
    "\u202e从右到左\u202c 这个很有义思",
    "这本书写得非常好，我已经看了三遍。" * 120,  # a long line: several chunks
    "𠀀𠀁 扩展B 的字也不会报措",
    "\t\x01控制字符  ",
]


def _input(tmp_path: Path, n: int = 300) -> Path:
    """More lines than four --jobs batches (workers start from four), so several batches are in flight at once."""
    lines = [LINES[i % len(LINES)] + ("" if i % 7 else f" 第{i}行") for i in range(n)]
    path = tmp_path / "in.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "tsv"])
def test_jobs_output_identical(cli: Any, tmp_path: Path, fmt: str) -> None:
    src = _input(tmp_path)
    code1, out1, err1 = cli("check", "-i", str(src), "--format", fmt, "--jobs", "1")
    code2, out2, err2 = cli("check", "-i", str(src), "--format", fmt, "--jobs", "2")
    assert code1 == code2 == 0, err1 + err2
    assert out2 == out1
    n_out = len(out1.split("\n")) - 1 - (fmt == "tsv")
    assert n_out == 300
    code0, out0, err0 = cli("check", "-i", str(src), "--format", fmt)  # default: automatic
    assert code0 == 0 and out0 == out1, err0


def test_jobs_read_error_after_earlier_output(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    good = [LINES[i % len(LINES)] for i in range(300)]
    src.write_bytes(("\n".join(good) + "\n").encode("utf-8") + b"bad \xff here\n" + "再见\n".encode())
    code1, out1, err1 = cli("check", "-i", str(src), "--jobs", "1")
    code2, out2, err2 = cli("check", "-i", str(src), "--jobs", "3")
    assert code1 == code2 == 2
    assert err2 == err1 and err2.count("\n") == 1 and "line 301" in err2
    # the batches before the bad line are written (how many depends on the batch size), in order
    code, full, _ = cli("check", "-i", str(src), "--errors", "replace")
    assert code == 0 and full.startswith(out1) and full.startswith(out2)
    assert 0 < len(out2.split("\n")) - 1 <= 300
    # a bad line among the first batches (before any worker would start): same output and error
    small = tmp_path / "small.txt"
    small.write_bytes(("\n".join(good[:100]) + "\n").encode("utf-8") + b"bad \xff here\n")
    code1, out1, err1 = cli("check", "-i", str(small), "--jobs", "1")
    code2, out2, err2 = cli("check", "-i", str(small))
    assert code1 == code2 == 2 and err1 == err2 and "line 101" in err2
    assert full.startswith(out1) and full.startswith(out2)  # whole batches before the bad line, in order


def test_jobs_validation_and_text_arguments(cli: Any) -> None:
    code, _, err = cli("check", "--jobs", "-1", "我们今天去公圆玩")
    assert code == 2 and "--jobs" in err and err.count("\n") == 1
    code, out, _ = cli("check", "--jobs", "2", "我们今天去公圆玩")
    assert code == 0 and out == "我们今天去公园玩\n"


def test_workers_start_only_for_large_inputs(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cjkglyph.cli import _parallel

    started: list[int] = []
    real = _parallel.ordered_map

    def spy(*a: Any, **kw: Any) -> Any:
        started.append(a[3])
        return real(*a, **kw)

    monkeypatch.setattr(_parallel, "ordered_map", spy)
    monkeypatch.setattr(_parallel, "auto_jobs", lambda limit=4: 2)
    code, out, _ = cli("check", "-i", str(_input(tmp_path, 50)))
    assert code == 0 and out.count("\n") == 50 and started == []
    code, out, _ = cli("check", "-i", str(_input(tmp_path, 300)))
    assert code == 0 and out.count("\n") == 300 and started == [2]


# ---------------------------------------------------------------------------- ordered_map itself


def _failing(**_: Any) -> Any:
    def process(batch: list[str]) -> list[dict[str, Any]]:
        if "boom" in batch:
            raise InputError("record boom is not allowed")
        if "die" in batch:
            os._exit(3)
        return [{"text": t.upper()} for t in batch]

    return process


def test_ordered_map_order_and_errors() -> None:
    batches = [[f"r{i}", f"s{i}"] for i in range(20)]
    got = list(ordered_map(_failing, {}, iter(batches), 3))
    assert [b for b, _ in got] == batches
    assert [r["text"] for _, res in got for r in res] == [t.upper() for b in batches for t in b]
    with pytest.raises(InputError, match="record boom"):
        list(ordered_map(_failing, {}, iter([["a"], ["boom"], ["c"]]), 2))
    with pytest.raises(CjkglyphError, match="worker process stopped"):
        list(ordered_map(_failing, {}, iter([["a"], ["die"], ["c"]]), 2))
