from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjkglyph import glyph
from cjkglyph.glyph import rendering
from cjkglyph.errors import InputError, ResourceError
from cjkglyph.glyph import covered, coverage_mask, glyph_table, register_font, render, render_info
from cjkglyph.resources import font_path

EXT_B = "\U00020000\U0002a6d6\U00021234"


def _differ(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.abs(a - b).sum()) > 5.0 and float(np.abs(a - b).max()) > 0.5


@pytest.mark.parametrize("group", ["未末", "己已巳", "日曰"])
def test_confusable_characters_render_differently_in_every_font(group: str) -> None:
    img = render(group, size=24)
    for f in range(3):
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                assert _differ(img[i, f], img[j, f]), (group[i], group[j], glyph.DEFAULT_FONTS[f])


def test_shape_dtype_range() -> None:
    img = render("字形a", size=32)
    assert img.shape == (3, 3, 32, 32) and img.dtype == np.float32
    assert img.min() == 0.0 and img.max() == 1.0
    assert render("", size=24).shape == (0, 3, 24, 24)
    one = render(["字"], fonts=["hei"], size=16)
    assert one.shape == (1, 1, 16, 16)
    assert np.array_equal(one[0, 0], render("字", size=16)[0, 1])


def test_same_placement_across_fonts() -> None:
    # the em box fills the image: the ink of 国 spans most of it, centred, in every font
    img = render("国", size=48)[0]
    for f in range(3):
        ys, xs = np.nonzero(img[f] > 0.5)
        assert ys.min() < 8 and ys.max() > 40 and xs.min() < 8 and xs.max() > 40
        assert abs((xs.min() + xs.max()) / 2 - 23.5) < 3 and abs((ys.min() + ys.max()) / 2 - 23.5) < 3


def test_ext_b_not_covered_and_never_tofu() -> None:
    for name in glyph.DEFAULT_FONTS:
        for c in EXT_B:
            assert not covered(c, name)
        assert not coverage_mask(EXT_B, name).any()
    img, info = render(EXT_B, return_info=True)
    for i, row in enumerate(info):
        for f, src in enumerate(row):
            assert src in (None, glyph.SYNTHESISED)
            if src is None:
                assert img[i, f].max() == 0.0  # blank, not a .notdef box
    assert all(all(s is None for s in row) for row in render_info(EXT_B))
    img, info = render(EXT_B, synthesise=False, return_info=True)
    assert all(all(s is None for s in row) for row in info) and img.max() == 0.0


def _ids_available() -> bool:
    try:
        from cjkglyph.ids import ids

        return ids("好") == "⿰女子"
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _ids_available(), reason="IDS data not available")
def test_ids_synthesis_is_flagged() -> None:
    from cjkglyph.glyph.synth import synthesise

    c = "\U00021234"  # ⿴囗縣: no shipped font has it
    img, info = render(c, size=32, return_info=True)
    assert info == [(glyph.SYNTHESISED,) * 3]
    assert img.shape == (1, 3, 32, 32) and 0.05 < img.mean() < 0.6
    # the outer 囗 frames the glyph: ink near all four edges, the inside part in the middle
    frame = img[0, 0]
    assert frame[:, :4].max() > 0.5 and frame[:, -4:].max() > 0.5 and frame[12:20, 12:20].max() > 0.5
    # a synthesised URO character resembles the font's own drawing more than another character does
    own = render("好", size=32)[0, 0]
    synth = synthesise("好", 32, ["song"]).astype(np.float32) / 255
    other = render("始", size=32)[0, 0]
    assert np.abs(synth - own).sum() < np.abs(other - own).sum() * 1.5
    # U+20000 is atomic in IDS.TXT: nothing to compose, so it stays blank and unflagged
    assert render_info("\U00020000") == [(None, None, None)]
    assert render("\U00020000").max() == 0.0
    t = glyph_table("\U00021234字", size=16)
    assert t.info("\U00021234字")[0] == (glyph.SYNTHESISED,) * 3


def test_fallback_chain() -> None:
    # an Ext A character that song has and kai lacks
    ext_a = next(chr(cp) for cp in range(0x3400, 0x4DC0) if covered(chr(cp), "song") and not covered(chr(cp), "kai"))
    img, info = render(ext_a, fonts=["kai"], return_info=True)
    assert info == [("song",)] and img.max() > 0.5
    assert np.array_equal(img[0, 0], render(ext_a, fonts=["song"])[0, 0])
    img, info = render(ext_a, fonts=["kai"], fallback=("hei",), return_info=True)
    assert info == [("hei",)]
    img, info = render(ext_a, fonts=["kai"], fallback=(), synthesise=False, return_info=True)
    assert info == [(None,)] and img.max() == 0.0


def test_user_font_path_and_registration(tmp_path: Path) -> None:
    path = font_path("kai")
    assert np.array_equal(render("字", fonts=[str(path)]), render("字", fonts=["kai"]))
    assert np.array_equal(render("字", fonts=[path]), render("字", fonts=["kai"]))
    assert render_info("字", fonts=[str(path)]) == [(str(path),)]
    register_font("test-kai", path)
    assert "test-kai" in glyph.font_names()
    assert covered("字", "test-kai")
    assert np.array_equal(render("字", fonts=["test-kai"]), render("字", fonts=["kai"]))
    with pytest.raises(InputError):
        register_font("song", path)
    with pytest.raises(InputError):
        register_font("x", tmp_path / "missing.ttf")
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"not a font at all")
    with pytest.raises((ResourceError, InputError)):
        render("字", fonts=[str(bad)])
    with pytest.raises(InputError):
        render("字", fonts=["no-such-font"])


def test_bad_arguments() -> None:
    for size in (0, 3, 5000, 2.5, True):
        with pytest.raises(InputError):
            render("字", size=size)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        render(["字形"])
    with pytest.raises(InputError):
        render("字", fonts=[])
    with pytest.raises(InputError):
        covered("", "song")


def test_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CJKGLYPH_CACHE", str(tmp_path))
    monkeypatch.setattr(rendering, "_TABLES", {})
    vocab = "未末己已巳日曰" + EXT_B[0]
    t = glyph_table(vocab, size=20)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.startswith("glyphs-") for n in files) and any(n.startswith("glyphsrc-") for n in files)
    assert len(t) == len(vocab) and "未" in t and "我" not in t
    expect, info = render(vocab, size=20, return_info=True)
    assert np.array_equal(t.lookup(vocab), expect)
    assert t.info(vocab) == info
    assert t.images.dtype == np.uint8 and t.images.shape == (len(vocab), 3, 20, 20)
    # a second process-level load reads the same arrays from disk
    monkeypatch.setattr(rendering, "_TABLES", {})
    t2 = glyph_table(vocab, size=20)
    assert isinstance(t2.images, np.memmap)
    assert np.array_equal(np.asarray(t2.images), np.asarray(t.images))
    # characters outside the table are drawn on the fly, in order
    mixed = "我未" + "a"
    assert np.array_equal(t2.lookup(mixed), render(mixed, size=20))
    assert list(t2.rows(mixed)) == [-1, 0, -1]
    buf = np.empty((8, 3, 20, 20), np.float32)
    assert np.array_equal(t2.lookup("日曰", out=buf), expect[5:7])
    with pytest.raises(InputError):
        t2.lookup("日曰", out=np.empty((1, 3, 20, 20), np.float32))
    # a different size or font set is a different table
    assert glyph_table(vocab, size=16).key != t.key
    assert glyph_table(vocab, size=20, fonts=["kai"]).key != t.key


HOSTILE = st.sampled_from(
    [
        "",
        "😀\u200d👩\u200d👧 family 👨🏽\u200d🚀",
        "\x00\x01\x07\x1b[31m\x7f\x85\u2028\u2029\n\t",
        "e\u0301\u0308",
        "עברית مرحبا \u202e",
        "\U00020000\U0002a700\U00030000\U00031350\U000323b0",
        "\ufeff\ufffd\ud800",
        "字\U000e0100\ufe0f",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(HOSTILE, st.text(max_size=12)))
def test_hostile_text_never_tofu(text: str) -> None:
    img, info = render(text, fonts=["kai"], size=12, return_info=True)
    assert img.shape == (len(text), 1, 12, 12) and len(info) == len(text)
    assert np.isfinite(img).all() and ((img >= 0) & (img <= 1)).all()
    for c, (src,), im in zip(text, info, img[:, 0]):
        if src is None:
            assert im.max() == 0.0
        else:
            assert src == glyph.SYNTHESISED or covered(c, src)


def test_coverage_report() -> None:
    rep = glyph.coverage_report(blocks=["uro", "ext-b"])
    rows = {r["block"]: r for r in rep["blocks"]}
    assert rows["uro"]["covered"]["kai"] == 20992 and rows["uro"]["covered_any"] == 20992
    assert rows["ext-b"]["covered_any"] == 0


def test_image_distance_and_small_neighbours() -> None:
    from cjkglyph.glyph.similarity import image_distance, neighbours, similarity_matrix

    for mode in ("gray", "binary"):
        assert image_distance("日", "日", mode) == pytest.approx(0.0, abs=1e-6)
        assert image_distance("未", "末", mode) < image_distance("未", "我", mode)
        assert image_distance("己", "已", mode) < image_distance("己", "字", mode)
    vocab = "未末本木禾大天夫己已巳日曰目我" + EXT_B[0]
    for method in ("gray", "binary"):
        nb = neighbours(vocab, k=3, method=method)
        assert nb.index.shape == (len(vocab), 3) and nb.scores.dtype == np.float32
        top = nb.get("己")
        assert top[0][0] in "已巳" and top[0][1] >= top[1][1] >= top[2][1]
        assert "己" not in [c for c, _ in top]
        assert EXT_B[0] not in "".join(vocab[j] for j in nb.index.ravel() if j >= 0)  # blank glyphs are no neighbour
    m = similarity_matrix("日曰", "日曰我", method="gray")
    assert m.shape == (2, 3) and m[0, 0] == pytest.approx(1.0, abs=1e-5)


def _encoder_available() -> bool:
    from cjkglyph.resources import data_path

    return data_path("glyph", "glyph_encoder.safetensors", required=False).is_file()


@pytest.mark.skipif(not _encoder_available(), reason="glyph encoder weights not shipped")
def test_embeddings_small() -> None:
    from cjkglyph.glyph.similarity import embeddings, neighbours

    e = embeddings("未末我" + "\u3400" + EXT_B[0])
    assert e.dtype == np.float32 and e.shape[0] == 5
    assert np.allclose(np.linalg.norm(e[:4], axis=1), 1.0, atol=1e-5)
    assert not e[4].any()  # no glyph at all (U+20000 is atomic in IDS.TXT): a zero row
    assert e[0] @ e[1] > e[0] @ e[2]
    nb = neighbours("未末本木禾大天夫己已巳日曰目我", k=2)
    assert nb.get("己")[0][0] in "已巳"
    np.testing.assert_allclose(embeddings(list("未末")), e[:2], atol=1e-5)  # batch size may change float rounding


@pytest.mark.slow
@pytest.mark.skipif(not _encoder_available(), reason="glyph encoder weights not shipped")
def test_similar_over_uro() -> None:
    from cjkglyph.glyph.similarity import embeddings, similar

    small = embeddings("未末")
    out = similar("未", 10)  # computes and caches all URO embeddings
    assert len(out) == 10 and out[0][1] >= out[-1][1] and "未" not in [c for c, _ in out]
    assert "末" in [c for c, _ in out]
    assert np.allclose(embeddings("未末"), small, atol=1e-5)


def test_cli_png(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    out = tmp_path / "g.png"
    code, _, err = cli("glyph", "未末" + EXT_B[0], "日", "-o", str(out), "--size", "32")
    assert code == 0, err
    with Image.open(out) as im:
        im.verify()
    with Image.open(out) as im:
        grid = np.asarray(im.convert("L"))[2] < 250
        left = int(np.flatnonzero(grid)[0])  # a margin with each row's font name, then the grid
        assert im.format == "PNG" and left > 10 and im.width - left == 3 * 33 + 1 and im.height > 2 * 3 * 33
    code, _, _ = cli("glyph", "字", "--font", "kai", "-o", str(tmp_path / "k.png"))
    assert code == 0 and Image.open(tmp_path / "k.png").height == 24 + 2 + max(2, 24 // 4)


def test_cli_npy_json_text_coverage(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "a.npy"
    assert cli("glyph", "字形", "--format", "npy", "-o", str(out), "--size", "16")[0] == 0
    arr = np.load(out)
    assert arr.shape == (2, 3, 16, 16) and arr.dtype == np.float32
    assert np.array_equal(arr, render("字形", size=16))
    code, text, _ = cli("glyph", "字" + EXT_B[0], "--format", "json")
    data = json.loads(text)
    assert code == 0 and data["chars"][0]["drawn_by"] == {"song": "song", "hei": "hei", "kai": "kai"}
    assert set(data["chars"][1]["drawn_by"].values()) <= {None, "ids"}
    code, text, _ = cli("glyph", "日", "--format", "text", "--font", "hei", "--size", "12")
    assert code == 0 and len(text.splitlines()) == 13
    code, text, _ = cli("glyph", "--coverage")
    assert code == 0 and "uro" in text and "20992" in text
    code, text, _ = cli("glyph", "--coverage", "--format", "json", "--blocks", "ext-b")
    assert code == 0 and json.loads(text)["blocks"][0]["covered_any"] == 0
    assert cli("glyph", "x", "--font", "nope", "-o", str(tmp_path / "x.png"))[0] == 2
    assert cli("glyph", "x", "--size", "2", "-o", str(tmp_path / "x.png"))[0] == 2
    assert cli("glyph", "x" * 20_001, "-o", str(tmp_path / "x.png"))[0] == 2


def test_cli_hostile_lines(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "",
        "😀\u200d👩\u200d👧 family 👨🏽\u200d🚀",
        "\x00\x01\x07\x1b[31mred\x7f\x85\u2028\u2029",
        "e\u0301\u0308 combining",
        "עברית مرحبا RTL \u202e reversed",
        "\U00020000\U0002a700\U00030000\U00031350\U000323b0 ext",
        "\ufeffbom inside",
    ]
    src = tmp_path / "in.txt"
    src.write_bytes("\n".join(lines).encode("utf-8") + b"\r\n")
    code, out, err = cli("glyph", "-i", str(src), "--format", "json", "--size", "12")
    assert code == 0, err
    data = json.loads(out)
    assert len(data["chars"]) == sum(len(x) for x in lines[1:]) + len(lines[0])
    for row in data["chars"]:
        assert set(row["drawn_by"].values()) <= {"song", "hei", "kai", "ids", None}
    code, _, err = cli("glyph", "-i", str(src), "-o", str(tmp_path / "h.png"), "--size", "12")
    assert code == 0, err
    big = tmp_path / "big.txt"
    big.write_text("字" * 20_000 + "\n", encoding="utf-8")
    code, out, _ = cli("glyph", "-i", str(big), "--format", "json", "--size", "12")
    assert code == 0 and len(json.loads(out)["chars"]) == 20_000
