"""``--shard I/N`` and ``--field NAME``: shards partition the input in order; JSONL records keep their other fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjkglyph.cli._shard import count_lines, parse_shard, shard_indices

from helpers import HOSTILE_TEXTS

LINES = [
    "我们今天去公圆玩",
    "头发和银行行长",
    "",
    "繁體字也可以轉換",
    "zfb付款很方便",
    *HOSTILE_TEXTS,
]


def _write(tmp_path: Path, lines: list[str], name: str = "in.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _lines(out: str) -> list[str]:
    assert out.endswith("\n") or out == ""
    return out.split("\n")[:-1]


@given(total=st.integers(0, 300), count=st.integers(1, 12), mode=st.sampled_from(["stride", "range"]))
def test_shards_partition_in_order(total: int, count: int, mode: str) -> None:
    shards = [list(shard_indices(total, (i, count), mode)) for i in range(count)]
    assert sorted(i for s in shards for i in s) == list(range(total))
    assert all(s == sorted(s) for s in shards)
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) <= 1
    if mode == "range":
        assert [i for s in shards for i in s] == list(range(total))


@given(st.text(max_size=12))
def test_parse_shard_rejects_or_is_in_range(spec: str) -> None:
    import argparse

    try:
        index, count = parse_shard(spec)
    except argparse.ArgumentTypeError:
        return
    assert 0 <= index < count


def test_count_lines(tmp_path: Path) -> None:
    for data, n in [(b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"\n\n", 2), (b"a\r\nb\r\n", 2)]:
        path = tmp_path / "f"
        path.write_bytes(data)
        assert count_lines(str(path)) == n


def _interleave(parts: list[list[str]]) -> list[str]:
    out: list[str] = []
    for k in range(max(map(len, parts), default=0)):
        out.extend(p[k] for p in parts if k < len(p))
    return out


@pytest.mark.parametrize("mode", ["stride", "range"])
@pytest.mark.parametrize("count", [1, 2, 3, 7, 20])
def test_shard_outputs_rebuild_unsharded(cli: Any, tmp_path: Path, mode: str, count: int) -> None:
    src = str(_write(tmp_path, [f"{line}第{i}行" for i, line in enumerate(LINES * 3)]))
    code, whole, err = cli("convert", "--to", "traditional", "-i", src, "--format", "jsonl")
    assert code == 0, err
    parts = []
    for i in range(count):
        code, out, err = cli("convert", "--to", "traditional", "-i", src, "--format", "jsonl", "--shard", f"{i}/{count}", "--shard-mode", mode)
        assert code == 0, err
        parts.append(_lines(out))
    rebuilt = [line for p in parts for line in p] if mode == "range" else _interleave(parts)
    assert rebuilt == _lines(whole)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=20), max_size=30),
    count=st.integers(1, 5),
)
def test_shard_hypothesis_pinyin(cli: Any, tmp_path: Path, lines: list[str], count: int) -> None:
    src = str(_write(tmp_path, lines, "h.txt"))
    code, whole, _ = cli("pinyin", "-i", src, "--format", "jsonl")
    assert code == 0
    parts = []
    for i in range(count):
        code, out, _ = cli("pinyin", "-i", src, "--format", "jsonl", "--shard", f"{i}/{count}")
        assert code == 0
        parts.append(_lines(out))
    assert _interleave(parts) == _lines(whole)


def test_check_shards_match_jobs_run(cli: Any, tmp_path: Path) -> None:
    src = str(_write(tmp_path, LINES * 30))  # 330 lines: --jobs 2 starts workers
    code, whole, err = cli("check", "-i", src, "--format", "jsonl", "--jobs", "2")
    assert code == 0, err
    parts = []
    for i in range(2):
        code, out, err = cli("check", "-i", src, "--format", "jsonl", "--jobs", "1", "--shard", f"{i}/2", "--shard-mode", "range")
        assert code == 0, err
        parts.append(out)
    assert "".join(parts) == whole


def test_shard_of_text_arguments(cli: Any) -> None:
    code, out, _ = cli("convert", "--to", "traditional", "头", "发", "银", "--shard", "1/2")
    assert code == 0 and out == "發\n"


def test_invalid_utf8_only_fails_its_own_shard(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("头\n发\n".encode() + b"\xff\n" + "银\n".encode())
    code, out, _ = cli("convert", "--to", "traditional", "-i", str(path), "--shard", "1/2")
    assert code == 0 and out == "發\n銀\n"
    code, _, err = cli("convert", "--to", "traditional", "-i", str(path), "--shard", "0/2")
    assert code == 2 and "line 3: invalid UTF-8" in err


@pytest.mark.parametrize("spec", ["2/2", "-1/3", "1", "a/b", "1/0", ""])
def test_bad_shard_is_a_usage_error(cli: Any, spec: str) -> None:
    code, out, err = cli("convert", "--to", "traditional", "头", "--shard", spec)
    assert code == 2 and out == "" and "shard" in err and "Traceback" not in err


def test_range_mode_needs_a_file(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("头\n".encode())))
    code, _, err = cli("convert", "--to", "traditional", "--shard", "0/2", "--shard-mode", "range")
    assert code == 2 and "needs -i FILE" in err


def test_field_keeps_other_fields(cli: Any, tmp_path: Path) -> None:
    records = [
        {"id": 1, "text": "我们今天去公圆玩", "meta": {"src": "a"}},
        {"text": "", "id": 2},
        {"id": 3, "text": "银行", "target": "old"},
    ]
    src = _write(tmp_path, [json.dumps(r, ensure_ascii=False) for r in records], "in.jsonl")
    code, out, err = cli("check", "-i", str(src), "--field", "text", "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in _lines(out)]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["meta"] == {"src": "a"} and rows[0]["target"] == "我们今天去公园玩"
    assert list(rows[0])[:3] == ["id", "text", "meta"]
    assert rows[2]["target"] == "银行"  # the result's field replaces the input's
    code, plain, _ = cli("check", "-i", str(src), "--field", "text")
    assert code == 0 and _lines(plain) == ["我们今天去公园玩", "", "银行"]
    code, sharded, _ = cli("check", "-i", str(src), "--field", "text", "--format", "jsonl", "--shard", "1/2")
    assert code == 0 and _lines(sharded) == [_lines(out)[1]]


def test_field_result_never_replaces_the_text_field(cli: Any, tmp_path: Path) -> None:
    src = _write(tmp_path, ['{"output": "头发", "text": "x"}'], "in.jsonl")
    code, out, _ = cli("convert", "--to", "traditional", "-i", str(src), "--field", "output", "--format", "jsonl")
    assert code == 0 and json.loads(out) == {"output": "头发", "text": "头发"}


@pytest.mark.parametrize(
    ("line", "message"),
    [("not json", "line 2: not a JSON object"), ("[1, 2]", "line 2: not a JSON object"), ('{"id": 1}', "line 2: has no field 'text'"), ('{"text": 5}', "line 2: has a non-string field 'text'")],
)
def test_field_bad_records(cli: Any, tmp_path: Path, line: str, message: str) -> None:
    src = _write(tmp_path, ['{"text": "头"}', line], "in.jsonl")
    code, out, err = cli("convert", "--to", "traditional", "-i", str(src), "--field", "text", "--format", "jsonl")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert out == '{"text": "頭"}\n'[: len(out)]
    code, out, _ = cli("convert", "--to", "traditional", "-i", str(src), "--field", "text", "--shard", "0/2")
    assert code == 0 and out == "頭\n"
