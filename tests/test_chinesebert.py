"""ChineseBERT models: published / chinesebert-package / native layouts, tokenizer pinyin ids, Auto classes.

All checkpoints are tiny synthetic ones with the published key names and shapes (tests/chinesebert_fixtures.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chinesebert_fixtures import VOCAB, spell, state_dict, write_published, write_pypi  # noqa: E402
from helpers import run_python  # noqa: E402
from cjkglyph.models.chinesebert import (  # noqa: E402
    ChineseBertConfig,
    ChineseBertForMaskedLM,
    ChineseBertForQuestionAnswering,
    ChineseBertForSequenceClassification,
    ChineseBertForTokenClassification,
    ChineseBertModel,
    ChineseBertTokenizerFast,
    PinyinVocab,
    convert_checkpoint,
    detect_layout,
)

Z = [0] * 8
torch.set_num_threads(1)


@pytest.fixture(scope="module")
def ckpts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("chinesebert")
    return {
        "published": write_published(root / "published"),
        "pypi": write_pypi(root / "pypi"),
        "noglyph": write_published(root / "noglyph", glyph_weight=False),
        "root": root,
    }


@pytest.fixture(scope="module")
def tok(ckpts: dict[str, Path]) -> ChineseBertTokenizerFast:
    return ChineseBertTokenizerFast.from_pretrained(ckpts["published"])


@pytest.fixture(scope="module")
def mlm(ckpts: dict[str, Path]) -> ChineseBertForMaskedLM:
    return ChineseBertForMaskedLM.from_pretrained(ckpts["published"]).eval()


# --------------------------------------------------------------------------- tokenizer


def test_pinyin_ids_mixed_text(tok: ChineseBertTokenizerFast) -> None:
    enc = tok("我爱Python3和银行")
    assert tok.convert_ids_to_tokens(enc["input_ids"]) == ["[CLS]", "我", "爱", "python", "##3", "和", "银", "行", "[SEP]"]
    assert enc["pinyin_ids"] == [
        Z,
        spell("wo3"),  # [28, 20, 3]
        spell("ai4"),
        Z,  # "python": 6 characters
        Z,  # "3": one character, not Chinese
        spell("he2"),
        [30, 14, 19, 2, 0, 0, 0, 0],  # yin2, absent from the table: spelled symbol by symbol
        [13, 6, 19, 12, 2, 0, 0, 0],  # hang2 (银行)
        Z,
    ]


def test_pinyin_ids_heteronyms_and_pairs(tok: ChineseBertTokenizerFast) -> None:
    enc = tok("行长在银行", "行", return_tensors="pt")
    assert enc["pinyin_ids"].shape == (1, 9, 8)
    assert enc["token_type_ids"][0].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1]
    rows = enc["pinyin_ids"][0].tolist()
    assert rows[1] == [13, 6, 19, 12, 2, 0, 0, 0]  # 行长: hang2
    assert rows[2] == [31, 13, 6, 19, 12, 3, 0, 0]  # zhang3
    assert rows[5] == [13, 6, 19, 12, 2, 0, 0, 0]  # 银行: hang2
    assert rows[7] == [29, 14, 19, 12, 2, 0, 0, 0]  # 行 alone (second sequence): xing2
    assert rows[0] == rows[6] == rows[8] == Z


def test_neutral_tone_published_semantics(tok: ChineseBertTokenizerFast) -> None:
    """pypinyin writes the neutral tone without a digit; the published table maps those keys to tone 5,
    the symbol-by-symbol fallback (for keys missing from the table) adds no tone."""
    rows = tok("他的吗")["pinyin_ids"]
    assert rows[2] == spell("de5")  # table key "de"
    assert rows[3] == spell("ma")  # not in the fixture table: no tone digit
    assert PinyinVocab().syllable("ma") == spell("ma5")  # the built-in rule: neutral = 5


def test_mask_and_special_tokens_get_zeros(tok: ChineseBertTokenizerFast) -> None:
    enc = tok("我[MASK]行")
    tokens = tok.convert_ids_to_tokens(enc["input_ids"])
    assert tokens == ["[CLS]", "我", "[MASK]", "行", "[SEP]"]
    assert enc["pinyin_ids"][2] == Z and enc["pinyin_ids"][0] == Z and enc["pinyin_ids"][4] == Z


def test_batching_padding_truncation(tok: ChineseBertTokenizerFast) -> None:
    enc = tok(["我爱银行", "行长"], padding=True, return_tensors="pt")
    assert set(enc) == {"input_ids", "token_type_ids", "attention_mask", "pinyin_ids"}
    assert enc["pinyin_ids"].shape == (2, 6, 8) and enc["pinyin_ids"].dtype == torch.long
    assert enc["pinyin_ids"][1, 4:].abs().sum() == 0  # [SEP] and padding
    one = tok("行长", return_tensors="pt")
    assert torch.equal(enc["pinyin_ids"][1, :4], one["pinyin_ids"][0])
    cut = tok(["行长在银行了"], truncation=True, max_length=4, return_overflowing_tokens=True, stride=1)
    assert cut["overflow_to_sample_mapping"] == [0] * 5  # 2 characters per window, 1 overlapping
    assert [len(r) for r in cut["pinyin_ids"]] == [len(r) for r in cut["input_ids"]]
    assert cut["pinyin_ids"][1][1] == [31, 13, 6, 19, 12, 3, 0, 0]  # 长 opens the second window
    left = ChineseBertTokenizerFast.from_pretrained(tok.name_or_path, padding_side="left")
    padded = left(["行", "我爱"], padding=True)["pinyin_ids"]
    assert padded[0][0] == Z and padded[0][2] == [29, 14, 19, 12, 2, 0, 0, 0]


def test_pad_and_data_collator(tok: ChineseBertTokenizerFast) -> None:
    from transformers import DataCollatorWithPadding

    feats = [tok(t) for t in ["行长", "我爱银行行长"]]
    batch = DataCollatorWithPadding(tok)(feats)
    assert batch["pinyin_ids"].shape == (2, 8, 8)
    assert batch["pinyin_ids"][0, 4:].abs().sum() == 0
    assert batch["pinyin_ids"][0, :4].tolist() == feats[0]["pinyin_ids"]


def test_split_into_words(tok: ChineseBertTokenizerFast) -> None:
    words = tok(["行长", "在银行"], is_split_into_words=True)
    whole = tok("行长在银行")
    assert words["input_ids"] == whole["input_ids"] and words["pinyin_ids"] == whole["pinyin_ids"]


def test_cjkglyph_pinyin_source(ckpts: dict[str, Path]) -> None:
    from cjkglyph.errors import ResourceError

    try:
        pytest.importorskip("cjkglyph.pinyin").tone3("行")
    except ResourceError as e:
        pytest.skip(f"cjkglyph.pinyin not usable here: {e}")
    t = ChineseBertTokenizerFast(vocab_file=str(ckpts["published"] / "vocab.txt"), pinyin_source="cjkglyph")
    assert len(t) == len(VOCAB)
    rows = t("银行行长吗")["pinyin_ids"]
    assert rows[2] == spell("hang2") and rows[3] == spell("hang2") and rows[5] == spell("ma5")
    with pytest.raises(ValueError):
        ChineseBertTokenizerFast(vocab_file=str(ckpts["published"] / "vocab.txt"), pinyin_source="bogus")


def test_tokenizer_pypi_layout_and_native_roundtrip(ckpts: dict[str, Path], tok: ChineseBertTokenizerFast, tmp_path: Path) -> None:
    texts = ["我爱Python3和银行", "他的吗了呢", "行长在银行"]
    pypi = ChineseBertTokenizerFast.from_pretrained(ckpts["pypi"])
    tok.save_pretrained(tmp_path)
    assert (tmp_path / "pinyin2tensor.json").is_file() and (tmp_path / "vocab.txt").is_file()
    native = ChineseBertTokenizerFast.from_pretrained(tmp_path)
    for t in texts:
        assert pypi(t) == tok(t) == native(t)


_HOSTILE = st.lists(
    st.sampled_from([*"我爱银行长的吗abc 3，。", "\U0001F468\u200d\U0001F469", "\u0301", "\u202e", "\U00020000", "\x00", "\n"]),
    max_size=30,
).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_HOSTILE)
def test_hostile_text_keeps_alignment(tok: ChineseBertTokenizerFast, text: str) -> None:
    enc = tok(text, return_offsets_mapping=True)
    assert len(enc["pinyin_ids"]) == len(enc["input_ids"])
    for (start, end), row in zip(enc["offset_mapping"], enc["pinyin_ids"], strict=True):
        assert len(row) == 8 and all(0 <= x < 32 for x in row)
        if end - start != 1:
            assert row == Z


# --------------------------------------------------------------------------- models


def test_published_checkpoint_loads_every_weight(ckpts: dict[str, Path]) -> None:
    model, info = ChineseBertForMaskedLM.from_pretrained(ckpts["published"], output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]
    assert isinstance(model.config, ChineseBertConfig) and model.config.model_type == "chinesebert"
    sd = state_dict(0)
    own = model.state_dict()
    for key, value in sd.items():
        if key != "bert.embeddings.position_ids":
            assert torch.equal(own[key], value), key


def test_fusion_matches_published_formula(mlm: ChineseBertForMaskedLM, tok: ChineseBertTokenizerFast) -> None:
    enc = tok(["我爱Python3和银行", "行长在银行了"], padding=True, return_tensors="pt")
    sd = state_dict(0)
    ids, pinyin = enc["input_ids"], enc["pinyin_ids"]
    # Independent re-computation from the raw published tensors.
    e = sd["bert.embeddings.pinyin_embeddings.embedding.weight"][pinyin]  # (B, L, 8, 128)
    b, l_, s, d = e.shape
    conv = torch.nn.functional.conv1d(
        e.view(-1, s, d).permute(0, 2, 1),
        sd["bert.embeddings.pinyin_embeddings.conv.weight"],
        sd["bert.embeddings.pinyin_embeddings.conv.bias"],
    )
    pin = torch.nn.functional.max_pool1d(conv, conv.shape[-1]).view(b, l_, -1)
    glyph = torch.nn.functional.linear(
        sd["bert.embeddings.glyph_embeddings.embedding.weight"][ids],
        sd["bert.embeddings.glyph_map.weight"],
        sd["bert.embeddings.glyph_map.bias"],
    )
    word = sd["bert.embeddings.word_embeddings.weight"][ids]
    expected = torch.nn.functional.linear(
        torch.cat((word, pin, glyph), 2), sd["bert.embeddings.map_fc.weight"], sd["bert.embeddings.map_fc.bias"]
    )
    emb = mlm.bert.embeddings
    with torch.no_grad():
        assert torch.allclose(emb.fuse(ids, pinyin), expected, atol=1e-5)
        assert torch.allclose(emb._fuse_concat(ids, pinyin), expected, atol=1e-5)
        words = emb.word_embeddings(ids)
        assert torch.allclose(emb.fuse(ids, pinyin, inputs_embeds=words), expected, atol=1e-5)


@pytest.mark.parametrize(
    "cls",
    [
        ChineseBertModel,
        ChineseBertForMaskedLM,
        ChineseBertForSequenceClassification,
        ChineseBertForTokenClassification,
        ChineseBertForQuestionAnswering,
    ],
)
def test_save_and_reload_gives_identical_outputs(cls: type, ckpts: dict[str, Path], tok: ChineseBertTokenizerFast, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = cls.from_pretrained(ckpts["published"]).eval()
    enc = tok(["我爱Python3和银行", "行长"], padding=True, return_tensors="pt")
    with torch.no_grad():
        before = model(**enc).to_tuple()
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    assert json.loads((tmp_path / "config.json").read_text())["model_type"] == "chinesebert"
    again, info = cls.from_pretrained(tmp_path, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    with torch.no_grad():
        after = again.eval()(**enc).to_tuple()
    for x, y in zip(before, after, strict=True):
        if torch.is_tensor(x):
            assert torch.equal(x, y)


def test_heads_compute_losses(ckpts: dict[str, Path], tok: ChineseBertTokenizerFast) -> None:
    enc = tok(["我爱银行", "行长"], padding=True, return_tensors="pt")
    n = enc["input_ids"].shape[1]
    seq = ChineseBertForSequenceClassification.from_pretrained(ckpts["published"], num_labels=3)
    assert seq(**enc, labels=torch.tensor([0, 2])).loss.ndim == 0
    tokc = ChineseBertForTokenClassification.from_pretrained(ckpts["published"], num_labels=4)
    assert tokc(**enc, labels=torch.zeros(2, n, dtype=torch.long)).logits.shape == (2, n, 4)
    qa = ChineseBertForQuestionAnswering.from_pretrained(ckpts["published"])
    out = qa(**enc, start_positions=torch.tensor([1, 2]), end_positions=torch.tensor([2, 3]))
    assert out.loss.ndim == 0 and out.start_logits.shape == (2, n)
    mlm = ChineseBertForMaskedLM.from_pretrained(ckpts["published"])
    tup = mlm(**enc, labels=enc["input_ids"], return_dict=False)
    assert isinstance(tup, tuple) and tup[0].ndim == 0


def test_pypi_layout_loads(ckpts: dict[str, Path]) -> None:
    model, info = ChineseBertForMaskedLM.from_pretrained(ckpts["pypi"], output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    assert torch.equal(model.bert.embeddings.map_fc.weight, state_dict(1)["bert.embeddings.map_fc.weight"])


def test_missing_glyph_weight_read_from_npy(ckpts: dict[str, Path]) -> None:
    model, info = ChineseBertForMaskedLM.from_pretrained(ckpts["noglyph"], output_loading_info=True)
    assert not info["missing_keys"]
    expected = state_dict(0)["bert.embeddings.glyph_embeddings.embedding.weight"]
    assert torch.equal(model.bert.embeddings.glyph_embeddings.embedding.weight, expected)


def test_resize_token_embeddings_resizes_glyph_table(ckpts: dict[str, Path]) -> None:
    model = ChineseBertForMaskedLM.from_pretrained(ckpts["published"])
    model.resize_token_embeddings(len(VOCAB) + 3)
    glyph = model.bert.embeddings.glyph_embeddings.embedding.weight
    assert glyph.shape[0] == len(VOCAB) + 3 and glyph[-3:].abs().sum() == 0
    ids = torch.tensor([[2, len(VOCAB) + 1, 3]])
    assert model(input_ids=ids, pinyin_ids=torch.zeros(1, 3, 8, dtype=torch.long)).logits.shape == (1, 3, len(VOCAB) + 3)


def test_pinyin_ids_out_of_range_rejected(mlm: ChineseBertForMaskedLM) -> None:
    with pytest.raises(IndexError):
        mlm(input_ids=torch.tensor([[2, 5, 3]]), pinyin_ids=torch.full((1, 3, 8), 40))


# --------------------------------------------------------------------------- conversion, Auto classes


def test_detect_layout(ckpts: dict[str, Path], tmp_path: Path) -> None:
    assert detect_layout(ckpts["published"]) == "published"
    assert detect_layout(ckpts["pypi"]) == "pypi"
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    from cjkglyph.errors import InputError

    with pytest.raises(InputError):
        detect_layout(tmp_path)


@pytest.mark.parametrize("layout", ["published", "pypi"])
def test_convert_checkpoint_roundtrip(layout: str, ckpts: dict[str, Path], tmp_path: Path) -> None:
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    dst = tmp_path / "native"
    report = convert_checkpoint(ckpts[layout], dst)
    assert report["layout"] == layout and report["max_abs_diff"] == 0.0
    assert not report["unused_weights"] and not report["missing_weights"]
    assert detect_layout(dst) == "native"
    src_model = ChineseBertForMaskedLM.from_pretrained(ckpts[layout]).eval()
    src_tok = ChineseBertTokenizerFast.from_pretrained(ckpts[layout])
    auto_model = AutoModelForMaskedLM.from_pretrained(dst).eval()
    auto_tok = AutoTokenizer.from_pretrained(dst)
    assert type(auto_model) is ChineseBertForMaskedLM and type(auto_tok) is ChineseBertTokenizerFast
    texts = ["北京是[MASK]国的首都", "我爱Python3和银行"]
    a, b = src_tok(texts, padding=True, return_tensors="pt"), auto_tok(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        assert torch.equal(src_model(**a).logits, auto_model(**b).logits)


def test_convert_checkpoint_cli(cli, ckpts: dict[str, Path], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("convert-checkpoint", str(ckpts["published"]), str(tmp_path / "a"))
    assert code == 0, err
    assert "published -> native" in out
    code, _, err = cli("convert-checkpoint", str(ckpts["published"]), str(tmp_path / "a"))
    assert code == 2 and "--overwrite" in err
    code, _, err = cli("convert-checkpoint", str(tmp_path / "missing"), str(tmp_path / "b"))
    assert code == 2


def test_import_cjkglyph_stays_light() -> None:
    out = run_python("import sys, cjkglyph; print('torch' in sys.modules, 'transformers' in sys.modules)")
    assert out.split() == ["False", "False"]


@pytest.mark.slow
def test_auto_classes_after_import_cjkglyph(ckpts: dict[str, Path], tmp_path: Path) -> None:
    dst = tmp_path / "native"
    convert_checkpoint(ckpts["published"], dst, verify=False)
    out = run_python(
        "import cjkglyph\n"
        "from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification,"
        " AutoModelForTokenClassification, AutoModelForQuestionAnswering, AutoTokenizer\n"
        f"d = {str(dst)!r}\n"
        "names = [type(AutoConfig.from_pretrained(d)).__name__, type(AutoTokenizer.from_pretrained(d)).__name__]\n"
        "for auto in (AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification,"
        " AutoModelForTokenClassification, AutoModelForQuestionAnswering):\n"
        "    names.append(type(auto.from_pretrained(d)).__name__)\n"
        "print(' '.join(names))\n"
    )
    assert out.split() == [
        "ChineseBertConfig",
        "ChineseBertTokenizer",
        "ChineseBertModel",
        "ChineseBertForMaskedLM",
        "ChineseBertForSequenceClassification",
        "ChineseBertForTokenClassification",
        "ChineseBertForQuestionAnswering",
    ]


@pytest.mark.slow
def test_auto_classes_when_transformers_came_first(ckpts: dict[str, Path], tmp_path: Path) -> None:
    dst = tmp_path / "native"
    convert_checkpoint(ckpts["published"], dst, verify=False)
    out = run_python(
        "from transformers import AutoModelForMaskedLM\n"
        "import cjkglyph\n"
        f"print(type(AutoModelForMaskedLM.from_pretrained({str(dst)!r})).__name__)\n"
    )
    assert out.strip() == "ChineseBertForMaskedLM"


# --------------------------------------------------------------------------- new models


def test_glyph_rows() -> None:
    pytest.importorskip("cjkglyph.glyph")
    from cjkglyph.models.chinesebert import glyph_rows

    raw = glyph_rows(["[CLS]", "我", "##爱", "python", "爱"], size=16, normalize=False)
    assert raw.shape == (5, 3 * 16 * 16) and raw.dtype.name == "float32"
    assert raw[0].max() == 0 and raw[3].max() == 0 and raw[1].max() == 1.0
    assert (raw[2] == raw[4]).all()  # "##爱" draws 爱
    norm = glyph_rows(["[CLS]", "我", "##爱", "python", "爱"], size=16)
    assert norm[0].max() == 0 and abs(float(norm[[1, 2]].mean())) < 1e-5  # centred over the distinct characters


def test_upgrade_plain_bert(ckpts: dict[str, Path], tmp_path: Path) -> None:
    pytest.importorskip("cjkglyph.glyph")
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    cfg = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    torch.manual_seed(0)
    bert = BertForMaskedLM(cfg).eval()
    bert.save_pretrained(tmp_path / "bert")
    BertTokenizerFast.from_pretrained(ckpts["published"]).save_pretrained(tmp_path / "bert")
    model = ChineseBertForMaskedLM.from_bert(tmp_path / "bert", glyph_size=16).eval()
    assert model.config.glyph_embedding_dim == 3 * 16 * 16 and model.config.glyph_fonts == ["song", "hei", "kai"]
    glyph = model.bert.embeddings.glyph_embeddings.embedding.weight
    assert glyph[VOCAB.index("我")].abs().sum() > 0 and glyph[VOCAB.index("[CLS]")].abs().sum() == 0
    assert glyph[VOCAB.index("python")].abs().sum() == 0
    tok = ChineseBertTokenizerFast.from_pretrained(tmp_path / "bert")
    enc = tok(["我爱银行", "行长"], padding=True, return_tensors="pt")
    with torch.no_grad():
        ours = model(**enc).logits
        theirs = bert(**{k: v for k, v in enc.items() if k != "pinyin_ids"}).logits
    assert torch.allclose(ours, theirs, atol=1e-5)  # identity-initialised fusion = the BERT at start
    model.save_pretrained(tmp_path / "upgraded")
    again = ChineseBertForMaskedLM.from_pretrained(tmp_path / "upgraded").eval()
    with torch.no_grad():  # close, not equal: transformers 4 builds new models with eager attention, loads with sdpa
        assert torch.allclose(again(**enc).logits, ours, atol=1e-5)
