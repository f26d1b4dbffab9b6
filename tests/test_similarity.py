"""Character similarity graph: relations, ranking, adjacency, confusion files, CLI.

The graph is built over a small vocabulary (the full URO + Ext A build is too
slow for a fresh cache); it needs the shipped ranker and glyph encoder.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjkglyph.graph.confusion import confusion_lines, parse_confusion, read_confusion, read_parallel_pairs, write_confusion
from cjkglyph.errors import InputError, ResourceError
from cjkglyph.pinyin.channel import Channel, pinyin_parts
from cjkglyph.graph.similarity import RELATIONS, SimilarityGraph, build_graph, graph
from cjkglyph.graph.features import FEATURES, FeatureContext, ObservedPairs, char_counts
from cjkglyph.graph.ranker import Ranker

VOCAB = "在再载才己已巳门们问间闷未末味清请情晴睛的地得他她它人入大太天夫湖糊胡江河好妈字子自是事市"


@pytest.fixture(scope="module")
def g() -> SimilarityGraph:
    return build_graph(VOCAB)


def chars(ns: list) -> list[str]:  # type: ignore[type-arg]
    return [n.char for n in ns]


# --------------------------------------------------------------------------- relations and ranking


def test_known_pairs(g: SimilarityGraph) -> None:
    first = g.similar("在", k=1)[0]
    assert first.char == "再" and first.relation == "same-sound-same-tone"
    assert g.similar("门", k=1)[0].char == "们"
    assert "已" in chars(g.similar("己", kind="visual", k=3))
    assert g.similar("己", kind="visual", k=1)[0].relation == "similar-shape"
    assert "末" in chars(g.similar("未", kind="visual", k=3))
    assert set(chars(g.similar("的", k=2))) == {"地", "得"}
    assert "晴" in chars(g.similar("清", kind="phonetic", k=5))


def test_relation_labels_and_order(g: SimilarityGraph) -> None:
    for c in VOCAB:
        ns = g.similar(c, k=100)
        assert c not in chars(ns)
        scores = [n.score for n in ns]
        assert scores == sorted(scores, reverse=True)
        for n in ns:
            assert n.relation in RELATIONS and n.relation in n.relations
            assert set(n.relations) <= set(RELATIONS)
            assert 0.0 <= n.score <= 1.0
            assert json.loads(json.dumps(n.as_dict()))["char"] == n.char
        assert len(g.similar(c, k=3)) <= 3


def test_relation_semantics(g: SimilarityGraph) -> None:
    rel = {n.char: n for n in g.similar("清", k=100)}
    assert rel["请"].relation == "same-sound-other-tone"  # qing1 / qing3
    assert "similar-sound" in rel["睛"].relations  # jing1: j/q
    assert "similar-shape" in rel["睛"].relations
    assert g.similar("是", k=5)[0].char in "事市"


def test_kind_filter(g: SimilarityGraph) -> None:
    for c in "己在湖":
        for n in g.similar(c, kind="visual", k=50):
            assert "similar-shape" in n.relations and n.relation == "similar-shape"
        for n in g.similar(c, kind="phonetic", k=50):
            assert n.relation in ("same-sound-same-tone", "same-sound-other-tone", "similar-sound")
    anyk = chars(g.similar("在", k=100))
    assert set(chars(g.similar("在", kind="phonetic", k=100))) <= set(anyk)


def test_bad_input(g: SimilarityGraph) -> None:
    assert g.similar("a") == [] and g.similar("😀") == [] and g.similar("𠀀") == []
    with pytest.raises(InputError):
        g.similar("在再")
    with pytest.raises(InputError):
        g.similar("")
    with pytest.raises(InputError):
        g.similar("在", kind="smell")
    with pytest.raises(InputError):
        g.similar("在", k=-1)
    assert g.similar("在", k=0) == []


def test_confusion_set_and_merge(g: SimilarityGraph) -> None:
    assert g.confusion_set("在", 2)[0] == "再"
    merged = g.merge([("在", "江", 1), ("在", "再", 1), ("x", "y", 1)])
    ns = {n.char: n for n in merged.similar("在", k=100)}
    assert "user" in ns["江"].relations and "user" in ns["再"].relations
    assert merged.similar("在", k=1)[0].char == "再"
    assert "江" not in chars(g.similar("在", k=100)) or "user" not in {r for n in g.similar("在", k=100) for r in n.relations}


def test_non_han_vocabulary_entries() -> None:
    small = build_graph("在再a😀")
    assert small.similar("a") == [] and chars(small.similar("在")) == ["再"]


# --------------------------------------------------------------------------- adjacency


def _dense(idx: np.ndarray, val: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape)
    out[idx[0], idx[1]] = val
    return out


def test_adjacency_normalisation(g: SimilarityGraph) -> None:
    tokens = ["[PAD]", *"在再载才己已巳门们", "##s"]
    idx, val, shape = g.adjacency(tokens, "pronunciation", k=3)
    a_hat = _dense(idx, val, shape)
    assert shape == (len(tokens), len(tokens))
    assert np.allclose(a_hat, a_hat.T)
    # rebuild A from the normalised matrix: A + I has ones where A_hat is non-zero
    a_plus_i = (a_hat > 0).astype(float)
    assert np.allclose(np.diag(a_plus_i), 1.0)
    d = a_plus_i.sum(axis=1)
    expected = a_plus_i / np.sqrt(d[:, None] * d[None, :])
    assert np.allclose(a_hat, expected, atol=1e-6)
    # isolated tokens keep only their self loop
    assert a_hat[0, 0] == pytest.approx(1.0) and a_hat[0].sum() == pytest.approx(1.0)
    # 在 - 再 are linked; 己 and 门 are not phonetically related
    p = {t: i for i, t in enumerate(tokens)}
    assert a_hat[p["在"], p["再"]] > 0 and a_hat[p["己"], p["门"]] == 0


def test_graph_formats() -> None:
    vocab = ["[CLS]", *"在再己已门们未末"]
    coo = graph(vocab, ("pronunciation", "shape"))
    assert set(coo) == {"pronunciation", "shape"}
    dense = graph(vocab, "shape", format="dense")["shape"]
    assert np.allclose(dense, _dense(*coo["shape"]))
    assert dense[2 + 1, 3 + 1] > 0 or dense[3 + 1, 2 + 1] > 0  # 己 - 已 (positions 3 and 4)
    torch = pytest.importorskip("torch")
    t = graph(vocab, "pronunciation", format="torch")["pronunciation"]
    assert isinstance(t, torch.Tensor) and t.is_sparse and tuple(t.shape) == (9, 9)
    assert np.allclose(t.to_dense().numpy(), _dense(*coo["pronunciation"]))
    with pytest.raises(InputError):
        graph(vocab, "colour")
    with pytest.raises(InputError):
        graph(vocab, format="csr")


def test_weighted_adjacency(g: SimilarityGraph) -> None:
    idx, val, shape = g.adjacency(list("在再载才"), "any", k=3, weighted=True)
    a = _dense(idx, val, shape)
    assert np.allclose(a, a.T) and (a >= 0).all()


# --------------------------------------------------------------------------- confusion files


def test_parse_formats() -> None:
    lines = ["#汉字\t同音同调\t同音异调", "一\t壹\t漪", "在 再", "因该 应该 7", "交通先行 交通限行", "bad line with many fields here", ""]
    got = parse_confusion(lines)
    assert got == [("一", "壹", 1), ("一", "漪", 1), ("在", "再", 1), ("因", "应", 7), ("先", "限", 1)]
    assert parse_confusion(["己,已,巳"], "groups") == [(a, b, 1) for a in "己已巳" for b in "己已巳" if a != b]
    assert parse_confusion(["己\t已巳"], "pairs") == []  # a one-character 'word' against a two-character one
    with pytest.raises(InputError):
        parse_confusion([], "yaml")


def test_confusion_round_trip(tmp_path, g: SimilarityGraph) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "same_pinyin.txt"
    rows = [(c, g.confusion_set(c, 5)) for c in "在己门"]
    n = write_confusion(path, rows, header="char\tcandidates")
    assert n == 3
    back = read_confusion(path)
    assert [(a, b) for a, b, _ in back] == [(c, x) for c, xs in rows for x in xs]
    write_confusion(tmp_path / "pairs.txt", rows, "pairs")
    assert read_confusion(tmp_path / "pairs.txt") == back
    with pytest.raises(InputError):
        read_confusion(tmp_path / "missing.txt")


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(han, st.lists(han, min_size=1, max_size=6)), max_size=8), st.sampled_from(["candidates", "pairs"]))
def test_confusion_round_trip_property(rows: list, fmt: str) -> None:  # type: ignore[type-arg]
    lines = list(confusion_lines(rows, fmt))
    expected = [(c, x, 1) for c, xs in rows for x in xs if x != c]
    assert parse_confusion(lines) == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=10))
def test_parse_hostile_lines(lines: list[str]) -> None:
    for fmt in ("auto", "pairs", "candidates", "groups"):
        for a, b, n in parse_confusion(lines + ["👨‍👩‍👧 \u202e\u0301 𠀀\t\x00", "x" * 10000, "在\t" + "再" * 500], fmt):
            assert len(a) == 1 and len(b) == 1 and n >= 1


def test_huge_group_is_refused() -> None:
    with pytest.raises(InputError):
        parse_confusion(["".join(map(chr, range(0x4E00, 0x4E00 + 1000)))], "groups")


def test_read_parallel_pairs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "t.tsv"
    p.write_text("我再家。\t我在家。\n长度不同\t长度\nab\tac\n", encoding="utf-8")
    pairs = read_parallel_pairs(p)
    assert [(e.wrong, e.right, e.line) for e in pairs] == [("再", "在", 1)]
    assert pairs[0].fold in range(5) and pairs[0].heldout == (pairs[0].fold == 0)
    assert [(e.wrong, e.right) for e in read_parallel_pairs(p, han_only=False)] == [("再", "在"), ("b", "c")]


# --------------------------------------------------------------------------- features and ranker


def test_features_and_channel() -> None:
    ctx = FeatureContext("在再己已")
    ch = Channel.default()
    ini, fin = pinyin_parts()
    assert ch.initial.shape == (len(ini), len(ini)) and ch.tone.shape == (6, 6)
    w, c = np.array([0, 2]), np.array([1, 3])
    obs = ObservedPairs.from_pairs(np.array([0, 0]), np.array([1, 1]), ctx.n)
    x = ctx.pair_features(w, c, ch, observed=obs)
    col = {f: i for i, f in enumerate(FEATURES)}
    assert x.shape == (2, len(FEATURES))
    assert x[0, col["same_tone3"]] == 1 and x[1, col["same_tone3"]] == 0
    assert x[1, col["emb_cos"]] > 0.5  # 己 / 已 look alike
    assert x[0, col["obs_fwd"]] == pytest.approx(np.log1p(2)) and x[1, col["obs_fwd"]] == 0
    fitted = ctx.fit_channel(np.array([0, 2]), np.array([1, 3]))
    assert np.isfinite(fitted.syllable_matrix(ctx.readings[2])).all()
    assert Channel.from_json(fitted.to_json()).initial.shape == fitted.initial.shape
    assert char_counts("的")[0] > 0


def test_ranker_file_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = Ranker.load()
    assert set(r.features) <= set(FEATURES) and r.score(np.zeros((3, len(FEATURES)), dtype=np.float32)).shape == (3,)
    path = tmp_path / "r.json"
    r.save(path)
    assert Ranker.load(path).features == r.features
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ResourceError):
        Ranker.load(path)
    path.write_text(json.dumps({"format": "other"}), encoding="utf-8")
    with pytest.raises(ResourceError):
        Ranker.load(path)
    with pytest.raises(ResourceError):
        Ranker.load(tmp_path / "missing.json")


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def vocab_file(tmp_path, g: SimilarityGraph):  # type: ignore[no-untyped-def]
    p = tmp_path / "vocab.txt"
    p.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    return p


def test_cli_similar(cli, vocab_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("similar", "在", "--vocab", str(vocab_file), "-k", "3")
    assert code == 0, err
    assert out.startswith("在\t再 ")
    code, out, _ = cli("similar", "己门", "--vocab", str(vocab_file), "-k", "2", "--kind", "visual", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["char"] for r in rows] == ["己", "门"]
    assert rows[0]["neighbors"][0]["char"] == "已" and rows[0]["neighbors"][0]["relation"] == "similar-shape"
    code, out, _ = cli("similar", "在", "--vocab", str(vocab_file), "-k", "2", "--format", "tsv")
    lines = out.splitlines()
    assert lines[0] == "char\tneighbor\trelation\tscore" and lines[1].startswith("在\t再\tsame-sound-same-tone\t")
    inp = tmp_path / "in.txt"
    inp.write_text("在\nabc 门\nx\n", encoding="utf-8")
    code, out, _ = cli("similar", "-i", str(inp), "--vocab", str(vocab_file), "-k", "1")
    assert out.splitlines() == ["在\t再", "门\t们", "x\t"]
    code, out, err = cli("similar", "在", "--vocab", str(vocab_file), "--format", "json")
    assert json.loads(out)["char"] == "在"
    code, _, err = cli("similar", "在", "-k", "-1", "--vocab", str(vocab_file))
    assert code == 2 and "error" in err


def test_cli_graph_export(cli, vocab_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out_path = tmp_path / "g.tsv"
    code, _, err = cli("graph", "export", "--vocab", str(vocab_file), "--max-neighbors", "3", "-o", str(out_path))
    assert code == 0, err
    lines = out_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "char\tneighbor\trelation\tscore"
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 4 and r[0] in VOCAB and r[1] in VOCAB and r[2] in RELATIONS for r in rows)
    per_char: dict[str, int] = {}
    for r in rows:
        per_char[r[0]] = per_char.get(r[0], 0) + 1
    assert max(per_char.values()) <= 3 and ["在", "再"] == rows[[r[0] for r in rows].index("在")][:2]
    cand = tmp_path / "c.txt"
    code, _, _ = cli("graph", "export", "--vocab", str(vocab_file), "--max-neighbors", "2", "--kind", "visual", "--format", "candidates", "-o", str(cand))
    assert code == 0
    parsed = read_confusion(cand)
    assert ("己", "已", 1) in parsed
    user = tmp_path / "user.txt"
    user.write_text("在 江\n", encoding="utf-8")
    code, out, _ = cli("graph", "export", "--vocab", str(vocab_file), "--confusion", str(user), "--no-header")
    assert "在\t江\tuser\t" in out
    code, out, _ = cli("graph", "build", "--vocab", str(vocab_file))
    assert code == 0 and "characters" in out


def test_export_and_with_confusion(tmp_path, g: SimilarityGraph) -> None:  # type: ignore[no-untyped-def]
    from cjkglyph.graph.similarity import with_confusion

    path = tmp_path / "g.tsv"
    g.export(str(path), k=2, chars="在己")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "char\tneighbor\trelation\tscore" and len(lines) == 5 and lines[1].startswith("在\t再\t")
    g.export(str(tmp_path / "c.txt"), "candidates", k=2, kind="visual", chars="己")
    assert read_confusion(tmp_path / "c.txt")[0][:2] == ("己", "已")
    with pytest.raises(InputError):
        list(g.lines("xml"))
    user = tmp_path / "user.txt"
    user.write_text("# mine\n在\t江河\n", encoding="utf-8")
    merged = with_confusion(str(user), g)
    assert {"江", "河"} <= set(merged.confusion_set("在", 100))
