"""SpellGCN head, model saving/loading, Auto classes, and the neural corrector's serving (windows, length, odd input).

Every model here is tiny and built in the test; nothing is downloaded and /work/shared is not needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cjkglyph.errors import InputError  # noqa: E402
from cjkglyph.models.spellgcn import SpellGcnConfig, SpellGcnForCSC  # noqa: E402
from cjkglyph.spelling.neural import NeuralCorrector, load_neural_corrector, windows  # noqa: E402
from helpers import run_python  # noqa: E402

torch.set_num_threads(1)

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHARS = list("我们今天去公园圆元玩在再做作己已门的地得他她它是事很好人入") + list("，。a1") + ["##1", "##a"]
TOKENS = SPECIALS + CHARS
IDS = {t: i for i, t in enumerate(TOKENS)}
# hand-made similarity edges (pronunciation / shape) between vocabulary characters
SOUND = ["园圆", "园元", "圆元", "在再", "做作", "己已", "的地", "的得", "地得", "他她", "他它", "她它", "是事"]
SHAPE = ["己已", "人入", "门们"]
Z8 = [0] * 8


def _adjacency(pairs: list[str]) -> tuple[Any, Any, tuple[int, int]]:
    """Normalised D^-1/2 (A + I) D^-1/2 over TOKENS (COO), like cjkglyph.graph.similarity.graph returns."""
    n = len(TOKENS)
    a = torch.eye(n)
    for p in pairs:
        i, j = IDS[p[0]], IDS[p[1]]
        a[i, j] = a[j, i] = 1.0
    d = a.sum(1).rsqrt()
    norm = d[:, None] * a * d[None, :]
    idx = norm.nonzero().T
    return idx.numpy(), norm[idx[0], idx[1]].numpy(), (n, n)


def _config(**kw: Any) -> SpellGcnConfig:
    base = dict(
        vocab_size=len(TOKENS), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, type_vocab_size=1, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
    )  # fmt: skip
    return SpellGcnConfig(**{**base, **kw})


def _model(seed: int = 0, **kw: Any) -> SpellGcnForCSC:
    torch.manual_seed(seed)
    model = SpellGcnForCSC(_config(**kw))
    model.set_graph({"pronunciation": _adjacency(SOUND), "shape": _adjacency(SHAPE)}, k=4)
    return model


def _tokenizer(tmp: Path) -> Any:
    from transformers import BertTokenizerFast

    vocab = tmp / "vocab.txt"
    vocab.write_text("".join(t + "\n" for t in TOKENS), encoding="utf-8")
    return BertTokenizerFast(vocab_file=str(vocab), vocab=str(vocab), do_lower_case=False, model_max_length=64)


def _ids(text: str) -> list[int]:
    return [IDS["[CLS]"], *(IDS.get(c, IDS["[UNK]"]) for c in text), IDS["[SEP]"]]


# --------------------------------------------------------------------------- the model


def test_config_defaults_and_graph_shape() -> None:
    model = _model()
    cfg = model.config
    assert cfg.model_type == "spellgcn" and cfg.encoder_type == "bert"
    assert cfg.graph_relations == ["pronunciation", "shape"] and cfg.gcn_layers == 2 and cfg.gcn_temperature == 3.0
    linked = {c for p in SOUND + SHAPE for c in p}
    assert cfg.graph_nodes == len(linked)
    assert sorted(TOKENS[i] for i in model.graph_tokens().tolist()) == sorted(linked)
    assert cfg.graph_nnz == [model.gcn.adj0_values.numel(), model.gcn.adj1_values.numel()]


def test_gradients_reach_the_gcn() -> None:
    model = _model()
    model.train()
    ids = torch.tensor([_ids("我们去公圆玩")])
    labels = torch.tensor([_ids("我们去公园玩")])
    model(input_ids=ids, labels=labels).loss.backward()
    for layer in model.gcn.layers:
        assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0
    assert model.gcn.attention.weight.grad.abs().sum() > 0
    # graph characters get their classifier rows through the GCN, from the word embeddings
    emb_grad = model.bert.embeddings.word_embeddings.weight.grad
    assert emb_grad[IDS["元"]].abs().sum() > 0  # not in the sentence, reached through the graph and the classifier


def test_classifier_rows_come_from_the_graph() -> None:
    model = _model().eval()
    emb = model.bert.embeddings.word_embeddings.weight
    with torch.no_grad():
        w = model.classifier_weight()
        nodes = model.graph_tokens()
        other = torch.ones(len(TOKENS), dtype=torch.bool)
        other[nodes] = False
        assert torch.equal(w[other], emb[other])  # plain embeddings for non-graph tokens
        assert not torch.allclose(w[nodes], emb[nodes])
        assert model.classifier_weight() is w  # cached in eval mode


def test_save_load_identical(tmp_path: Path) -> None:
    model = _model(seed=3).eval()
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    loaded = SpellGcnForCSC.from_pretrained(tmp_path).eval()
    assert loaded.config.graph_nnz == model.config.graph_nnz and loaded.config.graph_nodes == model.config.graph_nodes
    assert torch.equal(loaded.gcn.nodes, model.gcn.nodes) and torch.equal(loaded.gcn.adj1_indices, model.gcn.adj1_indices)
    ids = torch.tensor([_ids("我们今天去公圆玩"), _ids("他在做作业，的好人。")[:10]])
    with torch.no_grad():
        assert torch.equal(model(input_ids=ids).logits, loaded(input_ids=ids).logits)


def test_chinesebert_encoder(tmp_path: Path) -> None:
    model = _model(encoder_type="chinesebert", glyph_embedding_dim=3 * 4 * 4, pinyin_embedding_size=8)
    assert type(model.bert).__name__ == "ChineseBertModel"
    ids = torch.tensor([_ids("我们去公圆玩")])
    pinyin = torch.randint(0, 32, (1, ids.shape[1], 8))
    out = model(input_ids=ids, pinyin_ids=pinyin, labels=ids)
    out.loss.backward()
    assert model.gcn.layers[0].weight.grad.abs().sum() > 0
    model.eval().save_pretrained(tmp_path)
    loaded = SpellGcnForCSC.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        assert torch.equal(model(input_ids=ids, pinyin_ids=pinyin).logits, loaded(input_ids=ids, pinyin_ids=pinyin).logits)


def test_from_encoder_copies_bert_and_head() -> None:
    from transformers import BertConfig, BertForMaskedLM

    import cjkglyph.models.spellgcn.modeling_spellgcn as mod

    cfg = BertConfig(vocab_size=len(TOKENS), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    bert = BertForMaskedLM(cfg).eval()
    graphs = {"pronunciation": _adjacency(SOUND), "shape": _adjacency(SHAPE)}
    orig = mod.graph_for_vocab
    mod.graph_for_vocab = lambda tokens, relations, k: graphs  # the real graph needs the similarity tables
    try:
        model = SpellGcnForCSC.from_encoder(bert, TOKENS, k=4).eval()
    finally:
        mod.graph_for_vocab = orig
    ids = torch.tensor([_ids("我们去公园玩")])
    with torch.no_grad():
        a = bert.bert(input_ids=ids).last_hidden_state
        b = model.bert(input_ids=ids).last_hidden_state
    assert torch.allclose(a, b, atol=1e-6)
    assert torch.equal(model.transform.dense.weight, bert.cls.predictions.transform.dense.weight)


def _train(model: SpellGcnForCSC, pairs: list[tuple[str, str]], steps: int = 150) -> None:
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    x = torch.tensor([_ids(s) for s, _ in pairs])
    y = torch.tensor([_ids(t) for _, t in pairs])
    for _ in range(steps):
        loss = model(input_ids=x, labels=y).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()


PAIRS = [("我们今天去公圆玩", "我们今天去公园玩"), ("他再做作业很好的", "他在做作业很好的"), ("他是好人我们去玩", "他是好人我们去玩"), ("是很好的事她在门", "是很好的事她在门")]


def test_tiny_model_overfits_a_handful_of_sentences(tmp_path: Path) -> None:
    model = _model(seed=1)
    _train(model, PAIRS)
    model.save_pretrained(tmp_path)
    _tokenizer(tmp_path).save_pretrained(tmp_path)
    c = NeuralCorrector.from_pretrained(tmp_path)
    out = c.correct_batch([s for s, _ in PAIRS])
    assert [r["target"] for r in out] == [t for _, t in PAIRS]
    r = out[0]
    assert r["errors"] == [{"pos": 6, "wrong": "圆", "right": "园", "score": r["errors"][0]["score"], "relation": r["errors"][0]["relation"]}]
    assert 0.5 < r["errors"][0]["score"] <= 1.0 and isinstance(r["errors"][0]["relation"], str)
    # the settings file sets the threshold; above every probability nothing changes
    c.save_settings(tmp_path, threshold=0.999999)
    assert NeuralCorrector.from_pretrained(tmp_path).correct(PAIRS[0][0])["errors"] == []
    assert load_neural_corrector(tmp_path, lm=None, threshold=0.0, confusion=None).correct(PAIRS[0][0])["target"] == PAIRS[0][1]
    json.loads((tmp_path / "cjkglyph_corrector.json").read_text())


# --------------------------------------------------------------------------- serving


def test_windows_examples() -> None:
    assert windows(0, 4, 2) == [(0, 0, 0, 0)]
    assert windows(3, 4, 2) == [(0, 3, 0, 3)]
    assert windows(10, 4, 0) == [(0, 4, 0, 4), (4, 8, 4, 7), (6, 10, 7, 10)]


@given(st.integers(0, 400), st.integers(1, 40), st.integers(0, 50))
def test_windows_cover_every_token_once(n: int, size: int, overlap: int) -> None:
    ws = windows(n, size, overlap)
    covered = []
    for s, e, lo, hi in ws:
        assert 0 <= s <= lo <= hi <= e <= n and e - s <= size
        covered.extend(range(lo, hi))
    assert covered == list(range(n))


class _MapModel(torch.nn.Module):
    """Fake corrector: predicts, at each position, MAP[input token] (else the input), asserting the window size."""

    MAP = {"圆": "园", "再": "在", "己": "已", "人": "入", "a": "我", "1": "们", "[UNK]": "我"}

    def __init__(self, max_len: int) -> None:
        super().__init__()
        self.config = type("Cfg", (), {"max_position_embeddings": max_len})()
        self.dummy = torch.nn.Parameter(torch.zeros(1))
        self.table = torch.arange(len(TOKENS))
        for a, b in self.MAP.items():
            self.table[IDS[a]] = IDS[b]
        self.max_len = max_len
        self.calls: list[tuple[int, int]] = []

    def forward(self, input_ids: Any, attention_mask: Any = None, **kw: Any) -> Any:
        assert input_ids.shape[1] <= self.max_len
        self.calls.append(tuple(input_ids.shape))
        logits = torch.nn.functional.one_hot(self.table[input_ids], len(TOKENS)).float() * 10
        return type("Out", (), {"logits": logits})()


def _map_corrector(tmp_path: Path, max_len: int = 10, **kw: Any) -> tuple[NeuralCorrector, _MapModel]:
    model = _MapModel(max_len)
    return NeuralCorrector(model, _tokenizer(tmp_path), overlap=3, batch_size=4, **kw), model


def test_long_texts_are_windowed_not_truncated(tmp_path: Path) -> None:
    c, model = _map_corrector(tmp_path, max_len=10)
    text = "我们今天去公圆玩，他再做作业。" * 40
    r = c.correct(text)
    assert r["target"] == text.replace("圆", "园").replace("再", "在")
    assert len(r["errors"]) == 80 and all(r["source"][e["pos"]] == e["wrong"] for e in r["errors"])
    assert model.calls and all(w <= 10 for _, w in model.calls)
    # batched with short lines, same answers
    many = c.correct_batch(["公圆", text, "", "再"])
    assert many[1] == r and many[0]["target"] == "公园" and many[3]["target"] == "在"


def test_length_preserved_with_odd_input(tmp_path: Path) -> None:
    c, _ = _map_corrector(tmp_path)
    odd = ["😀公圆👨‍👩‍👧", "abc 1 Ab12 圆", "𠀀圆𠀁", "e\u0301圆\u200d再", "\u202eمرحبا 再", "\x00\x07圆\ufeff", "\t\n 圆 ", "", "ａ１全角圆"]
    for text, r in zip(odd, c.correct_batch(odd)):
        assert len(r["target"]) == len(text) and r["source"] == text
        for e in r["errors"]:
            assert text[e["pos"]] == e["wrong"] and r["target"][e["pos"]] == e["right"]
            assert e["wrong"] in "圆再"  # [UNK], Latin, digits never change (the model maps them to Han)
        assert r["target"].count("园") + r["target"].count("在") == text.count("圆") + text.count("再")


_HOSTILE = st.lists(
    st.sampled_from(list("我们公圆再己人a1 ，。\t\n\x00\u200d\u0301\u202e😀𠀀\U00030000ａ") + ["👨‍👩‍👧", "Ab12"]), max_size=40
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_HOSTILE, max_size=4))
def test_length_preserved_property(tmp_path: Path, texts: list[str]) -> None:
    c, _ = _map_corrector(tmp_path, max_len=8)
    for text, r in zip(texts, c.correct_batch(texts)):
        assert len(r["target"]) == len(text)
        assert [e["pos"] for e in r["errors"]] == sorted({e["pos"] for e in r["errors"]})
        assert all(text[e["pos"]] == e["wrong"] != e["right"] for e in r["errors"])


def test_traditional_lines_round_trip(tmp_path: Path) -> None:
    c, _ = _map_corrector(tmp_path)
    r = c.correct_batch(["我們去公圓", "我们去公圆"])
    assert r[0]["target"] == "我們去公園" and r[1]["target"] == "我们去公园"
    assert [(e["pos"], e["wrong"], e["right"]) for e in r[0]["errors"]] == [(4, "圓", "園")]
    assert r[0]["source"] == "我們去公圓"
    as_is, _ = _map_corrector(tmp_path, script="as-is")  # 們/圓 are unknown to a Simplified vocabulary
    assert as_is.correct("我們去公圓")["errors"] == []
    with pytest.raises(InputError):
        _map_corrector(tmp_path, script="traditional")


def test_bad_input(tmp_path: Path) -> None:
    c, _ = _map_corrector(tmp_path)
    with pytest.raises(InputError):
        c.correct_batch(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InputError):
        NeuralCorrector.from_pretrained(tmp_path / "missing")
    with pytest.raises(InputError):
        NeuralCorrector.from_pretrained(tmp_path)  # no config.json
    with pytest.raises(InputError):
        _map_corrector(tmp_path, combine="nonsense")


def test_lm_veto_uses_the_character_lm(tmp_path: Path) -> None:
    from cjkglyph.resources import data_path

    if not data_path("lm", "zh_char.lm", required=False).exists():
        pytest.skip("shipped LM missing")
    model = _MapModel(32)
    model.table[IDS["园"]] = IDS["圆"]  # a bad proposal: 公园 -> 公圆
    c = NeuralCorrector(model, _tokenizer(tmp_path), combine="lm", settings={"lm_margin": 0.0})
    assert c.correct("我们今天去公园玩")["errors"] == []
    plain = NeuralCorrector(model, _tokenizer(tmp_path))
    assert plain.correct("我们今天去公园玩")["target"] == "我们今天去公圆玩"


def test_macbert_style_directory(tmp_path: Path) -> None:
    from transformers import BertConfig, BertForMaskedLM

    cfg = BertConfig(vocab_size=len(TOKENS), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, max_position_embeddings=32)
    torch.manual_seed(0)
    BertForMaskedLM(cfg).save_pretrained(tmp_path)
    (tmp_path / "vocab.txt").write_text("".join(t + "\n" for t in TOKENS), encoding="utf-8")
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True}))
    c = NeuralCorrector.from_pretrained(tmp_path)
    assert c.max_length == 32
    text = "我们今天去公圆玩" * 10  # longer than the model: windowed
    r = c.correct(text)
    assert len(r["target"]) == len(text) and set(r) == {"source", "target", "errors"}
    assert all(set(e) == {"pos", "wrong", "right", "score", "relation"} for e in r["errors"])


@pytest.mark.slow
def test_auto_classes(tmp_path: Path) -> None:
    model = _model(seed=2).eval()
    model.save_pretrained(tmp_path)
    out = run_python(
        "import cjkglyph, torch\n"
        "from transformers import AutoConfig, AutoModelForMaskedLM\n"
        f"d = {str(tmp_path)!r}\n"
        "m = AutoModelForMaskedLM.from_pretrained(d).eval()\n"
        "print(type(AutoConfig.from_pretrained(d)).__name__, type(m).__name__, m.config.graph_nodes)\n"
    )
    assert out.split() == ["SpellGcnConfig", "SpellGcnForCSC", str(model.config.graph_nodes)]


@pytest.mark.slow
def test_graph_for_vocab_uses_the_similarity_graph() -> None:
    from cjkglyph.models.spellgcn import graph_for_vocab

    model = _model()
    model.set_graph(graph_for_vocab(TOKENS, ("pronunciation", "shape"), 4), k=4)
    nodes = {TOKENS[i] for i in model.graph_tokens().tolist()}
    assert {"园", "圆"} <= nodes and not nodes & set(SPECIALS)
    assert model.config.graph_k == 4 and all(n > 0 for n in model.config.graph_nnz)
    ids = torch.tensor([_ids("我们去公圆玩")])
    assert model(input_ids=ids).logits.shape == (1, 8, len(TOKENS))


@pytest.mark.slow
def test_combine_ngram_confirms_and_vetoes(tmp_path: Path) -> None:
    try:
        from cjkglyph.spelling.corrector import Corrector

        ngram = Corrector()
    except Exception:  # noqa: BLE001 - shipped statistical corrector missing in this checkout
        pytest.skip("statistical corrector not available")
    text = "我们今天去公圆玩"
    base = ngram.correct(text)
    assert base["target"] == "我们今天去公园玩"  # what the n-gram corrector proposes
    confirm = NeuralCorrector(_MapModel(32), _tokenizer(tmp_path), combine="ngram", ngram=ngram, settings={"confirm": 0.1})
    assert confirm.correct(text)["errors"] == base["errors"]  # the model also says 园
    model = _MapModel(32)
    model.table[IDS["圆"]] = IDS["圆"]  # this model is sure 圆 is right
    veto = NeuralCorrector(model, _tokenizer(tmp_path), combine="ngram", ngram=ngram, settings={"confirm": 0.1})
    assert veto.correct(text)["target"] == text


def test_tune_settings(tmp_path: Path) -> None:
    from cjkglyph.spelling.tuning import tune_settings

    c, _ = _map_corrector(tmp_path)
    best, tables = tune_settings(c, ["公圆玩", "我们"], ["公园玩", "我们"], ngram=False)
    assert dict(tables["threshold"])[(0.0, 0.0)] == 1.0 and 0.0 <= best["threshold"] < 1.0 and best["restrict"] == 0.0
    assert set(best) >= {"threshold", "lm_margin", "lm_threshold"}
    c.save_settings(tmp_path, **best, combine="lm")
    saved = json.loads((tmp_path / "cjkglyph_corrector.json").read_text())
    assert saved["combine"] == "lm" and saved["threshold"] == best["threshold"]


def test_serving_a_chinesebert_encoder(tmp_path: Path) -> None:
    from cjkglyph.models.chinesebert import ChineseBertTokenizer

    model = _model(encoder_type="chinesebert", glyph_embedding_dim=3 * 4 * 4, pinyin_embedding_size=8)
    model.save_pretrained(tmp_path)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(t + "\n" for t in TOKENS), encoding="utf-8")
    ChineseBertTokenizer(vocab_file=str(vocab), vocab=str(vocab), do_lower_case=False).save_pretrained(tmp_path)
    c = NeuralCorrector.from_pretrained(tmp_path, max_length=8)
    assert c.pinyin
    texts = ["我们今天去公圆玩他再做作业", "", "a😀圆"]
    for text, r in zip(texts, c.correct_batch(texts)):
        assert len(r["target"]) == len(text)


def test_restrict_to_graph_candidates(tmp_path: Path) -> None:
    model = _model(seed=1)
    _train(model, PAIRS, steps=60)
    c = NeuralCorrector(model, _tokenizer(tmp_path))
    table = c.graph_candidates()
    assert table.shape[0] == len(TOKENS)
    assert {TOKENS[i] for i in table[IDS["园"]].tolist()} == {"园", "圆", "元"}
    assert set(table[IDS["我"]].tolist()) == {IDS["我"]}  # not in the graph: only itself
    c.settings["restrict"] = 1.0
    for text, p in zip(["我们今天去公圆玩", "他再做作业很好的"], c.predict(["我们今天去公圆玩", "他再做作业很好的"])):
        for pos in range(len(text)):
            if text[pos] not in IDS:
                assert not p.editable[pos]
                continue
            allowed = {TOKENS[i] for i in table[IDS[text[pos]]].tolist()}
            assert p.top[pos] in allowed | {""}
