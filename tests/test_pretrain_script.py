"""scripts/pretrain_char_mlm.py end to end in its CPU smoke mode: prep, train, finetune, export, load."""

from __future__ import annotations

import lzma
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "pretrain_char_mlm.py"
LINES = ["我们今天去公园玩，天气很好。", "老师经常表扬他的作业写得认真。", "这个问题我已经解决了。", "我们一起去吃饭吧，好不好？"]


def _run(*args: str) -> None:
    subprocess.run([sys.executable, str(SCRIPT), *args], check=True, capture_output=True, timeout=600)


@pytest.mark.slow
def test_smoke_pipeline(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with lzma.open(corpus / "news.txt.xz", "wt", encoding="utf-8") as f:
        f.writelines(f"{line}{i}\n" for i in range(300) for line in LINES)
    graph = tmp_path / "graph.tsv"
    graph.write_text("园\t圆\tsame-sound\t0.9\n扬\t阳\tsimilar-sound\t0.8\n们\t门\tsimilar-shape\t0.7\n", encoding="utf-8")
    data = tmp_path / "data"
    _run("prep", "--corpus", str(corpus), "--bench", str(tmp_path / "none"), "--graph", str(graph), "--out", str(data))
    assert (data / "tokens.u16.xz").exists() and (data / "test.tsv.xz").exists()
    assert np.load(data / "conf_ids.npy").shape[1] == 24
    _run("train", "--data", str(data), "--smoke", "--out", str(tmp_path / "mlm"))
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("我们今天去公圆玩\t我们今天去公园玩\n", encoding="utf-8")
    _run("finetune", "--data", str(data), "--init", str(tmp_path / "mlm"), "--pairs", str(pairs), "--smoke",
         "--out", str(tmp_path / "csc"))
    from cjkglyph.encoder import CharEncoder
    from cjkglyph.encoder.export import export_onnx

    export_onnx(tmp_path / "csc", tmp_path / "csc" / "encoder.onnx", quantize=True)
    enc = CharEncoder.load(tmp_path / "csc")
    assert enc.has_detect
    s = enc.score(["我们今天去公圆玩"], [0], [6], [ord("园")])
    assert np.isfinite(s.cand).all() and np.isfinite(s.detect).all()
