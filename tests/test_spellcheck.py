"""Statistical spelling corrector: corrections, positions, hostile input, user files, CLI, pipeline, metrics.

Uses the shipped language model and data/spellcheck/* (no /work/shared). The
first corrector of a session builds the word lexicon in the test cache
(about 10 s of CPU); every test shares it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjkglyph
from cjkglyph.errors import InputError
from cjkglyph.graph.confusion import parse_user_confusion
from cjkglyph.spelling.corrector import Corrector, split_chunks
from cjkglyph.spelling.metrics import csc_metrics

EXAMPLE = "我们今天去公圆玩"
FIXED = "我们今天去公园玩"
CLEAN = [
    "今天天气很好，我们一起去公园散步。",
    "我喜欢吃苹果和香蕉。",
    "这本书写得非常好，我已经看了三遍。",
    "他每天早上七点起床，然后去学校上课。",
    "请把窗户关上，外面太冷了。",
]


@pytest.fixture(scope="module")
def corrector() -> Corrector:
    return Corrector()


def _check_shape(r: dict[str, Any], text: str) -> None:
    assert set(r) == {"source", "target", "errors"}
    assert r["source"] == text
    assert len(r["target"]) == len(text)
    target = list(text)
    for e in r["errors"]:
        assert set(e) == {"pos", "wrong", "right", "score", "relation"}
        assert isinstance(e["pos"], int) and 0 <= e["pos"] < len(text)
        assert text[e["pos"]] == e["wrong"] != e["right"]
        assert 0.0 <= e["score"] <= 1.0 and isinstance(e["relation"], str)
        target[e["pos"]] = e["right"]
    assert "".join(target) == r["target"]
    json.dumps(r, ensure_ascii=False)


def test_example(corrector: Corrector) -> None:
    r = corrector.correct(EXAMPLE)
    _check_shape(r, EXAMPLE)
    assert r["target"] == FIXED
    assert [(e["pos"], e["wrong"], e["right"]) for e in r["errors"]] == [(6, "圆", "园")]


def test_clean_sentences_unchanged(corrector: Corrector) -> None:
    for r, text in zip(corrector.correct_batch(CLEAN), CLEAN):
        assert r["target"] == text, r["errors"]


def test_positions_with_hostile_prefix(corrector: Corrector) -> None:
    for prefix in ("😀", "\U00020000\U0002a6d6", "👩‍👩‍👧 ", "\x00\x1b[31m", "\u202e", "é"):
        text = prefix + EXAMPLE
        r = corrector.correct(text)
        _check_shape(r, text)
        assert r["target"] == prefix + FIXED
        assert r["errors"][-1]["pos"] == len(prefix) + 6


def test_long_text_split_and_rejoined(corrector: Corrector) -> None:
    text = (EXAMPLE + "。") * 60 + "，".join(["今天天气很好"] * 40)
    assert len(split_chunks(text)) > 1
    r = corrector.correct(text)
    _check_shape(r, text)
    assert r["target"].count(FIXED) == 60
    assert [e["pos"] for e in r["errors"]] == [9 * k + 6 for k in range(60)]


def test_empty_and_non_han(corrector: Corrector) -> None:
    texts = ["", " ", "\n", "iPhone 12 Pro Max 1,299.00", "😀😀😀", "\U00020000\U00031350"]
    for r, t in zip(corrector.correct_batch(texts), texts):
        _check_shape(r, t)
        assert r["target"] == t and r["errors"] == []


def test_numbers_and_latin_protected(corrector: Corrector) -> None:
    text = "我在2020年买了iPhone 12，" + EXAMPLE
    r = corrector.correct(text)
    _check_shape(r, text)
    assert all("\u4e00" <= e["wrong"] <= "\u9fff" for e in r["errors"])
    assert r["target"].startswith("我在2020年买了iPhone 12，")


def test_split_chunks_cover() -> None:
    text = "一。二！三？" + "字" * 500 + "，尾"
    spans = split_chunks(text, 50)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(0 < e - s <= 50 for s, e in spans)
    assert split_chunks("") == []


def test_user_confusion_and_whitelist(tmp_path: Path) -> None:
    conf = tmp_path / "my_confusion.txt"
    conf.write_text("# pycorrector format\n变形金钢 变形金刚\n公圆 公圆\n", encoding="utf-8")
    uc = parse_user_confusion(conf.read_text(encoding="utf-8").splitlines())
    assert uc.word_pairs == {"变形金钢": "变形金刚"} and uc.whitelist == {"公圆"}
    c = Corrector(confusion=str(conf))
    r = c.correct("我喜欢变形金钢。" + EXAMPLE)
    assert r["target"] == "我喜欢变形金刚。" + EXAMPLE  # 公圆 is whitelisted
    assert [(e["pos"], e["right"], e["relation"]) for e in r["errors"]] == [(6, "刚", "user")]
    c2 = Corrector(confusion=[("变形金钢", "变形金刚")])
    assert c2.correct("变形金钢")["target"] == "变形金刚"
    with pytest.raises(InputError):
        Corrector(confusion=str(tmp_path / "missing.txt"))


def test_threshold_validation() -> None:
    with pytest.raises(InputError):
        Corrector(threshold=1.5)


def test_high_threshold_makes_fewer_edits(corrector: Corrector) -> None:
    strict = Corrector(threshold=0.999)
    text = "我门今天去公圆玩，在见。"
    assert len(strict.correct(text)["errors"]) <= len(corrector.correct(text)["errors"])


def test_pipeline(corrector: Corrector) -> None:
    pipe = cjkglyph.pipeline("spell-check")
    assert pipe(EXAMPLE)["target"] == FIXED
    assert [r["target"] for r in pipe([EXAMPLE, ""])] == [FIXED, ""]
    with pytest.raises(InputError):  # model=DIR is the neural corrector's hook: a missing directory is bad input
        cjkglyph.pipeline("spell-check", model="no/such/model/dir")


def test_cli_formats(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli("check", EXAMPLE)
    assert code == 0 and out == FIXED + "\n"
    code, out, _ = cli("check", "--format", "jsonl", EXAMPLE, "")
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and rows[0]["errors"][0]["pos"] == 6 and rows[1]["target"] == ""
    code, out, _ = cli("check", "--format", "json", EXAMPLE)
    assert code == 0 and json.loads(out)["target"] == FIXED
    src = tmp_path / "in.txt"
    src.write_text(EXAMPLE + "\n" + CLEAN[0] + "\n", encoding="utf-8")
    code, out, _ = cli("check", "-i", str(src), "--format", "tsv")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "source\ttarget\terrors"
    assert lines[1] == f"{EXAMPLE}\t{FIXED}\t6:圆->园" and lines[2] == f"{CLEAN[0]}\t{CLEAN[0]}\t"
    code, _, err = cli("check", "--threshold", "2", EXAMPLE)
    assert code == 2 and "threshold" in err
    code, _, err = cli("check", "--model", str(tmp_path / "missing"), EXAMPLE)
    assert code == 2 and err.count("\n") == 1
    code, _, err = cli("check", "--model", str(tmp_path / "missing.json"), EXAMPLE)
    assert code == 2 and "model file" in err and err.count("\n") == 1


@pytest.mark.slow
def test_cli_statistical_model_file(cli: Any) -> None:
    """``--model FILE.json``: another statistical scorer (the opt-in encoder stage); ``--fast`` skips its encoder."""
    from cjkglyph.resources import data_path

    stage2 = str(data_path("spellcheck", "model_stage2.json"))
    pipe = cjkglyph.pipeline("spell-check", model=stage2)
    assert isinstance(pipe.corrector, Corrector) and pipe.corrector.encoder is not None
    assert cjkglyph.pipeline("spell-check", model=stage2, fast=True).corrector.encoder is None
    for extra in ([], ["--fast"]):
        code, out, _ = cli("check", "--model", stage2, *extra, EXAMPLE, CLEAN[0])
        assert code == 0 and out.splitlines() == [FIXED, CLEAN[0]]


def test_metrics_hand_computed() -> None:
    src = ["我门好", "他去公圆", "天气很好", "在见了"]
    gold = ["我们好", "他去公园", "天气很好", "再见了"]
    pred = ["我们好", "她去公园", "天汽很好", "在见了"]
    m = csc_metrics(src, gold, pred)
    # predicted-edit sentences: 1 (right), 2 (extra edit: wrong), 3 (false alarm); gold-edit sentences: 1, 2, 4
    assert m["sentence"]["correction"]["p"] == pytest.approx(1 / 3)
    assert m["sentence"]["correction"]["r"] == pytest.approx(1 / 3)
    assert m["sentence"]["detection"]["f1"] == pytest.approx(1 / 3)
    # characters: gold edits 3, predicted 4, right 2
    assert m["character"]["correction"]["p"] == pytest.approx(2 / 4)
    assert m["character"]["correction"]["r"] == pytest.approx(2 / 3)


_HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("我们今天去公圆玩的地得他她在再。，！？ 0123abcXYZ\n\t")),
        st.sampled_from(["😀", "👩", "\u200d", "\u0301", "\u202e", "\x00", "\x7f", "\ufeff", "\U00020000", "\U00031350", "\U000323b0"]),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    ),
    max_size=120,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_HOSTILE, max_size=4))
def test_hostile_input(corrector: Corrector, texts: list[str]) -> None:
    results = corrector.correct_batch(texts)
    assert len(results) == len(texts)
    for r, t in zip(results, texts):
        _check_shape(r, t)


@pytest.mark.slow
def test_huge_line(corrector: Corrector) -> None:
    text = (EXAMPLE + "，" + "abc😀" + "\U00020000") * 15000  # 210,000 characters, no sentence end
    r = corrector.correct(text)
    _check_shape(r, text)
    assert r["target"].count(FIXED) == 15000


def test_traditional_lines_are_corrected_in_their_script(corrector: Corrector) -> None:
    r = corrector.correct("他說的話很有到理。")
    assert r["target"] == "他說的話很有道理。"
    assert [(e["pos"], e["wrong"], e["right"]) for e in r["errors"]] == [(6, "到", "道")]
    clean = "我們今天去公園玩，這個東西很好吃。"
    assert corrector.correct(clean) == {"source": clean, "target": clean, "errors": []}
    batch = corrector.correct_batch(["我们今天去公圆玩", "我們今天去公圓玩"])
    assert [b["target"] for b in batch] == ["我们今天去公园玩", "我們今天去公園玩"]


def test_script_as_is_and_validation() -> None:
    with pytest.raises(InputError):
        Corrector(script="klingon")


def test_script_detection_and_alignment() -> None:
    from cjkglyph.script import detect_script, simplified_aligned, traditional_aligned

    assert detect_script("頭髮很長") == "traditional" and detect_script("头发很长") == "simplified"
    assert detect_script("") == "simplified" and detect_script("abc😀") == "simplified"
    for text in ["頭髮很長", "著作權", "乾隆皇帝", "😀\U00020000x", ""]:
        assert len(simplified_aligned(text)) == len(text) == len(traditional_aligned(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))) | st.text(alphabet="頭髮发著作權乾干后後里裡云雲面麵隻只😀a\n "))
def test_aligned_conversion_keeps_length(text: str) -> None:
    from cjkglyph.script import detect_script, simplified_aligned, traditional_aligned

    assert len(simplified_aligned(text)) == len(text) == len(traditional_aligned(text))
    assert detect_script(text) in ("simplified", "traditional")


def test_model_ensemble_round_trip(tmp_path: Path) -> None:
    import numpy as np

    from cjkglyph.errors import ResourceError
    from cjkglyph.spelling.features import FEATURES
    from cjkglyph.spelling.model import SpellModel

    rng = np.random.default_rng(0)
    feats = FEATURES[:3]

    def member() -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        layers = [(rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32)),
                  (rng.normal(size=(4, 1)).astype(np.float32), rng.normal(size=1).astype(np.float32))]  # fmt: skip
        return rng.normal(size=3).astype(np.float32), np.ones(3, dtype=np.float32), layers

    members = [member() for _ in range(3)]
    single = [SpellModel(feats, *m) for m in members]
    both = SpellModel(feats, *members[0], ensemble=members[1:])
    x = rng.normal(size=(20, len(FEATURES))).astype(np.float32)
    expect = np.mean([m.logits(x) for m in single], axis=0)
    np.testing.assert_allclose(both.logits(x), expect, rtol=1e-5, atol=1e-6)
    both.save(tmp_path / "model.json")
    again = SpellModel.load(tmp_path / "model.json")
    assert len(again.ensemble) == 2
    np.testing.assert_allclose(again.logits(x), both.logits(x), atol=1e-4)  # JSON keeps 6 decimals
    blob = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    blob["ensemble"][1]["layers"][0]["weight"] = [[1.0]]
    (tmp_path / "bad.json").write_text(json.dumps(blob), encoding="utf-8")
    with pytest.raises(ResourceError, match="corrupt spelling model"):
        SpellModel.load(tmp_path / "bad.json")


def test_candidate_sources_registry() -> None:
    from cjkglyph.spelling.candidates import SOURCES, SRC_GRAPH, SRC_OBSERVED, SRC_USER, CandidateTable, build_candidate_table
    from cjkglyph.spelling.channel import ChannelStats

    assert list(SOURCES) == ["graph", "observed", "user"] and (SRC_GRAPH, SRC_OBSERVED, SRC_USER) == (1, 2, 4)
    base = CandidateTable.from_pairs([("圆", "园")], src=SRC_GRAPH)
    t = build_candidate_table(base, channel=ChannelStats.from_parallel([("我再家", "我在家")]), user_pairs=[("圆", "元")])
    assert t.candidates("圆") == ["园", "元"] and t.candidates("再") == ["在"]
    assert [t.relation(e) for e in range(t.n_entries)] == ["observed", "observed", "user"]


def test_two_stages() -> None:
    """The encoder model runs the encoder stage on the candidates past the gate; fast=True is the n-gram stage alone."""
    import numpy as np

    from cjkglyph.resources import data_path
    from cjkglyph.spelling.features import ENCODER_FEATURES, FEATURES

    corrector = Corrector(model=data_path("spellcheck", "model_stage2.json"))
    assert corrector.model.stage2 is not None and corrector.encoder is not None
    assert Corrector().encoder is None  # the shipped default is the n-gram stage (better in cross-validation)
    fast = Corrector(model=data_path("spellcheck", "model_stage2.json"), fast=True)
    assert fast.encoder is None
    assert fast.threshold == pytest.approx(corrector.model.threshold)
    assert corrector.threshold == pytest.approx(corrector.model.stage2.threshold)
    text = "这个问题我已经解绝了，我门明天再说。"
    batch = corrector.features.extract([text])
    first = corrector.model.logits(batch.x)
    both = corrector.score([text], batch)
    past = first > corrector.gate
    assert past.any() and not past.all()
    cols = [FEATURES.index(f) for f in ENCODER_FEATURES]
    assert (batch.x[~past][:, cols] == 0).all() and (batch.x[past][:, FEATURES.index("enc_orig")] < 0).all()
    assert (both[~past] <= corrector.gate).all()
    assert not np.allclose(both[past], first[past])
    for c in (corrector, fast):
        r = c.correct(text)
        _check_shape(r, text)
    assert corrector.correct(text)["target"] == "这个问题我已经解决了，我们明天再说。"


def test_cli_fast(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(EXAMPLE + "\n\n😀\n", encoding="utf-8")
    code, out, _ = cli("check", "--fast", "-i", str(src))
    assert code == 0 and out.splitlines() == [FIXED, "", "😀"]


def test_stage2_round_trip(tmp_path: Path) -> None:
    import numpy as np

    from cjkglyph.spelling.features import ENCODER_FEATURES, FEATURES
    from cjkglyph.spelling.model import SpellModel

    rng = np.random.default_rng(1)

    def model(feats: tuple[str, ...]) -> SpellModel:
        n = len(feats)
        layers = [(rng.normal(size=(n, 1)).astype(np.float32), rng.normal(size=1).astype(np.float32))]
        return SpellModel(feats, rng.normal(size=n).astype(np.float32), np.ones(n, dtype=np.float32), layers)

    m = model(FEATURES[:4])
    m.stage2 = model(FEATURES[:2] + ENCODER_FEATURES)
    m.stage2.threshold = 0.3
    m.save(tmp_path / "model.json")
    again = SpellModel.load(tmp_path / "model.json")
    assert again.stage2 is not None and again.stage2.threshold == 0.3
    x = rng.normal(size=(5, len(FEATURES))).astype(np.float32)
    np.testing.assert_allclose(again.stage2.logits(x), m.stage2.logits(x), atol=1e-4)


def test_native_sampler_checks_its_mix() -> None:
    from cjkglyph.spelling.synth import GROUPS, NATIVE_MIX, native_sampler

    assert len(NATIVE_MIX) == len(GROUPS) and abs(sum(NATIVE_MIX) - 1.0) < 1e-9
    with pytest.raises(ValueError, match="shares"):
        native_sampler([("我门", "我们")], ["我们去公园"], mix=(1.0, 0.0))
