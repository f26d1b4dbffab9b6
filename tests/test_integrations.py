"""cjkglyph.integrations: the batch callables, HF datasets and Ray Data give exactly the CLI's outputs."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from helpers import HOSTILE_TEXTS

from cjkglyph.integrations import Abbreviation, Convert, Pinyin, SpellCheck, TextMap, Tokenize, map_datasets, map_ray
from cjkglyph.pipelines.base import to_json

REPO = Path(__file__).resolve().parent.parent

BASE = [
    "我们今天去公圆玩",
    "今天天气很好，我们一起去公园散步。",
    "他说这个问题很有义思，在再家里吃饭。",
    "银行行长来了，头发都白了",
    "我真的bhys，这个软件zfb付款",
    "yyds！大家觉得怎么样",
    "iPhone 15 和 2024 年，我门都很喜欢。",
    "這個軟體很好用，我們都喜歡",
    "𠀀𠀁 扩展B 的字也不会报措",
    *HOSTILE_TEXTS,
]

#: (op, CLI arguments) pairs: the same task and options.
CASES = [
    (SpellCheck(), ["check", "--jobs", "1"]),
    (Convert(to="traditional"), ["convert", "--to", "traditional"]),
    (Pinyin(style="tone3"), ["pinyin", "--style", "tone3"]),
    (Abbreviation(), ["abbrev"]),
    (Tokenize(scheme="pinyin"), ["tokenize", "--scheme", "pinyin"]),
]


def _texts(n: int = 300) -> list[str]:
    return [BASE[i % len(BASE)] + ("" if i % 5 else f" 第{i}行") for i in range(n)]


def _cli_columns(cli: Any, tmp_path: Path, op: TextMap, argv: list[str], texts: list[str]) -> dict[str, list[str]]:
    """The op's columns as the CLI writes them: its text output, and the jsonl fields as JSON text."""
    src = tmp_path / "in.txt"
    src.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    code, text_out, err = cli(*argv, "-i", str(src))
    assert code == 0, err
    code, jsonl_out, err = cli(*argv, "-i", str(src), "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in jsonl_out.split("\n")[:-1]]
    assert op.text_column is not None
    cols = {op.text_column[0]: text_out.split("\n")[:-1]}
    cols.update({name: [to_json(r[key]) for r in rows] for name, key in op.json_columns})
    assert all(len(v) == len(texts) for v in cols.values())
    return cols


@pytest.mark.parametrize(("op", "argv"), CASES, ids=[c[1][0] for c in CASES])
def test_columns_equal_cli(cli: Any, tmp_path: Path, op: TextMap, argv: list[str]) -> None:
    texts = _texts(120)
    expected = _cli_columns(cli, tmp_path, op, argv, texts)
    got = op.columns(texts)
    assert list(got) == op.output_columns() == list(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_batch_kinds_keep_other_columns() -> None:
    np = pytest.importorskip("numpy")
    op = Convert(to="traditional", prefix="cg_")
    texts = ["头发", None, "银行"]
    want = ["頭髮", None, "銀行"]
    out = op({"id": [1, 2, 3], "text": texts})
    assert out == {"id": [1, 2, 3], "text": texts, "cg_output": want}
    arr = op({"id": np.arange(3), "text": np.array(texts, dtype=object)})
    assert list(arr["cg_output"]) == want and list(arr["id"]) == [0, 1, 2]
    pd = pytest.importorskip("pandas")
    df = op(pd.DataFrame({"id": [1, 2, 3], "text": texts}))
    assert list(df.columns) == ["id", "text", "cg_output"]
    assert [None if pd.isna(v) else v for v in df["cg_output"].tolist()] == want
    pa = pytest.importorskip("pyarrow")
    table = op(pa.table({"id": [1, 2, 3], "text": texts}))
    assert table.column_names == ["id", "text", "cg_output"] and table.column("cg_output").to_pylist() == want


def test_pickles_without_the_model() -> None:
    op = SpellCheck(threshold=0.6)
    before = len(pickle.dumps(op))
    assert op({"text": ["我们今天去公圆玩"]})["target"] == ["我们今天去公园玩"]
    assert op._pipe is not None
    clone = pickle.loads(pickle.dumps(op))
    assert len(pickle.dumps(op)) == before and clone._pipe is None and clone.options == {"threshold": 0.6}
    assert clone({"text": ["我们今天去公圆玩"]})["target"] == ["我们今天去公园玩"]


def test_hostile_and_empty_batches() -> None:
    op = Pinyin()
    assert op.columns([]) == {"pinyin": [], "readings": []}
    out = op.columns([*HOSTILE_TEXTS, "字" * 5000])
    assert len(out["pinyin"]) == len(HOSTILE_TEXTS) + 1
    assert all(len(json.loads(r)) == len(t) for r, t in zip(out["readings"], [*HOSTILE_TEXTS, "字" * 5000]))


@pytest.mark.slow
def test_hf_datasets_map_equals_cli(cli: Any, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    texts = _texts(300)
    op, argv = CASES[0]
    expected = _cli_columns(cli, tmp_path, op, argv, texts)
    ds = datasets.Dataset.from_dict({"id": list(range(len(texts))), "text": texts})
    out = map_datasets(ds, op, num_proc=2, batch_size=64, load_from_cache_file=False)
    assert out.column_names == ["id", "text", "target", "errors"]
    assert out["id"] == list(range(len(texts))) and out["text"] == texts
    for name in expected:
        assert out[name] == expected[name], name


@pytest.fixture(scope="module")
def ray_local() -> Any:
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    env = {"PYTHONPATH": os.pathsep.join(p for p in [str(REPO), os.environ.get("PYTHONPATH", "")] if p)}
    env.update({k: os.environ[k] for k in ("CJKGLYPH_CACHE", "CJKGLYPH_DATA") if k in os.environ})
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("case", [0, 2], ids=["check", "pinyin"])
def test_ray_data_equals_cli(cli: Any, tmp_path: Path, ray_local: Any, case: int) -> None:
    texts = _texts(300)
    op, argv = CASES[case]
    expected = _cli_columns(cli, tmp_path, op, argv, texts)
    ds = ray_local.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)], override_num_blocks=6)
    rows = sorted(map_ray(ds, op, concurrency=2, batch_size=64).take_all(), key=lambda r: r["id"])
    assert [r["text"] for r in rows] == texts
    for name in expected:
        assert [r[name] for r in rows] == expected[name], name
