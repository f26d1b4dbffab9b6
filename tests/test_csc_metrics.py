from __future__ import annotations

import pytest

from cjkglyph.spelling.metrics import csc_metrics, edits


def test_edits() -> None:
    assert edits("我门好", "我们好") == [(1, "们")]
    assert edits("abc", "ab") == []


def test_sentence_level_definitions() -> None:
    src = ["我门好", "他很好", "天汽不错", "一二三"]
    gold = ["我们好", "他很好", "天气不错", "一二三"]
    pred = ["我们好", "她很好", "天汽不措", "一二三"]
    m = csc_metrics(src, gold, pred)
    s = m["sentence"]
    # predicted edits in 3 sentences, gold edits in 2; correct: sentence 1 only; detection: sentence 1 only
    assert s["correction"]["p"] == pytest.approx(1 / 3)
    assert s["correction"]["r"] == pytest.approx(1 / 2)
    assert s["detection"]["p"] == pytest.approx(1 / 3)
    assert s["correction"]["acc"] == pytest.approx(2 / 4)
    c = m["character"]
    assert c["detection"]["p"] == pytest.approx(1 / 3) and c["detection"]["r"] == pytest.approx(1 / 2)


def test_detection_without_correction() -> None:
    m = csc_metrics(["我门好"], ["我们好"], ["我们好".replace("们", "扪")])
    assert m["sentence"]["detection"]["f1"] == 1.0
    assert m["sentence"]["correction"]["f1"] == 0.0


def test_length_mismatch() -> None:
    with pytest.raises(ValueError):
        csc_metrics(["a"], [], [])
