"""scripts/train_neural_csc.py in its CPU smoke mode, and the onnxruntime corrector it exports (check --model DIR)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjkglyph.errors import InputError
from cjkglyph.resources import data_path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "train_neural_csc.py"
SHIPPED = data_path("spellcheck", "neural", "encoder.onnx", required=False).parent
needs_shipped = pytest.mark.skipif(not (SHIPPED / "encoder.onnx").exists(), reason="no shipped neural corrector")


@pytest.mark.slow
@pytest.mark.parametrize("head", ["plain", "gcn"])
def test_smoke_pipeline(tmp_path: Path, head: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    out = tmp_path / "run"
    subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--head", head, "--out", str(out)], check=True,
                   capture_output=True, timeout=600)  # fmt: skip
    ship = out / "ship"
    assert {"encoder.onnx", "vocab.txt", "cjkglyph_corrector.json", "training_info.json"} <= {p.name for p in ship.iterdir()}
    assert json.loads((ship / "training_info.json").read_text(encoding="utf-8"))["head"] == head
    from cjkglyph.encoder import CharEncoder
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector

    assert CharEncoder.load(ship).has_detect
    r = OnnxCorrector.load(ship).correct("我们今天去公圆玩")
    assert len(r["target"]) == 8 and r["source"] == "我们今天去公圆玩"


@needs_shipped
def test_shipped_corrector() -> None:
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector, shipped_scores

    c = OnnxCorrector.load()
    assert c.correct("我们今天去公圆玩")["target"] == "我们今天去公园玩"
    assert c.correct("这个问题我已经解决了。")["errors"] == []
    s = shipped_scores(["我们今天去公圆玩", "我门今天去公园玩"], [0, 1], [6, 1], [ord("园"), ord("们")])
    assert (s.cand > s.orig).all() and (s.rank == 0).all()
    assert np.isfinite(s.detect).all() and c.encoder.has_detect
    # Traditional lines are corrected and reported in Traditional characters
    r = c.correct("我們今天去公圓玩")
    assert r["target"] == "我們今天去公園玩" and r["errors"][0]["pos"] == 6


@needs_shipped
def test_predict_queries_and_thresholds() -> None:
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector

    c = OnnxCorrector.load()
    p = c.predict(["我们今天去公圆玩", "abc 公园"], [[(6, "园"), (0, "你")], [(4, "园"), (3, "x")]])
    assert p[0].top[6] == "园" and p[0].queries[0] > 0.5 and 0 < p[0].queries[1] < 0.5
    assert p[1].editable.tolist() == [False, False, False, False, True, True]
    assert np.isnan(p[1].queries[1])  # whitespace: not scored
    assert c.apply("我们今天去公圆玩", p[0], 0.999999)["errors"] == []
    assert c.apply("我们今天去公圆玩", p[0], 0.0)["target"] == "我们今天去公园玩"
    with pytest.raises(InputError):
        OnnxCorrector.load(threshold=1.5)
    with pytest.raises(InputError):
        OnnxCorrector.load(REPO / "tests")


@needs_shipped
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from("我们公圆园玩\n\t 😀\x00\u3000a１𠀀𪜀、。"), max_size=40), max_size=4))
def test_hostile_input_keeps_length(lines: list[str]) -> None:
    from cjkglyph.spelling.onnx_corrector import OnnxCorrector

    c = _shipped(OnnxCorrector)
    res = c.correct_batch(lines)
    assert [r["source"] for r in res] == lines
    for line, r in zip(lines, res):
        assert len(r["target"]) == len(line)
        for e in r["errors"]:
            assert line[e["pos"]] == e["wrong"] and r["target"][e["pos"]] == e["right"]


@needs_shipped
def test_check_cli_serves_the_directory(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.txt"
    src.write_text("我们今天去公圆玩\n\n这个问题我已经解决了。\n", encoding="utf-8")
    code, out, err = cli("check", "--model", str(SHIPPED), "-i", str(src), "--jobs", "1")
    assert code == 0, err
    assert out.splitlines() == ["我们今天去公园玩", "", "这个问题我已经解决了。"]
    code, _, err = cli("check", "--model", str(SHIPPED), "--threshold", "2", "我们")
    assert code == 2 and "Traceback" not in err


@needs_shipped
def test_serving_needs_no_torch() -> None:
    code = ("import sys; from cjkglyph.spelling.onnx_corrector import OnnxCorrector; "
            "r = OnnxCorrector.load().correct('我们今天去公圆玩'); "
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules; print(r['target'])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "我们今天去公园玩"


_CACHE: dict[str, object] = {}


def _shipped(cls: type) -> object:
    if "c" not in _CACHE:
        _CACHE["c"] = cls.load()
    return _CACHE["c"]
