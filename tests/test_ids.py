from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cjkglyph import ids as I
from cjkglyph.errors import InputError
from helpers import HOSTILE_TEXTS

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent

HOSTILE = [
    *HOSTILE_TEXTS,
    "⿰" * 5000 + "口" * 5001,
    "{" * 100,
    "{99999999999}",
    "\ud800",
]


# ---------------------------------------------------------------- lookup


def test_examples() -> None:
    assert I.ids("好") == "⿰女子"
    assert I.ids("想") == "⿱相心"
    assert I.ids("国") == "⿴囗玉"
    assert (I.structure("好"), I.structure("想"), I.structure("国")) == ("left-right", "top-bottom", "surround")
    assert I.structure("一") == "atomic"
    assert I.ids("a") is None and I.ids("。") is None
    assert not I.has_ids("a") and I.has_ids("好")


def test_ext_b_and_ext_g() -> None:
    assert I.ids("\U00020021") == "⿱一先"  # Ext B
    assert I.ids("\U0002a6d6") == "⿰龠\U0002a6b0"  # Ext B with an Ext B component
    assert I.ids("\U00030021") == "⿲丨丨又"  # Ext G
    assert I.ids("\U0003134a") == "⿰\U000203a4昌"  # Ext G with an Ext B component
    assert I.structure("\U00030021") == "left-middle-right"
    assert [p.component for p in I.components("\U0003134a")] == ["\U000203a4", "昌"]
    assert I.ids("\U00031350") == "⿱一⿻丅儿"  # Ext H


def test_all_entries_load_and_round_trip() -> None:
    info = I.ids_data_info()
    assert info["entries"] == 97680 and info["file_date"] == "2025-06-27"
    assert len(I.characters()) == 97680
    from cjkglyph.ids._table import load

    d = load()
    for k, seq in enumerate(d.seqs):
        assert str(d.tree(k)) == seq


def test_regions_and_alternatives() -> None:
    assert I.alternatives("七") == [("〾⿻一乚", "GHJKPV"), ("〾⿻一㇄", "T")]
    assert I.ids("七", region="T") == "〾⿻一㇄"
    assert I.ids("七", region="G") == I.ids("七", region=None) == "〾⿻一乚"
    assert I.ids("丑", region="T") == "？"
    assert I.ids("丑", region="B") == "⿻{42}丨"  # bracketed virtual form [B]
    assert I.ids("\U00030021", region="G") == "⿲丨丨又"  # no G form: first real source
    assert I.alternatives("a") == []
    with pytest.raises(InputError, match="unknown IDS region"):
        I.ids("好", region="Q")
    with pytest.raises(InputError, match="one character"):
        I.ids("好人")


def test_notes_and_unencoded() -> None:
    assert I.notes("併") == ["U+4F75≡U+5002"]
    desc, pua, approx = I.unencoded_components()["{1}"]
    assert desc == "bottom of 廌焉舃" and pua == "F2A5" and approx == "⿹⿺㇉一灬"


# ---------------------------------------------------------------- parsing


def test_parse_tree() -> None:
    tree = I.parse_ids("⿱〾⿰丶一{22}")
    assert tree.label == "⿱" and tree.children[0].variant and tree.children[1].label == "{22}"
    assert str(tree) == "⿱〾⿰丶一{22}"
    assert tree.leaves() == ["丶", "一", "{22}"]
    assert tree.size() == 5 and tree.depth() == 2
    assert I.parse_ids("⿲丨丨又").structure == "left-middle-right"
    assert I.parse_ids("\u31ef東㇒").structure == "subtraction"  # ㇯ takes two operands
    assert I.parse_ids("⿰\u2ffe臣臣").children[0].structure == "horizontal-reflection"  # ⿾ takes one
    assert I.parse_ids("\u2fff了").structure == "rotation"
    assert I.parse_ids("\u2ffc口一").structure == "surround-from-right"
    assert I.parse_ids("\u2ffd口一").structure == "surround-from-lower-right"
    assert I.parse_ids("？").structure == "unknown"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty sequence"),
        ("⿰女", "⿰ at position 1 needs 2 operands, got 1"),
        ("⿲女子", "⿲ at position 1 needs 3 operands, got 2"),
        ("⿰⿱口", "⿱ at position 2 needs 2 operands, got 1"),
        ("⿰女子口", "'口' (U+53E3) at position 4 after a complete sequence"),
        ("⿰女a", "'a' (U+0061) at position 3 is not an ideograph"),
        ("⿰女{12", "unclosed '{' at position 3"),
        ("⿰女{x}", "'{' at position 3 must enclose"),
        ("⿰女〾", "〾 at position 3 is not followed by a component"),
        ("〾〾女", "repeated 〾 at position 2"),
        ("^⿰女子$", "without the ^...$(...) wrapper"),
        ("⿰女 子", "' ' (U+0020) at position 3"),
        ("⿰" * 101 + "口" * 102, "nesting deeper than 100"),
        ("\u31ef東", "\u31ef at position 1 needs 2 operands, got 1"),
    ],
)
def test_malformed(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        I.parse_ids(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings(text: str) -> None:
    try:
        I.parse_ids(text)
    except InputError as e:
        assert "\n" not in str(e) and len(str(e)) < 400


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(I.IDC) + list("〾{}？口木\U00020000")), max_size=40))
def test_parse_never_crashes(text: str) -> None:
    try:
        tree = I.parse_ids(text)
    except InputError:
        return
    assert str(tree) == text


_COMPONENT = st.sampled_from(["口", "木", "氵", "\U00020000", "\U00030000", "㇒", "⺀", "{12}", "？", "\ue000"])


def _ids_strings() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        ops = st.sampled_from(list(I.IDC))
        return st.builds(
            lambda op, parts, v: ("〾" if v else "") + op + "".join(parts[: I.IDC[op][0]]),
            ops,
            st.lists(inner, min_size=3, max_size=3),
            st.booleans(),
        )

    return st.recursive(_COMPONENT, extend, max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_ids_strings())
def test_round_trip_generated(text: str) -> None:
    tree = I.parse_ids(text)
    assert str(tree) == text
    for node, path, (x0, y0, x1, y1) in tree.walk():
        assert 0.0 <= x0 <= x1 <= 1.0 and 0.0 <= y0 <= y1 <= 1.0
        assert len(path) <= tree.depth()


# ---------------------------------------------------------------- decomposition


def test_decompose_depth() -> None:
    assert str(I.decompose("湖")) == "⿰氵胡"
    assert str(I.decompose("湖", depth=2)) == "⿰氵⿰古月"
    deep = I.decompose("湖", depth=None)
    assert str(deep) == str(I.decompose("湖", depth=0))
    assert deep.children[1].of == "胡"
    assert str(I.decompose("一", depth=None)) == "一"
    assert str(I.decompose("五", depth=None))  # 五 = ⿱一𫝀 and 𫝀 = ㇯五一: the cycle stops
    with pytest.raises(InputError):
        I.decompose("湖", depth=-1)


def test_components_positions_and_boxes() -> None:
    parts = I.components("想", depth=2)
    assert [(p.component, p.position, p.level) for p in parts[:2]] == [("木", "top.left", 2), ("目", "top.right", 2)]
    assert I.components("好")[0].box == (0.0, 0.0, 0.5, 1.0)
    weighted = I.components("湖", weight=lambda c: {"氵": 3.0, "胡": 9.0}.get(c, 1.0))
    assert weighted[0].box[2] == pytest.approx(np.sqrt(3) / (np.sqrt(3) + 3))
    named = I.components("湖", depth=2, named=True)
    assert ("胡", "right", 1) in [(p.component, p.position, p.level) for p in named]
    inside = I.components("国")[1]
    assert inside.position == "inside" and inside.box == (0.2, 0.2, 0.8, 0.8)
    for p in I.components("\U00032265", depth=None):
        assert all(0.0 <= v <= 1.0 for v in p.box)


def test_shared_nodes_keep_their_own_position() -> None:
    # Parsed leaves and memoised subtrees are shared instances; per-node values must not mix.
    from cjkglyph.ids.compare import _features

    occ = _features("G")._layout(I.parse_ids("⿰⿻口木口"))
    shares = [w / ((x1 - x0) * (y1 - y0)) for label, x0, y0, x1, y1, w in occ if label == "口"]
    assert shares == pytest.approx([0.5, 1.0])
    parts = I.components("林", depth=2, named=True)
    assert [(p.component, p.position, p.level) for p in parts if p.component == "木"] == [("木", "left", 1), ("木", "right", 1)]


@pytest.mark.parametrize("text", HOSTILE + ["⿰", "〾", "{12}", "？"])
def test_api_hostile(text: str) -> None:
    from cjkglyph.ids.compare import ids_similarity

    for call in (
        lambda: I.decompose(text, depth=None),
        lambda: I.components(text),
        lambda: I.structure(text),
        lambda: I.containing(text),
        lambda: I.ids(text),
        lambda: ids_similarity(text, "好"),
    ):
        try:
            call()
        except InputError as e:
            assert "\n" not in str(e)
    assert I.to_ids(text).count("⿰") >= text.count("⿰")


def test_containing() -> None:
    left = I.containing("氵", position="left")
    assert "湖" in left and "江" in left
    assert "湖" not in I.containing("氵", position="right")
    assert "想" in I.containing("相", position="top")
    assert "湖" not in I.containing("口")
    assert "湖" in I.containing("口", position="right.left", deep=True)
    assert I.containing("氵", "left", region="G", limit=3) == I.containing("氵", "left", region="G")[:3]
    assert "丑" in I.containing("{42}")
    assert I.containing("\U000203a4") and "\U0003134a" in I.containing("\U000203a4", "left")
    with pytest.raises(InputError, match="unknown position"):
        I.containing("氵", position="lft")
    with pytest.raises(InputError, match="invalid component"):
        I.containing("ab")


def test_to_ids() -> None:
    assert I.to_ids("你好, world 😀") == "⿰亻尔⿰女子, world 😀"
    assert I.to_ids("") == ""
    from cjkglyph.conversion import convert

    assert convert("好人", to="ids") == "⿰女子人"


def test_lazy_import() -> None:
    code = (
        "import sys; import cjkglyph.ids._table as m, cjkglyph.unihan as u, cjkglyph.ids.compare, cjkglyph.charinfo; "
        "print(m._DATA is None and u._TABLE is None and 'numpy' not in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "True"


# ---------------------------------------------------------------- unihan


def test_unihan() -> None:
    from cjkglyph import unihan

    assert unihan.strokes("好") == 6 and unihan.strokes("a") is None
    assert unihan.strokes("\U00020000") == 2
    r = unihan.radical("湖")
    assert (r.number, r.char, r.residual, r.simplified) == (85, "水", 9, False)
    assert unihan.radical("语").char == "讠" and unihan.radical("语").simplified
    assert unihan.four_corner("端") == "0212.7" and unihan.four_corner("\U00020000") is None
    arrays = unihan.lookup("好语a")
    assert arrays["strokes"].tolist() == [6, 9, -1]
    assert arrays["radical"].tolist() == [38, 149, -1]
    assert arrays["four_corner"].shape == (3, 5)
    assert unihan.four_corner_array(["端"]).tolist() == [[0, 2, 1, 2, 7]]
    assert unihan.strokes_array(["好", "\U00030021"]).tolist()[0] == 6
    assert unihan.radical_char(1) == "一"
    with pytest.raises(InputError):
        unihan.strokes("好人")
    with pytest.raises(InputError):
        unihan.lookup(["好人"])


# ---------------------------------------------------------------- similarity


def test_similarity() -> None:
    from cjkglyph.ids.compare import ids_similarity, tree_distance, tree_similarity

    assert ids_similarity("好", "好") == 1.0
    s1, s2, s3 = ids_similarity("湖", "糊"), ids_similarity("湖", "江"), ids_similarity("湖", "一")
    assert 1.0 > s1 > s2 > s3 >= 0.0
    assert ids_similarity("糊", "湖") == pytest.approx(s1)
    assert ids_similarity("睛", "晴") > ids_similarity("睛", "好")
    assert 0.0 <= ids_similarity("\U00020021", "\U0003134a") <= 1.0
    assert ids_similarity("a", "b") == 0.0
    assert tree_distance("好", "妈") == 1 and tree_distance("好", "好") == 0
    assert tree_distance("好", "字") == 2
    assert 0.0 <= tree_similarity("湖", "糊", depth=None) <= 1.0


def test_similarity_index() -> None:
    from cjkglyph.ids.compare import IDSSimilarityIndex, ids_similarity, most_similar

    vocab = "湖糊蝴江河好妈字晴睛清情请辩辨辫"
    index = IDSSimilarityIndex(vocab)
    assert len(index) == len(vocab)
    best = index.most_similar("湖", k=3)
    assert best[0][0] in "糊蝴" and all(c != "湖" for c, _ in best)
    assert best[0][1] == pytest.approx(ids_similarity("湖", best[0][0]), abs=1e-5)
    assert index.most_similar("瑚", k=1)[0][0] in "湖糊蝴"  # query outside the vocabulary
    idx, scores = index.top_k(k=4)
    assert idx.shape == (len(vocab), 4) and scores.dtype == np.float32
    assert (np.diff(scores, axis=1) <= 1e-6).all()
    for q in range(len(vocab)):
        for j, s in zip(idx[q], scores[q]):
            if j >= 0:
                assert j != q and s == pytest.approx(ids_similarity(vocab[q], vocab[j]), abs=1e-5)
    # exact: compare with brute force
    for q, c in enumerate(vocab):
        brute = sorted((ids_similarity(c, o) for o in vocab if o != c), reverse=True)[:4]
        assert np.allclose(sorted(scores[q], reverse=True), brute, atol=1e-5)
    assert [c for c, _ in most_similar("辨", k=2, vocab="辩辫好")] == ["辩", "辫"]
    assert index.top_k(k=0)[0].shape == (len(vocab), 0)
    a, b = np.array([0, 0, 5, 3]), np.array([1, 0, 9, 14])
    assert np.allclose(index.pairs(a, b), [ids_similarity(vocab[i], vocab[j]) for i, j in zip(a, b)], atol=1e-5)
    assert index.pairs([], []).shape == (0,)
    with pytest.raises(InputError):
        index.pairs([0], [99])
    small = IDSSimilarityIndex("好")
    assert small.most_similar("好", k=3) == []


# ---------------------------------------------------------------- pipeline and CLI


def test_pipeline() -> None:
    import cjkglyph

    out = cjkglyph.pipeline("ids")(["你好!", ""])
    assert [c["char"] for c in out[0]["chars"]] == ["你", "好"]
    assert out[1] == {"text": "", "chars": []}
    json.dumps(out, ensure_ascii=False)


def test_cli_json(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli("ids", "字", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    assert set(obj) == {"char", "ids", "structure", "components", "strokes", "radical"}
    assert obj["ids"] == "⿱宀子" and obj["structure"] == "top-bottom" and obj["strokes"] == 6
    assert [c["component"] for c in obj["components"]] == ["宀", "子"]
    assert obj["radical"]["number"] == 39
    code, out, _ = cli("ids", "湖", "--depth", "0", "--format", "json")
    assert json.loads(out)["decomposition"] == "⿰氵⿰⿱⿻一丨口⿵⺆⿱一一"


def test_cli_jsonl_file(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.txt"
    path.write_text("好\n你好, world\n\na\n\U00030021\n", encoding="utf-8")
    code, out, err = cli("ids", "-i", str(path), "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5
    assert rows[0]["char"] == "好" and rows[0]["ids"] == "⿰女子"
    assert rows[1]["text"] == "你好, world" and [c["char"] for c in rows[1]["chars"]] == ["你", "好"]
    assert rows[2] == {"text": "", "chars": []}
    assert rows[3]["char"] == "a" and rows[3]["ids"] is None and rows[3]["components"] == []
    assert rows[4]["ids"] == "⿲丨丨又"


def test_cli_text_tsv(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("ids", "好", "你好")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split("\t")[:3] == ["好", "⿰女子", "left-right"]
    assert lines[1] == "你=⿰亻尔 好=⿰女子"
    code, out, _ = cli("ids", "好", "你好", "--format", "tsv")
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0] == ["text", "ids", "structure", "components", "strokes", "radical"]
    assert rows[1][:2] == ["好", "⿰女子"] and rows[2][1] == "⿰亻尔 ⿰女子"
    assert all(len(r) == 6 for r in rows)


def test_cli_containing(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("ids", "--containing", "氵", "--position", "left")
    assert code == 0 and "湖" in out and len(out.splitlines()) == 1
    code, out, _ = cli("ids", "--containing", "氵", "--position", "left", "--format", "json")
    obj = json.loads(out)
    assert obj["component"] == "氵" and obj["count"] == len(obj["chars"]) and "湖" in obj["chars"]
    code, out, _ = cli("ids", "--containing", "胡", "--format", "tsv")
    assert "湖\t⿰氵胡" in out.splitlines()


def test_cli_errors(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("ids", "好", "--region", "Q")[0] == 2
    assert cli("ids", "--containing", "氵", "--position", "lft")[0] == 2
    assert cli("ids", "好", "--position", "left")[0] == 2
    assert cli("ids", "好", "--depth", "-1")[0] == 2
    code, out, err = cli("ids", "--containing", "ab")
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    code, out, _ = cli("convert", "--to", "ids", "你好")
    assert code == 0 and out.strip() == "⿰亻尔⿰女子"


def test_build_unihan_reproduces_shipped_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shared = REPO.parent / "shared" / "assets" / "unihan"
    if not (shared / "Unihan_IRGSources.txt.bz2").is_file():
        pytest.skip("Unihan sources (../shared/assets/unihan) not available")
    out = tmp_path / "unihan.tsv"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_unihan.py"), str(shared), "-o", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (REPO / "data" / "unihan" / "unihan.tsv").read_bytes()
