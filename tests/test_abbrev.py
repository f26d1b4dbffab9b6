"""Pinyin-abbreviation decoder: runs, lattice, context scoring, CLI, pipeline, neural re-ranking.

Most tests use a tiny lexicon and a tiny character LM built in a temporary
directory, so they are fast and need neither /work/shared nor the shipped LM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjkglyph
from cjkglyph.abbrev import AbbreviationDecoder, Run, find_runs
from cjkglyph.lexicon import Lexicon, lexicon_sources

JIEBA = {
    "不好意思": 3000, "不好": 5000, "意思": 8000, "保护意识": 200, "支付宝": 2000, "政府办": 300,
    "世界": 60000, "手机": 9000, "时间": 15000, "设计": 8000, "笑死我了": 50, "销售网络": 80,
    "我们": 40000, "西安": 3000, "先": 20000, "我": 90000, "的": 300000, "了": 200000, "真": 9000,
    "用": 30000, "付款": 2000, "没电": 300, "电": 5000, "没": 30000, "好": 50000, "玩": 3000,
    "质量": 6000, "这里": 9000, "资料": 5000, "很": 60000, "付": 2000, "是": 200000,
}  # fmt: skip
CORPUS = [
    "真的不好意思，我来晚了",
    "不好意思，打扰一下",
    "我的手机没电了",
    "手机没电了怎么办",
    "这个手机很好用",
    "世界很大，我想去看看",
    "我用支付宝付款",
    "支付宝付款很方便",
    "笑死我了，太好玩了",
    "质量很好，手感不错",
    "质量很好，我很满意",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lexicon, Any]:
    """A tiny lexicon (tiny jieba dict + the shipped curated list) and a tiny order-4 LM."""
    from cjkglyph.lm import LanguageModel
    from cjkglyph.lm.build import train_lines, write_model

    tmp = tmp_path_factory.mktemp("abbrev")
    (tmp / "dict.txt").write_text("".join(f"{w} {c} n\n" for w, c in JIEBA.items()), encoding="utf-8")
    (tmp / "rime.tsv").write_text("word\tpinyin\tweight\tabbrev\n银行\tyin hang\t100\tyh\n", encoding="utf-8")
    sources = dict(lexicon_sources())
    sources.update(jieba=tmp / "dict.txt", rime=tmp / "rime.tsv")
    lex = Lexicon.build(sources, cache=False)
    header, arrays = train_lines(CORPUS * 3, order=4, prune=[1, 1, 1], min_count=1, quantize=False)
    lm = LanguageModel.load(write_model(tmp / "tiny.lm", header, arrays))
    return lex, lm


@pytest.fixture(scope="module")
def dec(tiny: tuple[Lexicon, Any]) -> AbbreviationDecoder:
    lex, lm = tiny
    return AbbreviationDecoder(lm=lm, lexicon=lex)


def best(d: AbbreviationDecoder, text: str) -> str:
    return str(d.decode(text)["candidates"][0]["text"])


# ---------------------------------------------------------------------------- runs


def test_find_runs() -> None:
    runs = find_runs("yyds! 用zfb付了2yy，iPhone和www.qq.com、a@b.cn、OK不算，bu hao ys")
    assert [r.letters for r in runs] == ["yyds", "zfb", "yy", "bu hao ys"]
    text = "yyds! 用zfb付了2yy，iPhone和www.qq.com、a@b.cn、OK不算，bu hao ys"
    assert all(text[r.start : r.end] == r.letters for r in runs)
    assert find_runs("") == [] and find_runs("全是汉字") == []
    assert [r.letters for r in find_runs("我的app坏了 zfb", keep=lambda w: w == "app")] == ["zfb"]


def test_lexicon_lookup(tiny: tuple[Lexicon, Any]) -> None:
    lex, _ = tiny
    words = [w for w, _, _ in lex.lookup("bhys")]
    assert words[0] == "不好意思" and "保护意识" in words
    assert lex.reading(lex.find("银行")[0]) == ("yin", "hang")
    assert [w for w, _, _ in lex.lookup("yyds")][:1] == ["永远的神"]  # curated list
    logp = [p for _, _, p in lex.lookup("sj")]
    assert logp == sorted(logp, reverse=True)


# ---------------------------------------------------------------------------- decoding


def test_bhys_in_context(dec: AbbreviationDecoder) -> None:
    out = dec.decode("真的bhys，我来晚了")
    top = out["candidates"][0]
    assert top["text"] == "真的不好意思，我来晚了"
    assert top["expansion"] == "不好意思" and top["expansions"] == ["不好意思"]
    assert out["runs"] == [{"start": 2, "end": 6, "letters": "bhys"}]


def test_right_context_is_used(dec: AbbreviationDecoder) -> None:
    # 世界 is the more frequent word; only the right-hand context 没电了 points to 手机
    assert dec.expansions("sj")[0][0] == "世界"
    assert best(dec, "我的sj没电了") == "我的手机没电了"


def test_window_scoring_ranks_like_whole_sentence(tiny: tuple[Lexicon, Any]) -> None:
    lex, lm = tiny
    windowed = AbbreviationDecoder(lm=lm, lexicon=lex)
    whole = AbbreviationDecoder(lm=lm, lexicon=lex, context=10**6)
    assert windowed.window == lm.order - 1
    for text in ("我的sj没电了", "很长的一句话开头，真的bhys，我来晚了，然后还有很多字"):
        a = windowed.decode(text, 20)["candidates"]
        b = whole.decode(text, 20)["candidates"]
        assert [c["text"] for c in a] == [c["text"] for c in b]
        # scores differ by one constant (the characters outside the window)
        diff = np.array([x["score"] for x in a]) - np.array([x["score"] for x in b])
        assert np.ptp(diff) < 1e-3


def test_zh_ch_sh_one_or_two_letters(dec: AbbreviationDecoder) -> None:
    assert best(dec, "zfb") == best(dec, "zhfb") == "支付宝"
    assert best(dec, "我的shj没电了") == "我的手机没电了"


def test_mixed_full_pinyin(dec: AbbreviationDecoder) -> None:
    for text in ("buhaoys", "bu hao ys", "buhao yisi", "bhyisi"):
        assert best(dec, text) == "不好意思", text
    assert best(dec, "xi an") == "西安"


def test_several_runs(dec: AbbreviationDecoder) -> None:
    out = dec.decode("我用zfb付款，xswl", k=5)
    top = out["candidates"][0]
    assert top["text"] == "我用支付宝付款，笑死我了"
    assert top["expansions"] == ["支付宝", "笑死我了"] and top["expansion"] == "支付宝 笑死我了"
    assert [(r["start"], r["end"]) for r in out["runs"]] == [(2, 5), (8, 12)]
    # the alternatives change one run at a time and are ranked by score
    scores = [c["score"] for c in out["candidates"]]
    assert scores == sorted(scores, reverse=True)
    for c in out["candidates"][1:]:
        assert sum(a != b for a, b in zip(c["expansions"], top["expansions"])) == 1


def test_keep_english_and_user_words(tiny: tuple[Lexicon, Any]) -> None:
    lex, lm = tiny
    plain = AbbreviationDecoder(lm=lm, lexicon=lex, keep_english=False)
    assert plain.decode("这个app很好用")["runs"]
    keep = AbbreviationDecoder(lm=lm, lexicon=lex)  # English words and common Latin tokens are kept by default
    for text in ("这个app很好用", "ok", "连上wifi了", "开通vip"):
        assert keep.decode(text)["candidates"][0]["text"] == text and keep.decode(text)["runs"] == []
    assert best(keep, "这个app的zfb") == "这个app的支付宝"
    # two-letter words and vowel-less runs are abbreviations far more often
    assert [r["letters"] for r in keep.decode("my手机，cs和xxx")["runs"]] == ["my", "cs", "xxx"]
    user = AbbreviationDecoder(lm=lm, lexicon=lex, keep=frozenset({"zfb"}))
    assert best(user, "用zfb付款") == "用zfb付款"


def test_candidates_shape_and_order(dec: AbbreviationDecoder) -> None:
    out = dec.decode("真的bhys", k=3)
    assert out["source"] == "真的bhys"
    cands = out["candidates"]
    assert 1 <= len(cands) <= 3
    assert len({c["text"] for c in cands}) == len(cands)
    for c in cands:
        assert c["text"] == "真的" + c["expansion"] and len(c["expansion"]) == 4
    assert [c["score"] for c in cands] == sorted((c["score"] for c in cands), reverse=True)
    json.dumps(out, ensure_ascii=False)


def test_no_runs_and_undecodable(dec: AbbreviationDecoder) -> None:
    for text in ("", "全是汉字。", "ABC OK 123", "iPhone"):
        out = dec.decode(text)
        assert out["runs"] == [] and out["candidates"] == [{"text": text, "expansion": "", "expansions": [], "score": 0.0}]
    # letters no syllable starts with stay as they are
    assert best(dec, "好iii") == "好iii"


HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcdefghijklmnopqrstuvwxyz  zhs的了，")),
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(["\U0001f468", "\u200d", "\u0301", "\u202e", "\U00020000", "\U00031350", "\x00", "\t", "\r"]),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_hostile_input(dec: AbbreviationDecoder, text: str) -> None:
    out = dec.decode(text, k=3)
    assert out["source"] == text
    runs = [Run(r["start"], r["end"], r["letters"]) for r in out["runs"]]
    assert all(text[r.start : r.end] == r.letters for r in runs)
    for c in out["candidates"]:
        # outside the runs the line is unchanged
        rebuilt, pos = [], 0
        for r, e in zip(runs, c["expansions"], strict=True):
            rebuilt += [text[pos : r.start], e]
            pos = r.end
        assert c["text"] == "".join(rebuilt) + text[pos:]
        assert np.isfinite(c["score"])


def test_huge_line(dec: AbbreviationDecoder) -> None:
    text = ("真的bhys，" * 300) + "a" * 5000 + "的" * 10000
    out = dec.decode(text, k=2)
    assert len(out["runs"]) == 300  # every run is decoded, however many
    assert out["candidates"][0]["text"].count("不好意思") == 300
    # the 5000-letter run is longer than max_run: left as it is, and said so
    assert [(r["start"], len(r["letters"])) for r in out["skipped"]] == [(len("真的bhys，") * 300, 5000)]
    assert "a" * 5000 in out["candidates"][0]["text"]


def test_bad_argument(dec: AbbreviationDecoder) -> None:
    with pytest.raises(TypeError):
        dec.decode(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- ranking features


# ---------------------------------------------------------------------------- the encoder feature


@pytest.fixture(scope="module")
def enc():  # type: ignore[no-untyped-def]
    from cjkglyph.encoder import default_encoder

    return default_encoder()


def test_masked_log_probs(enc) -> None:  # type: ignore[no-untyped-def]
    texts = ["我们今天去公园玩", "真的 不好意思，我来晚了", "这个问题我已经解决了。" * 30]
    spans = [(5, 7), (2, 7), (250, 252)]
    rows = enc.masked_log_probs(texts, spans)
    # one row per non-space character of the span, each a distribution
    assert [r.shape[0] for r in rows] == [2, 4, 2]
    for r in rows:
        assert np.allclose(np.exp(r).sum(1), 1.0, atol=1e-3)
    # the masked characters themselves are not seen; the other texts do not matter (one call per text)
    other = enc.masked_log_probs(["我们今天去乱码玩"], [(5, 7)])[0]
    assert np.array_equal(other, rows[0])
    assert np.array_equal(enc.masked_log_probs([texts[1]], [spans[1]])[0], rows[1])
    # empty spans and spans of whitespace give no rows
    assert [r.shape[0] for r in enc.masked_log_probs(["好", "a  b", ""], [(0, 0), (1, 3), (0, 5)])] == [0, 0, 0]


@settings(max_examples=25, deadline=None)
@given(text=HOSTILE, a=st.integers(-5, 50), b=st.integers(-5, 50))
def test_masked_log_probs_hostile(text: str, a: int, b: int) -> None:
    from cjkglyph.encoder import default_encoder

    (rows,) = default_encoder().masked_log_probs([text], [(a, b)])
    assert rows.ndim == 2 and np.all(np.isfinite(rows))


def test_encoder_features(enc) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.abbrev.encoder_features import encoder_features

    left, right = "日本自民党干事长：安倍", "无法接受所有电视采访"
    X = encoder_features(enc, left, ["总裁", "早餐", "行政长官"], right)
    assert X.shape == (3, 2) and np.all(X[:, 0] < 0) and np.all(X[:, 1] == 0)  # no letter encoder: column 1 stays 0
    lp = enc.masked_log_probs([left + "一一" + right], [(len(left), len(left) + 2)])[0]
    assert X[0, 0] == pytest.approx(lp[0, enc.vocab.id("总")] + lp[1, enc.vocab.id("裁")], abs=1e-4)
    assert X[0, 0] > X[1, 0]
    assert encoder_features(enc, left, [], right).shape == (0, 2)


def test_letter_encoder_features(enc) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.abbrev.encoder_features import encoder_features, letter_encoder

    le = letter_encoder()
    assert le.vocab.tokens[-26:] == [f"[{c}]" for c in "abcdefghijklmnopqrstuvwxyz"]
    left, right = "日本自民党干事长：安倍", "无法接受所有电视采访"
    X = encoder_features(None, left, ["总裁", "早餐", "中餐"], right, letters="zc", letter_encoder=le)
    assert np.all(X[:, 0] == 0) and np.all(X[:, 1] < 0) and X[0, 1] > X[1, 1]
    # the typed letters are what the model reads at the run: [z][c]
    z, c = (len(le.vocab) - 26 + "abcdefghijklmnopqrstuvwxyz".index(x) for x in "zc")
    lp = le.masked_log_probs([left + "一一" + right], [(len(left), len(left) + 2)], [[z, c]])[0]
    assert X[0, 1] == pytest.approx(lp[0, le.vocab.id("总")] + lp[1, le.vocab.id("裁")], abs=1e-4)
    # a zh typed for one character, and a candidate the letters cannot spell (read with [MASK]s): finite scores
    X = encoder_features(enc, "我觉得", ["这是", "正式", "好"], "对的", letters="zhs", letter_encoder=le)
    assert np.all(np.isfinite(X)) and np.all(X < 0)


def test_align_letters() -> None:
    from cjkglyph.abbrev.encoder_features import align_letters

    assert align_letters("不好意思", "bhys") == "bhys"
    assert align_letters("这是", "zhs") == "zs" and align_letters("是这", "szh") == "sz"
    assert align_letters("不好意思", "buhaoys") == "bhys" and align_letters("不好意思", "bu hao ys") == "bhys"
    assert align_letters("好", "zhs") is None and align_letters("你好", "xyz") is None


def test_masked_log_probs_fills(enc) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.encoder.vocab import MASK

    text, span = "我们今天去公园玩", (5, 7)
    masked = enc.masked_log_probs([text], [span])[0]
    assert np.array_equal(enc.masked_log_probs([text], [span], [[MASK, MASK]])[0], masked)
    seen = enc.masked_log_probs([text], [span], [[enc.vocab.id("公"), enc.vocab.id("园")]])[0]
    assert seen[1, enc.vocab.id("园")] > masked[1, enc.vocab.id("园")]
    with pytest.raises(ValueError, match="fills"):
        enc.masked_log_probs([text], [span], [[MASK]])


class _FavouriteEncoder:
    """A fake encoder whose masked scores strongly favour one expansion."""

    def __init__(self, favourite: str, vocab) -> None:  # type: ignore[no-untyped-def]
        self.favourite, self.vocab, self.calls = favourite, vocab, 0

    def masked_log_probs(self, texts, spans):  # type: ignore[no-untyped-def]
        self.calls += 1
        out = []
        for _, (a, b) in zip(texts, spans, strict=True):
            lp = np.full((b - a, len(self.vocab)), -20.0)
            if b - a == len(self.favourite):
                lp[np.arange(b - a), self.vocab.ids(self.favourite)] = 0.0
            out.append(lp)
        return out


def test_second_stage_rescores_the_best_candidates(tiny: tuple[Lexicon, Any], enc) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.abbrev import FEATURES, load_rescore, load_weights

    lex, lm = tiny
    first = AbbreviationDecoder(lm=lm, lexicon=lex, weights={"lm": 1.0, "lexicon": 0.5})
    ranked = [c["expansion"] for c in first.decode("我的sj没电了", k=5)["candidates"]]
    assert ranked[0] == "手机" and len(ranked) >= 2
    fake = _FavouriteEncoder(ranked[1], enc.vocab)
    second = dict.fromkeys(FEATURES, 0.0) | {"lm": 1.0, "lexicon": 0.5, "enc_masked": 1.0}
    both = AbbreviationDecoder(lm=lm, lexicon=lex, weights={"lm": 1.0, "lexicon": 0.5}, encoder=fake, rescore=second,
                               rescore_top=3)
    out = both.decode("我的sj没电了", k=5)
    assert out["candidates"][0]["expansion"] == ranked[1] and fake.calls >= 1
    scores = [c["score"] for c in out["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert {c["expansion"] for c in out["candidates"][:3]} == set(ranked[:3])
    # without an encoder (or without second-stage weights) the first stage decides
    assert AbbreviationDecoder(lm=lm, lexicon=lex, weights={"lm": 1.0, "lexicon": 0.5}, encoder=None,
                               rescore=second).decode("我的sj没电了")["candidates"][0]["expansion"] == "手机"
    # the gate: no second stage where the first stage is sure enough
    fake.calls = 0
    gated = AbbreviationDecoder(lm=lm, lexicon=lex, weights={"lm": 1.0, "lexicon": 0.5}, encoder=fake, rescore=second,
                                rescore_margin=0.0)
    assert gated.decode("我的sj没电了")["candidates"][0]["expansion"] == "手机" and fake.calls == 0
    # the shipped ranker has a second stage over known features
    assert set(load_weights()) <= set(FEATURES)
    top, margin, weights = load_rescore()
    assert top >= 1 and margin > 0 and set(weights) <= set(FEATURES) and (weights["enc_masked"] or weights["enc_letters"]) > 0




def test_candidate_features(dec: AbbreviationDecoder) -> None:
    from cjkglyph.abbrev import FEATURES

    text = "手机很好用，我的shj没电了"
    run = find_runs(text)[0]
    texts, X = dec.candidate_features(text, run)
    assert X.shape == (len(texts), len(FEATURES)) and np.all(np.isfinite(X))
    col = {f: X[:, i] for i, f in enumerate(FEATURES)}
    i = texts.index("手机")
    assert col["repeat"][i] == 1 and col["extra_letters"][i] == 1 and col["words"][i] == 1 and col["single"][i] == 0
    singles = [j for j, t in enumerate(texts) if len(t) == 1]
    assert all(col["single"][j] == 1 and col["extra_letters"][j] == 2 for j in singles)
    assert dec.candidate_features("好iii", Run(1, 4, "iii"))[0] == []


def test_weights_option(tiny: tuple[Lexicon, Any], tmp_path: Path) -> None:
    from cjkglyph.abbrev import FEATURES, load_rescore, load_weights
    from cjkglyph.errors import ResourceError

    lex, lm = tiny
    shipped = load_weights()
    assert set(shipped) == set(FEATURES) and all(np.isfinite(list(shipped.values())))
    with pytest.raises(ValueError, match="unknown ranking features"):
        AbbreviationDecoder(lm=lm, lexicon=lex, weights={"lm": 1.0, "nope": 1.0})
    bad = tmp_path / "w.json"
    bad.write_text('{"weights": {"nope": 1}}', encoding="utf-8")
    with pytest.raises(ResourceError, match="unknown features"):
        AbbreviationDecoder(lm=lm, lexicon=lex, weights=str(bad))
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ResourceError, match="w.json"):
        AbbreviationDecoder(lm=lm, lexicon=lex, weights=str(bad))
    # dictionary frequencies only: the more frequent word wins whatever the context
    freq = AbbreviationDecoder(lm=None, lexicon=lex, word_context=None, weights={"lexicon": 1.0, "words": -3.0})
    assert freq.word_context is None
    assert best(freq, "我的sj没电了") == "我的世界没电了"


def test_topic_and_repeat_decide(tiny: tuple[Lexicon, Any]) -> None:
    from cjkglyph.lm.word_context import WordContext

    lex, lm = tiny
    counts = {"手机": [10, 10, 10], "世界": [10, 10, 10], "电池": [10, 10, 10], "和平": [10, 10, 10]}
    vectors = {"手机": [1, 0, 0], "世界": [0, 1, 0], "电池": [0.9, 0.1, 0], "和平": [0.1, 0.9, 0]}
    wc = WordContext.from_tables(counts, vectors=vectors)
    topic = AbbreviationDecoder(lm=None, lexicon=lex, word_context=wc, weights={"lexicon": 1.0, "words": -3.0, "topic": 20.0})
    assert best(topic, "电池不行，sj") == "电池不行，手机"
    assert best(topic, "和平的sj") == "和平的世界"
    repeat = AbbreviationDecoder(lm=None, lexicon=lex, word_context=None, weights={"lexicon": 1.0, "repeat": 10.0})
    assert best(repeat, "手机很好，sj") == "手机很好，手机"


# ---------------------------------------------------------------------------- CLI and pipeline


def test_pipeline(tiny: tuple[Lexicon, Any]) -> None:
    lex, lm = tiny
    assert "abbreviation" in cjkglyph.available_tasks()
    pipe = cjkglyph.pipeline("abbreviation", k=2, lm=lm, lexicon=lex)
    out = pipe(["真的bhys，我来晚了", ""])
    assert out[0]["candidates"][0]["text"] == "真的不好意思，我来晚了"
    assert len(out[0]["candidates"]) == 2 and out[1]["runs"] == []
    json.dumps(out, ensure_ascii=False)


@pytest.fixture
def tiny_cli(tiny: tuple[Lexicon, Any], cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The CLI with the tiny lexicon (instead of building the default one) and ``--lm`` the tiny LM."""
    lex, lm = tiny
    monkeypatch.setattr("cjkglyph.lexicon.default_lexicon", lambda: lex)
    return lambda *argv: cli("abbrev", "--lm", lm.path, *argv)


def test_cli_jsonl_and_text(tiny_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = tiny_cli("--format", "jsonl", "-k", "3", "真的bhys，我来晚了", "没有")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["source"] == "真的bhys，我来晚了"
    top = rows[0]["candidates"][0]
    assert (top["text"], top["expansion"]) == ("真的不好意思，我来晚了", "不好意思")
    assert len(rows[0]["candidates"]) == 3 and rows[1]["candidates"][0]["text"] == "没有"
    assert tiny_cli("用zfb付款")[:2] == (0, "用支付宝付款\n")
    code, _, err = tiny_cli("-k", "0", "zfb")
    assert code == 2 and "-k" in err


def test_cli_keep_options(tmp_path: Path, tiny_cli) -> None:  # type: ignore[no-untyped-def]
    words = tmp_path / "keep.txt"
    words.write_text("zfb\n", encoding="utf-8")
    assert tiny_cli("--keep", str(words), "用zfb付款，bhys")[:2] == (0, "用zfb付款，不好意思\n")
    assert tiny_cli("--keep", "zfb,bhys", "用zfb付款，bhys的app")[:2] == (0, "用zfb付款，bhys的app\n")
    code, out, _ = tiny_cli("--no-keep-english", "--format", "jsonl", "这个app")
    assert code == 0 and [r["letters"] for r in json.loads(out)["runs"]] == ["app"]


def test_cli_every_run_decoded_or_reported(tiny_cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = tiny_cli("我真的bhys。" * 100)
    assert code == 0 and out.count("不好意思") == 100 and "bhys" not in out and not err.strip()
    code, out, err = tiny_cli("--max-run", "3", "真的bhys，用zfb")
    assert code == 0 and "bhys" in out and "支付宝" in out
    assert "1 run(s) in 1 line(s) longer than 3 letters" in err
    assert tiny_cli("--max-run", "0", "zfb")[0] == 2


# ---------------------------------------------------------------------------- neural scoring


def _tiny_mlm(path: Path, boost: str = "", seed: int = 0) -> Path:
    """A random tiny BertForMaskedLM with a Chinese-BERT-like vocabulary ([unused1..26] at ids 1-26)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    chars = sorted(set("".join(CORPUS) + "".join(JIEBA) + "永远的神啊死"))
    vocab = ["[PAD]", *(f"[unused{i}]" for i in range(1, 100)), "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    torch.manual_seed(seed)
    cfg = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, max_position_embeddings=512
    )
    model = transformers.BertForMaskedLM(cfg)
    with torch.no_grad():
        for ch in boost:
            model.cls.predictions.bias[vocab.index(ch)] += 20.0
    model.save_pretrained(path)
    return path


def test_masked_lm_reranker(tmp_path: Path, tiny: tuple[Lexicon, Any]) -> None:
    from cjkglyph.abbrev.neural import detect_kind, load_reranker

    lex, lm = tiny
    path = _tiny_mlm(tmp_path / "tiny-mlm", boost="保护识")
    assert detect_kind(path) == "mlm"
    rr = load_reranker(path)
    scores = rr.rerank([("真的", "不好意思", "，", "bhys"), ("真的", "保护意识", "，", "bhys"), ("", "", "", "")])
    assert scores.shape == (3,) and np.all(np.isfinite(scores)) and scores[2] == 0.0
    assert scores[1] > scores[0]
    plain = AbbreviationDecoder(lm=lm, lexicon=lex)
    neural = AbbreviationDecoder(lm=lm, lexicon=lex, reranker=rr, reranker_weight=5.0, rerank_top=300)
    assert best(plain, "真的bhys") == "真的不好意思"
    assert best(neural, "真的bhys") == "真的保护意识"


def test_cnmbert_style_checkpoint(tmp_path: Path, tiny: tuple[Lexicon, Any]) -> None:
    from cjkglyph.abbrev.neural import detect_kind, load_reranker

    lex, lm = tiny
    path = _tiny_mlm(tmp_path / "tiny-cnmbert", boost="死神")
    assert detect_kind(path) == "cnmbert"
    rr = load_reranker(path)
    assert rr.proposes() and rr._mask_for("b") == 2 and rr._mask_for("z") == 26
    props = rr.propose("真的", "yyds", "，", beam=4, top_k=3)
    assert 1 <= len(props) <= 4
    scores = [s for _, s in props]
    assert scores == sorted(scores, reverse=True)
    from cjkglyph.pinyin import heteronyms

    for text, _ in props:
        assert len(text) == 4
        for ch, letter in zip(text, "yyds", strict=True):
            assert any(s[0] == letter for s in heteronyms(ch, "normal")), (ch, letter)
    # the decoder adds the model's own proposals to the lexicon's
    dec = AbbreviationDecoder(lm=lm, lexicon=lex, reranker=rr)
    texts = [c["text"] for c in dec.decode("真的ss", k=50)["candidates"]]
    assert any(t[2:] == prop for t in texts for prop, _ in rr.propose("真的", "ss", ""))


def test_pipeline_model_option(tmp_path: Path, tiny: tuple[Lexicon, Any]) -> None:
    lex, lm = tiny
    path = _tiny_mlm(tmp_path / "m", boost="保护识")
    pipe = cjkglyph.pipeline("abbreviation", model=str(path), lm=lm, lexicon=lex, reranker_weight=5.0, rerank_top=300)
    assert pipe("真的bhys")["candidates"][0]["text"] == "真的保护意识"
    with pytest.raises(cjkglyph.InputError):
        cjkglyph.pipeline("abbreviation", model=str(tmp_path / "missing"), lm=lm, lexicon=lex)


# ---------------------------------------------------------------------------- shipped resources


@pytest.mark.slow
def test_default_decoder_if_lm_shipped() -> None:
    from cjkglyph.lm import DEFAULT_MODEL
    from cjkglyph.resources import data_path

    if not data_path(*DEFAULT_MODEL, required=False).exists():
        pytest.skip("no shipped character LM")
    out = cjkglyph.abbrev.decode("真的bhys，我来晚了")
    assert out["candidates"][0]["text"] == "真的不好意思，我来晚了"


def test_traditional_line_gets_traditional_expansion() -> None:
    from cjkglyph.abbrev import decode

    out = decode("這個軟體zfb付款很方便", k=3)
    assert out["source"] == "這個軟體zfb付款很方便"
    best = out["candidates"][0]
    assert best["expansions"] == ["支付寶"] and best["text"] == "這個軟體支付寶付款很方便"
    assert out["runs"] == [{"start": 4, "end": 7, "letters": "zfb"}]
