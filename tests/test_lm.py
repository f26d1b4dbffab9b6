"""Character n-gram language model: estimation, file format, vectorised scoring, CLI (tiny models only)."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjkglyph.errors import InputError, ResourceError
from cjkglyph.lm import LanguageModel, read_model_file
from cjkglyph.lm.build import default_prune, iter_corpus, parse_sample, train_lines, write_model

CORPUS = [
    "我们今天去公园玩",
    "今天天气很好，我们去公园散步。",
    "他说今天不去学校了",
    "公园里有很多人在跑步",
    "我们学校的老师很好",
    "老师说我们今天要复习",
    "天气预报说明天会下雨",
    "我今天买了3本书和iPhone",
    "这本书很有意思，我很喜欢。",
    "明天我们一起去看电影吧！",
    "电影院里人很多",
    "他们在学校学习中文",
]
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("我们今天去公园玩学校老师好的了，。！ ")),
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(["\U0001f468", "\u200d", "\u0301", "\u202e", "\U00020000", "\x00", "\t", "\r", "\n", "\uffff"]),
    ),
    max_size=30,
)


def build(tmp: Path, name: str, lines: list[str] = CORPUS, **kw: object) -> LanguageModel:
    header, arrays = train_lines(lines * 3, **kw)  # type: ignore[arg-type]
    path = write_model(tmp / name, header, arrays)
    return LanguageModel.load(path)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, LanguageModel]:
    tmp = tmp_path_factory.mktemp("lm")
    return {
        "exact": build(tmp, "exact.lm", order=4, prune=[1, 1, 1, 1], min_count=1, quantize=False),
        "pruned": build(tmp, "pruned.lm", order=4, prune=[1, 1, 4, 4], min_count=4, quantize=False),
        "quant": build(tmp, "quant.lm", order=5, min_count=1),
        "rev": build(tmp, "rev.lm", order=4, min_count=1, reverse=True, quantize=False),
        "fwd_of_reversed": build(tmp, "fr.lm", [t[::-1] for t in CORPUS], order=4, min_count=1, quantize=False),
    }


# ---------------------------------------------------------------------------- probabilities


@pytest.mark.parametrize("name", ["exact", "pruned", "rev"])
@pytest.mark.parametrize("context", ["", "我", "我们今天", "公园里有很多人在", "☃☃", "老师说我们今天要复习", "ABC 12"])
def test_next_char_distribution_normalises(models: dict[str, LanguageModel], name: str, context: str) -> None:
    lm = models[name]
    p = 10 ** lm.next_logprobs(context, unk_penalty=False)
    assert p.shape == (lm.vocab_size,)
    assert abs(p.sum() - 1.0) < 1e-5
    assert (p > 0).all()


def test_quantised_model_nearly_normalises(models: dict[str, LanguageModel]) -> None:
    lm = models["quant"]
    for context in ["", "我们", "公园里"]:
        assert abs((10 ** lm.next_logprobs(context, unk_penalty=False)).sum() - 1.0) < 0.05


def test_kneser_ney_sanity(tmp_path: Path, models: dict[str, LanguageModel]) -> None:
    lm = models["exact"]
    d = lm.header["discounts"]
    assert all(0 < d_k < k for row in d for k, d_k in zip((1, 2, 3), row))
    nxt = lm.next_logprobs("我们今")
    assert nxt[lm.ids_of("天")[0]] > nxt[lm.ids_of("雨")[0]] + 1  # seen continuation beats unseen
    # continuation counts: '丁' is frequent but only ever after '甲'; '戊' is rarer but follows many characters
    lines = ["甲丁"] * 30 + [c + "戊" for c in "一二三四五六七八九十"] + ["乙丙"] * 5
    kn = build(tmp_path, "kn.lm", lines, order=2, min_count=1, quantize=False)
    uni = kn.next_logprobs("☃")  # unseen context: backs off to the unigram distribution
    assert uni[kn.ids_of("戊")[0]] > uni[kn.ids_of("丁")[0]]
    assert kn.next_logprobs("甲")[kn.ids_of("丁")[0]] > np.log10(0.8)


def test_pruning_drops_rare_ngrams(models: dict[str, LanguageModel]) -> None:
    full, pruned = models["exact"].header, models["pruned"].header
    assert pruned["ngrams"][2] < full["ngrams"][2]
    assert pruned["ngrams_seen"][2] == full["ngrams_seen"][2] or pruned["min_count"] != full["min_count"]
    assert default_prune(5) == [1, 1, 2, 2, 3]


def test_unknown_characters_use_unk_with_penalty(models: dict[str, LanguageModel]) -> None:
    lm = models["pruned"]  # min_count=4: characters seen once (3 times after tripling) are <unk>
    assert lm.header["unk_types"] > 0 and lm.unk_penalty < 0
    assert lm.encode("☃")[0] == 1
    a = lm.token_logprobs("我☃")[1]
    b = lm.token_logprobs("我✈")[1]
    assert a == pytest.approx(b)


# ---------------------------------------------------------------------------- scoring


def test_score_is_sum_of_token_logprobs(models: dict[str, LanguageModel]) -> None:
    for lm in models.values():
        texts = ["我们今天去公园玩", "", "iPhone 12很好用", "公圆"]
        s = lm.score(texts)
        assert s.shape == (4,)
        for t, v in zip(texts, s):
            lp = lm.token_logprobs(t)
            assert lp.shape == (len(t) + 1,)
            assert lp.sum() == pytest.approx(v, abs=1e-9)
            assert lm.token_logprobs(t, eos=False).sum() == pytest.approx(lm.score([t], eos=False)[0], abs=1e-9)
        assert lm.score([]).shape == (0,)
        assert lm.score("我们") == pytest.approx(lm.score(["我们"]))


def test_seen_sentence_beats_typo(models: dict[str, LanguageModel]) -> None:
    for name, lm in models.items():
        if name == "fwd_of_reversed":
            continue
        good, bad = lm.score(["我们今天去公园玩", "我们今天去公圆玩"])
        assert good > bad
        assert lm.perplexity(["我们今天去公园玩"]) < lm.perplexity(["园公玩去天今们我"])


def test_normalisation_classes(models: dict[str, LanguageModel]) -> None:
    lm = models["exact"]
    assert lm.score(["我今天买了3本书和iPhone"]) == pytest.approx(lm.score(["我今天买了７本书和ＸＹＺＸＹＺ"]))
    assert (lm.encode("12ab") == lm.encode("00AA")).all()
    assert lm.score(["我们\n今天"]) == pytest.approx(lm.score(["我们 今天"]))


def test_reverse_model_scores_reversed_text(models: dict[str, LanguageModel]) -> None:
    rev, ref = models["rev"], models["fwd_of_reversed"]
    assert rev.reverse and not ref.reverse
    texts = ["我们今天去公园玩", "他们在学校学习中文", "公圆玩"]
    np.testing.assert_allclose(rev.score(texts), ref.score([t[::-1] for t in texts]), atol=1e-9)
    lp = rev.token_logprobs("公园玩")
    lp_ref = ref.token_logprobs("玩园公")
    np.testing.assert_allclose(lp[:3], lp_ref[:3][::-1])
    assert lp[3] == pytest.approx(lp_ref[3])


def _check_deltas(lm: LanguageModel, text: str, positions: list[int], chars: list[str]) -> None:
    got = lm.substitution_deltas(text, positions, chars)
    edited = [text[:p] + c + text[p + 1 :] for p, c in zip(positions, chars)]
    want = lm.score(edited) - lm.score([text])[0]
    np.testing.assert_allclose(got, want, atol=1e-9)


@pytest.mark.parametrize("name", ["exact", "pruned", "quant", "rev"])
def test_window_delta_equals_score_difference(models: dict[str, LanguageModel], name: str) -> None:
    lm = models[name]
    text = "我们今天去公圆玩，老师说明天会下雨"
    pos = [p for p in range(len(text)) for _ in range(4)]
    chars = [c for _ in range(len(text)) for c in "园天☃A"]
    _check_deltas(lm, text, pos, chars)
    _check_deltas(lm, "公", [0, 0], ["园", "公"])
    assert lm.substitution_deltas("公园", [0], ["公"])[0] == 0.0


def test_batch_deltas_across_sentences(models: dict[str, LanguageModel]) -> None:
    lm = models["quant"]
    texts = ["我们今天去公圆玩", "他说", "老师说我们今天要复习"]
    rows = [0, 0, 1, 1, 2, 2, 2]
    pos = [5, 6, 0, 1, 0, 5, 9]
    chars = "园公她话来天习"
    got = lm.substitution_deltas_batch(texts, rows, pos, chars)
    for k, (r, p, c) in enumerate(zip(rows, pos, chars)):
        t = texts[r]
        assert got[k] == pytest.approx(lm.score([t[:p] + c + t[p + 1 :]])[0] - lm.score([t])[0], abs=1e-9)
    cps = np.array([ord(c) for c in chars])
    np.testing.assert_allclose(lm.substitution_deltas_batch(texts, rows, pos, cps), got)
    assert lm.substitution_deltas_batch(texts, [], [], "").shape == (0,)
    with pytest.raises(InputError):
        lm.substitution_deltas("我们", [2], ["的"])
    with pytest.raises(InputError):
        lm.substitution_deltas("我们", [0], ["的的"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE.filter(len), data=st.data())
def test_hostile_text_deltas_and_scores(models: dict[str, LanguageModel], text: str, data: st.DataObject) -> None:
    for name in ("pruned", "rev"):
        lm = models[name]
        s = lm.score([text, "", text])
        assert np.isfinite(s).all() and s[0] == s[2]
        n = data.draw(st.integers(1, 6))
        pos = data.draw(st.lists(st.integers(0, len(text) - 1), min_size=n, max_size=n))
        chars = data.draw(st.lists(st.characters(blacklist_categories=("Cs",)), min_size=n, max_size=n))
        _check_deltas(lm, text, pos, chars)


def test_huge_line(models: dict[str, LanguageModel]) -> None:
    lm = models["quant"]
    text = "我们今天去公园玩，" * 20000
    assert np.isfinite(lm.score([text])[0])
    assert lm.token_logprobs(text).shape == (len(text) + 1,)


# ---------------------------------------------------------------------------- file format


def test_round_trip_and_cache(tmp_path: Path) -> None:
    header, arrays = train_lines(CORPUS, order=3, min_count=1, meta={"trained_on": "test sentences"})
    path = write_model(tmp_path / "m.lm", header, arrays)
    h2, a2 = read_model_file(path)
    assert h2["trained_on"] == "test sentences" and h2["order"] == 3
    for k, v in arrays.items():
        np.testing.assert_array_equal(a2[k], v)
        assert not a2[k].flags.writeable
    lm = LanguageModel.load(path)
    assert LanguageModel.load(str(path)) is lm
    assert lm.info()["ngrams"] == header["ngrams"] and "arrays" not in lm.info()
    assert "我" in lm.chars and "order=3" in repr(lm)


def test_corrupt_files_raise_resource_error(tmp_path: Path) -> None:
    header, arrays = train_lines(CORPUS, order=3, min_count=1)
    good = write_model(tmp_path / "good.lm", header, arrays).read_bytes()
    cases = {
        "missing.lm": None,
        "empty.lm": b"",
        "magic.lm": b"XXXXXXXX" + good[8:],
        "truncated.lm": good[: len(good) // 2],
        "flipped.lm": good[:-10] + bytes([good[-10] ^ 0xFF]) + good[-9:],
        "header.lm": good[:16] + b"[" + good[17:],
        "version.lm": good.replace(b'"version": 1', b'"version": 9', 1),
        "order.lm": good.replace(b'"order": 3', b'"order": 4', 1),
    }
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(ResourceError) as e:
            LanguageModel.load(path)
        assert name in str(e.value) and "\n" not in str(e.value)


def test_training_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        train_lines([], order=3)
    with pytest.raises(InputError):
        train_lines(CORPUS, order=3, prune=[1, 3, 2])
    with pytest.raises(InputError):
        parse_sample(["laws*=2"])
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\n")
    with pytest.raises(InputError):
        list(iter_corpus([bad]))


def test_iter_corpus_sampling(tmp_path: Path) -> None:
    a = tmp_path / "laws_x.txt.xz"
    with lzma.open(a, "wt", encoding="utf-8") as f:
        f.write("\n".join(f"第{i}条" for i in range(100)) + "\n\n")
    b = tmp_path / "poems.txt"
    b.write_text("床前明月光\n", encoding="utf-8")
    lines = list(iter_corpus([a, b], parse_sample(["laws*=0.25", "poems=0"])))
    assert len(lines) == 25


# ---------------------------------------------------------------------------- CLI


def test_cli_train_and_score(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "corpus.txt"
    src.write_text("\n".join(CORPUS * 2) + "\n", encoding="utf-8")
    out = tmp_path / "my.lm"
    code, _, err = cli("lm", "train", str(src), "-o", str(out), "--order", "3", "--prune", "1,2", "--min-count", "1")
    assert code == 0, err
    assert out.exists() and "wrote" in err
    code, stdout, _ = cli("lm", "score", "--lm", str(out), "--format", "jsonl", "我们今天去公园玩", "我们今天去公圆玩")
    assert code == 0
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert [r["text"] for r in rows] == ["我们今天去公园玩", "我们今天去公圆玩"]
    assert rows[0]["logprob"] > rows[1]["logprob"] and rows[0]["tokens"] == 9 and rows[0]["ppl"] > 1
    code, stdout, _ = cli("lm", "score", "--lm", str(out), "我们")
    assert code == 0 and stdout.count("\t") == 2
    code, stdout, _ = cli("lm", "info", str(out))
    assert code == 0 and json.loads(stdout)["order"] == 3
    bad = tmp_path / "bad.lm"
    bad.write_bytes(b"not a model")
    code, _, err = cli("lm", "score", "--lm", str(bad), "我们")
    assert code == 1 and "bad.lm" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("lm", "train", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "x.lm"))
    assert code == 2


def test_shipped_model_if_present() -> None:
    from cjkglyph.resources import data_path

    path = data_path("lm", "zh_char.lm", required=False)
    if not path.exists():
        pytest.skip("shipped LM not built")
    lm = LanguageModel.load()
    good, bad = lm.score(["我们今天去公园玩", "我们今天去公圆玩"])
    assert good > bad
    assert lm.substitution_deltas("我们今天去公圆玩", [6], ["园"])[0] > 0
