"""Word statistics for the abbreviation decoder: counts, neighbour association, topic vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cjkglyph.errors import ResourceError
from cjkglyph.lm.word_context import GROUPS, NONE, WordContext, group_of


@pytest.fixture(scope="module")
def wc() -> WordContext:
    counts = {
        "手机": [900, 100, 10],
        "电池": [300, 20, 10],
        "世界": [50, 500, 300],
        "和平": [5, 200, 100],
        "没电": [200, 0, 0],
        "的": [5000, 3000, 4000],
    }
    pairs = {("的", "手机"): 200, ("的", "世界"): 50, ("手机", "没电"): 60, ("世界", "和平"): 80, ("<s>", "手机"): 30}
    vectors = {
        "的": [1, 1, 1, 1],
        "手机": [1, 0, 0, 0.1],
        "世界": [0, 1, 0, 0],
        "电池": [0.9, 0, 0.1, 0],
        "和平": [0, 0.8, 0.2, 0],
    }
    return WordContext.from_tables(counts, pairs, vectors, meta={"groups": [g for g, _ in GROUPS]})


def test_groups() -> None:
    assert group_of("waimai_10k") == 0 and group_of("fewclue_tnews") == 1 and group_of("cmrc2018_wiki") == 2


def test_ids_and_frequencies(wc: WordContext) -> None:
    ids = wc.ids(["的", "手机", "不存在", "<s>"])
    assert ids[0] == 1 and ids[1] > 1 and ids[2] == -1 and ids[3] == -1
    lf = wc.log_freq(ids)
    assert lf.shape == (4, len(GROUPS))
    assert np.all(lf[0] > lf[1]) and np.allclose(lf[2], wc.unseen_logf)
    # 手机 is a review word, 世界 a news word
    hw = wc.log_freq(wc.ids(["手机", "世界"]))
    assert hw[0, 0] > hw[1, 0] and hw[1, 1] > hw[0, 1]


def test_neighbours_and_association(wc: WordContext) -> None:
    prev, nxt = wc.neighbours(["我", "的"], ["没电", "了"])
    assert prev == wc.ids(["的"])[0] and nxt == wc.ids(["没电"])[0]
    assert wc.neighbours([], [])[0] == 0 and wc.neighbours(["，"], ["，"]) == (0, NONE)
    assert wc.neighbours(["生僻词"], ["生僻词"]) == (-1, -1)
    cands = wc.ids(["手机", "世界", "不存在"])
    right = wc.association_right(cands, nxt)
    assert right[0] > 0 > right[1] and right[2] == 0.0  # 手机没电 seen, 世界没电 not; unknown word: 0
    assert np.all(wc.association_right(cands, NONE) == 0)
    left = wc.association_left(wc.ids(["世界"])[0], wc.ids(["和平", "手机", "不存在"]))
    assert left[0] > 0 and left[1] < 0 and left[2] < 0  # an unknown word was never seen after 世界 either
    assert np.all(wc.association_left(-1, cands) == 0)


def test_topic_similarity(wc: WordContext) -> None:
    v = wc.context_vector(["电池", "，", "unknown", "的"])
    assert abs(np.linalg.norm(v) - 1) < 1e-6
    sims = wc.similarity(wc.ids(["手机", "世界", "没电", "不存在"]), v)
    assert sims[0] > sims[1] and sims[2] == sims[3] == 0.0  # 没电 has no vector
    assert list(wc.has_vector(wc.ids(["手机", "没电", "不存在"]))) == [True, False, False]
    assert not wc.context_vector([]).any() and not wc.context_vector(["不存在"]).any()


def test_context_words() -> None:
    wc = WordContext.from_tables({"手机": [1, 1, 1]})
    left, right = wc.context_words("我的手机", "没电了")
    assert "".join(left) == "我的手机" and "".join(right) == "没电了"
    assert wc.context_words("", "") == ([], [])
    left, _ = wc.context_words("长" * 1000 + "手机", "")
    assert len("".join(left)) <= 40


def test_save_load_and_corrupt(tmp_path: Path, wc: WordContext) -> None:
    path = wc.save(tmp_path / "wc.npz")
    again = WordContext.load(path)
    assert again.words == wc.words and np.array_equal(again.logf, wc.logf)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ResourceError, match="bad.npz"):
        WordContext.load(bad)
    arrays = dict(wc.arrays)
    arrays["left_totals"] = arrays["left_totals"][:-1]
    np.savez(tmp_path / "short.npz", **arrays)
    with pytest.raises(ResourceError, match="rebuild"):
        WordContext.load(tmp_path / "short.npz")


def test_shipped_table() -> None:
    from cjkglyph.resources import data_path

    if not data_path("lexicon", "word_context.npz", required=False).exists():
        pytest.skip("no shipped word-context table")
    wc = WordContext.load()
    assert len(wc.words) == 65535 and wc.meta["built_by"] == "scripts/build_word_context.py"
    lw, rw = wc.context_words("是河北邯郸市公安局站前分局", "，2009年与一名嫌疑人")
    sims = wc.similarity(wc.ids(["民警", "麻将"]), wc.context_vector(lw + rw))
    assert sims[0] > sims[1]
