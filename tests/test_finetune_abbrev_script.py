"""scripts/finetune_abbrev_encoder.py end to end in its CPU smoke mode: examples, training, export, load."""

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
SCRIPT = REPO / "scripts" / "finetune_abbrev_encoder.py"
LINES = ["我们今天去公园玩，天气很好。", "老师经常表扬他的作业写得认真。", "这个问题我已经解决了。", "我们一起去吃饭吧，好不好？"]


@pytest.mark.slow
def test_smoke_finetune(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with lzma.open(corpus / "fewclue_tnews.txt.xz", "wt", encoding="utf-8") as f:
        f.writelines(f"{line}第{i}次\n" for i in range(200) for line in LINES)
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke", "--corpus", str(corpus), "--bench", str(tmp_path / "none"),
         "--work", str(tmp_path / "work"), "--out", str(out)],
        check=True, capture_output=True, timeout=600,
    )
    from cjkglyph.abbrev.encoder_features import encoder_features
    from cjkglyph.encoder import CharEncoder

    le = CharEncoder.load(out)
    assert len(le.vocab) == 7641 + 26 and le.vocab.tokens[-1] == "[z]"
    X = encoder_features(None, "我们今天去", ["公园", "工院"], "玩", letters="gy", letter_encoder=le)
    assert np.all(np.isfinite(X[:, 1])) and np.all(X[:, 1] < 0)
