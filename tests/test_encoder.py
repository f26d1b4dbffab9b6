"""The shipped character encoder: vocabulary folding, windows, whitespace, determinism, scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjkglyph.encoder import CharEncoder, CharVocab, default_encoder
from cjkglyph.encoder.runtime import WINDOW
from cjkglyph.encoder.vocab import UNK


@pytest.fixture(scope="module")
def enc() -> CharEncoder:
    return default_encoder()


def test_vocab_folds_full_width_and_case() -> None:
    v = CharVocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "1", "你"])
    assert v.ids("Ａa１你").tolist() == [5, 5, 6, 7]
    assert v.ids("A").tolist() == [5]
    assert v.ids("😀𠀀好").tolist() == [UNK, UNK, UNK]
    assert len(v) == 8


def test_vocab_rejects_a_file_without_specials(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.errors import ResourceError

    bad = tmp_path / "vocab.txt"
    bad.write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(ResourceError):
        CharVocab.load(bad)


def test_zero_shot_corrections(enc: CharEncoder) -> None:
    texts = ["我们今天去公圆玩", "老师经常表阳他", "这个问题我已经解绝了", "我门一起去吃饭吧"]
    s = enc.score(texts, [0, 1, 2, 3], [6, 5, 8, 1], [ord(c) for c in "园扬决们"])
    assert (s.cand > s.orig).all()
    assert (s.rank <= 1).all()
    assert np.allclose(s.top, np.maximum(s.top, s.cand))


def test_log_probs_are_distributions(enc: CharEncoder) -> None:
    lp, det = enc.log_probs(["我们今天去公园玩"], [0, 0], [0, 7])
    assert lp.shape == (2, len(enc.vocab))
    assert np.allclose(np.exp(lp).sum(axis=1), 1.0, atol=1e-3)
    assert det.shape == (2,)


def test_whitespace_is_skipped_and_positions_index_the_original(enc: CharEncoder) -> None:
    plain = "我们今天去公圆玩"
    spaced = "我们 今天\t去公 圆玩"
    a = enc.score([plain], [0], [6], [ord("园")])
    b = enc.score([spaced], [0], [spaced.index("圆")], [ord("园")])
    assert np.allclose(a.cand, b.cand, atol=1e-5)
    assert np.allclose(a.orig, b.orig, atol=1e-5)


def test_scores_do_not_depend_on_the_batch(enc: CharEncoder) -> None:
    texts = ["我们今天去公圆玩", "这个问题我已经解绝了。" * 3, "老师经常表阳他"]
    alone = enc.score([texts[0]], [0], [6], [ord("园")])
    together = enc.score(texts, [1, 0, 2], [8, 6, 5], [ord("决"), ord("园"), ord("扬")])
    assert together.cand[1] == alone.cand[0]
    assert together.orig[1] == alone.orig[0]


def test_long_text_is_windowed(enc: CharEncoder) -> None:
    text = "我们今天去公园玩，天气很好。" * 30  # 420 characters
    assert len(text) > 2 * WINDOW
    pos = np.arange(len(text))
    lp, _ = enc.log_probs([text], np.zeros(len(text), dtype=np.int64), pos)
    assert np.allclose(np.exp(lp).sum(axis=1), 1.0, atol=1e-3)
    # the middle of the text is scored with context on both sides: the repeated phrase is predicted
    mid = len(text) // 2 - (len(text) // 2) % 14 + 5  # a 公
    assert int(lp[mid].argmax()) == enc.vocab.id("公")


def test_hidden_vectors(enc: CharEncoder) -> None:
    h = enc.hidden(["银行行长", "他行不行"], [0, 0, 1], [1, 2, 1])
    assert h.shape[0] == 3 and h.shape[1] >= 64
    # the same character in different contexts gets different vectors
    assert not np.allclose(h[0], h[2])


def test_empty_queries(enc: CharEncoder) -> None:
    s = enc.score([], [], [], [])
    assert len(s.cand) == 0
    assert enc.hidden(["好"], [], []).shape[0] == 0


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_hostile_text_never_fails(text: str) -> None:
    enc = default_encoder()
    pos = np.arange(len(text))
    lp, _ = enc.log_probs([text], np.zeros(len(text), dtype=np.int64), pos)
    assert lp.shape == (len(text), len(enc.vocab))
    assert np.isfinite(lp).all()
