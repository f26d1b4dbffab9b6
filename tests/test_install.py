"""A light, honest install (issue 17): no torch in the core, one-line errors naming the extra that is missing,
prebuilt tables so first runs build nothing, notices for builds that still happen, progress that counts work,
data-needing scripts that say what they need, and the papercuts."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO, run_cli

def _pyproject() -> dict:  # type: ignore[type-arg]
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


BLOCK_TORCH = "import sys\nfor m in ('torch', 'transformers', 'accelerate'):\n    sys.modules[m] = None\n"


def _python(code: str, *, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=full, cwd=REPO)


# --------------------------------------------------------------------------- dependencies


def test_core_dependencies_have_no_torch() -> None:
    project = _pyproject()["project"]
    core = " ".join(project["dependencies"])
    assert "torch" not in core and "transformers" not in core and "onnxruntime" in core
    extras = project["optional-dependencies"]
    assert any(d.startswith("torch") for d in extras["models"]) and any(d.startswith("transformers") for d in extras["models"])
    assert "cjkglyph[models]" in extras["train"] and any(d.startswith("accelerate") for d in extras["train"])
    assert any(d.startswith("pytest") for d in extras["test"])


@pytest.mark.slow
def test_core_commands_run_without_torch() -> None:
    code = BLOCK_TORCH + (
        "from cjkglyph.cli import main\n"
        "for argv in (['similar', '圆', '-k', '3'], ['check', '我们今天去公圆玩'], ['abbrev', 'bhys'], ['pinyin', '银行'],\n"
        "             ['ids', '好'], ['convert', '--to', 'wubi', '你好'], ['tokenize', '你好']):\n"
        "    assert main(argv) == 0, argv\n"
    )
    r = _python(code)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "园" in r.stdout and "我们今天去公园玩" in r.stdout


def test_missing_torch_is_one_line_with_the_pip_command(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    r = _python(BLOCK_TORCH + f"from cjkglyph.cli import main\nsys.exit(main(['check', '--model', {str(tmp_path)!r}, '我们']))\n")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'cjkglyph[models]'" in lines[0] and "Traceback" not in r.stderr


def test_missing_torch_in_the_api() -> None:
    code = BLOCK_TORCH + (
        "from cjkglyph.errors import MissingDependency, require\n"
        "from cjkglyph.glyph.encoder import load_encoder\n"
        "for call in (lambda: require('torch', 'x'), load_encoder):\n"
        "    try:\n"
        "        call()\n"
        "    except MissingDependency as e:\n"
        "        assert \"pip install 'cjkglyph[models]'\" in str(e) and e.exit_code == 2, e\n"
        "    else:\n"
        "        raise AssertionError('no error')\n"
    )
    r = _python(code)
    assert r.returncode == 0, r.stderr[-2000:]


def test_graph_over_a_new_vocabulary_needs_no_torch() -> None:
    code = BLOCK_TORCH + (
        "from cjkglyph.graph.similarity import build_graph\n"
        "from cjkglyph.glyph.similarity import similarity_matrix\n"
        "g = build_graph('在再己已门们')\n"
        "assert g.confusion_set('在', 1) == ['再'], g.confusion_set('在', 3)\n"
        "assert similarity_matrix('未末', method='embedding')[0, 1] > 0.5\n"
    )
    r = _python(code)
    assert r.returncode == 0, r.stderr[-2000:]


def test_glyph_runtime_matches_the_weights() -> None:
    torch = pytest.importorskip("torch")
    from cjkglyph.glyph import render
    from cjkglyph.glyph.encoder import embed_images, load_encoder, load_runtime

    torch.set_num_threads(1)
    images = render("未末己已巳永", ("song", "hei", "kai"), 24)
    assert np.abs(embed_images(load_runtime(), images) - embed_images(load_encoder()[0], images)).max() < 1e-5


def test_cli_turns_any_missing_optional_module_into_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import cjkglyph.cli.convert as convert

    def boom(args: object) -> int:
        raise ModuleNotFoundError("No module named 'transformers'", name="transformers")

    monkeypatch.setattr(convert, "run", boom)
    code, out, err = run_cli(capsys, "convert", "--to", "traditional", "头发")
    assert code == 2 and out == "" and "pip install 'cjkglyph[models]'" in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- first runs


def test_prebuilt_tables_fill_an_empty_cache_without_building(tmp_path: Path) -> None:
    code = (
        "import cjkglyph.resources as R\n"
        "def fail(what, usually=None):\n"
        "    raise AssertionError('built ' + what)\n"
        "R.building = fail\n"
        "from cjkglyph.graph.similarity import default_graph\n"
        "from cjkglyph.lexicon import default_lexicon\n"
        "from cjkglyph.spelling.words import default_word_table\n"
        "g = default_graph(); default_lexicon(); default_word_table()\n"
        "assert g.similar('圆', k=1)[0].char == '园'\n"
    )
    r = _python(code, env={"CJKGLYPH_CACHE": str(tmp_path)})
    assert r.returncode == 0, "a prebuilt table is stale: rerun scripts/build_prebuilt.py\n" + r.stderr[-2000:]
    assert any(p.name.startswith("simgraph-nbr-") for p in tmp_path.iterdir())


def test_prebuilt_round_trip_and_key(tmp_path: Path) -> None:
    from cjkglyph.resources import read_prebuilt, write_prebuilt

    arrays = {
        "nbr": np.array([[3, -1], [27583, 0]], dtype=np.int32),
        "score": np.array([[0.5, 0.25], [1.0, 0.0]], dtype=np.float16),
        "flag": np.array([True, False, True]),
        "keys": np.array([b"ab", b"xyz"], dtype="S12"),
        "names": np.array(["zhang", "lv"], dtype="U8"),
        "hash": np.array([2**64 - 1, 7], dtype=np.uint64),
        "empty": np.zeros((0, 3), dtype=np.int64),
    }
    path = tmp_path / "group.npz"
    write_prebuilt(path, "k1", arrays)
    for name, a in arrays.items():
        b = read_prebuilt(path, "k1", name)
        assert b is not None and b.dtype == a.dtype and b.shape == a.shape and (a == b).all(), name
    assert read_prebuilt(path, "k2", "nbr") is None
    assert read_prebuilt(path, "k1", "missing") is None


def test_prebuilt_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from cjkglyph import resources

    monkeypatch.setenv("CJKGLYPH_PREBUILT", "0")
    assert resources._prebuilt("simgraph-nbr", "anything") is None


def test_slow_build_says_what_it_builds(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from cjkglyph import resources

    monkeypatch.setattr(resources, "NOTICE_AFTER", 0.0)
    monkeypatch.setenv("CJKGLYPH_CACHE", str(tmp_path))
    monkeypatch.setenv("CJKGLYPH_PREBUILT", "0")
    resources.set_quiet(False)

    def slow() -> np.ndarray:
        time.sleep(0.3)
        return np.arange(3)

    resources.cached_array("lexicon-test", "k", slow, what="a test table", usually="a moment")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "building a test table" in err and "usually a moment" in err
    resources.cached_array("lexicon-test", "k2", slow)  # no description given: named after the cache table
    assert "the word lexicon" in capsys.readouterr().err
    resources.set_quiet(True)
    resources.cached_array("lexicon-test", "k3", slow)
    assert capsys.readouterr().err == ""
    resources.set_quiet(False)


def test_quiet_flag_on_every_command() -> None:
    from cjkglyph.cli import build_parser

    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():  # type: ignore[union-attr]
        assert sub._option_string_actions["-q"].dest == "quiet", name


# --------------------------------------------------------------------------- progress


def test_progress_counts_characters_done_inside_one_long_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from cjkglyph.cli import _io
    from cjkglyph.spelling import corrector

    line = "我们今天去公圆玩，天气很好。" * 40
    path = tmp_path / "long.txt"
    path.write_text(line + "\n短句\n", encoding="utf-8")
    updates: list[int] = []

    class Bar:
        def update(self, n: int) -> None:
            updates.append(n)

        def close(self) -> None:
            pass

    real = _io._progress_bar
    monkeypatch.setattr(_io, "_progress_bar", lambda args: Bar())
    monkeypatch.setattr(corrector, "BATCH_CHUNKS", 2)
    code, out, _ = run_cli(capsys, "check", "-i", str(path), "--progress", "--jobs", "1")
    assert code == 0 and out.splitlines()[0].startswith("我们今天去公园玩")
    assert len(updates) > 3  # movement inside the long line, not one jump per batch of lines
    assert sum(updates) == len(line) + 1 + len("短句") + 1
    monkeypatch.setattr(_io, "_progress_bar", real)

    class Args:
        input, text, progress = str(path), [], True

    bar = real(Args())  # type: ignore[arg-type]
    assert bar.total == len(line) + 4
    bar.close()
    capsys.readouterr()


# --------------------------------------------------------------------------- data for scripts

DATA_SCRIPTS = [
    ("examples/train_spellgcn.py", "--bench"),
    ("examples/finetune_chinesebert.py", "--corpus"),
    ("benchmarks/bench_spellcheck.py", None),
    ("benchmarks/make_native_proxy.py", "--shared"),
    ("benchmarks/bench_abbrev.py", "--data"),
    ("benchmarks/bench_pinyin.py", None),
    ("benchmarks/bench_lm.py", "--data"),
    ("benchmarks/bench_graph.py", "--shared"),
    ("benchmarks/bench_subchar.py", "--shared"),
    ("benchmarks/bench_glyph_similarity.py", "--shared"),
    ("benchmarks/bench_chinesebert.py", "--corpus"),
    ("scripts/build_lm.py", "--corpus"),
    ("scripts/train_graph.py", "--shared"),
    ("scripts/train_spellcheck.py", "--shared"),
]


@pytest.mark.parametrize("script,option", DATA_SCRIPTS)
def test_missing_data_is_one_line_pointing_to_data_md(script: str, option: str | None, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    extra = ["--out", str(tmp_path / "out")] if script.endswith("train_spellgcn.py") else []
    extra += [str(tmp_path / "out.tsv")] if script.endswith("make_native_proxy.py") else []
    argv = [sys.executable, str(REPO / script), *([option, missing] if option else [missing]), *extra]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 2, r.stderr[-2000:]
    assert len(r.stderr.strip().splitlines()) == 1 and "DATA.md" in r.stderr and "Traceback" not in r.stderr
    assert (REPO / "DATA.md").is_file()


# --------------------------------------------------------------------------- one default for the CLI and the API


def test_cli_and_api_defaults_agree() -> None:
    import cjkglyph
    import cjkglyph.ids as ids
    from cjkglyph.abbrev import AbbreviationDecoder
    from cjkglyph.cli import build_parser
    from cjkglyph.pinyin import pinyin
    from cjkglyph.pipelines.tokenization import SubCharPipeline

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]

    def cli(command: str, dest: str) -> object:
        return next(a.default for a in commands[command]._actions if a.dest == dest)

    def api(fn: object, param: str) -> object:
        return inspect.signature(fn).parameters[param].default  # type: ignore[arg-type]

    pairs = [
        (cli("ids", "region"), api(ids.ids, "region")),
        (cli("ids", "region"), api(ids.containing, "region")),
        (cli("ids", "region"), api(ids.structure, "region")),
        (cli("similar", "k"), api(cjkglyph.similar, "k")),
        (cli("similar", "kind"), api(cjkglyph.similar, "kind")),
        (cli("pinyin", "style"), api(pinyin, "style")),
        (cli("glyph", "size"), api(cjkglyph.glyph.render, "size")),
        (cli("abbrev", "k"), api(AbbreviationDecoder.decode, "k")),
        (cli("tokenize", "scheme"), api(SubCharPipeline.__init__, "scheme")),
    ]
    for c, a in pairs:
        assert c == a


# --------------------------------------------------------------------------- papercuts


@pytest.mark.parametrize("suffix,magic", [(".jpg", b"\xff\xd8\xff"), (".png", b"\x89PNG"), (".webp", b"RIFF"), (".bmp", b"BM")])
def test_glyph_image_format_follows_the_suffix(cli, tmp_path: Path, suffix: str, magic: bytes) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"g{suffix}"
    code, _, err = cli("glyph", "未末", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(magic)


def test_glyph_refuses_an_unknown_suffix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("glyph", "未", "-o", str(tmp_path / "g.xyz"))
    assert code == 2 and ".png" in err and not (tmp_path / "g.xyz").exists()


def test_glyph_rows_are_labelled(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    out = tmp_path / "g.png"
    assert cli("glyph", "未", "-o", str(out), "--size", "32")[0] == 0
    img = np.asarray(Image.open(out).convert("L"))
    grid_left = int(np.flatnonzero(img[2] < 250)[0])  # the first grid line
    assert grid_left > 10  # a margin for the labels ...
    margin = img[:, :grid_left]
    rows = [margin[f * 33 + 1 : (f + 1) * 33] for f in range(3)]
    assert all((r < 128).any() for r in rows)  # ... with writing beside each font's row


def test_utf16_input_gets_a_hint(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "u16.txt"
    path.write_bytes("我们\n".encode("utf-16"))
    code, _, err = cli("pinyin", "-i", str(path))
    assert code == 2 and "UTF-16" in err and "iconv" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("value", [None, 3, b"bytes"])
def test_pipeline_rejects_non_text_in_one_line(value: object) -> None:
    import cjkglyph
    from cjkglyph.errors import CjkglyphError

    with pytest.raises(TypeError) as info:
        cjkglyph.pipeline("pinyin")(value)  # type: ignore[arg-type]
    assert isinstance(info.value, CjkglyphError) and "expected a str or a list of str" in str(info.value)


def test_tokenizer_train_help_keeps_its_layout(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("tokenizer", "train", "--help")
    assert code == 0
    assert "\n    cjkglyph tokenizer train --scheme wubi" in out


def test_candidates_never_change_the_script() -> None:
    from cjkglyph.spelling.candidates import SRC_USER, CandidateTable, build_candidate_table, script_changes

    table = CandidateTable.load()
    assert "們" in table.candidates("们")  # the graph has it ...
    built = build_candidate_table(table)
    assert "們" not in built.candidates("们") and "们" not in built.candidates("們")  # ... the checker never proposes it
    assert built.candidates("圆")[:3] == table.candidates("圆")[:3]
    with_user = build_candidate_table(table, user_pairs=[("们", "們")])
    assert "們" in with_user.candidates("们")  # unless the user asks for it
    mask = script_changes(CandidateTable.from_pairs([("们", "們"), ("圆", "园")], src=SRC_USER))
    assert not mask.any()


def test_keep_handles_empty_rows() -> None:
    from cjkglyph.spelling.candidates import CandidateTable

    t = CandidateTable.from_pairs([("a", "b"), ("a", "c"), ("d", "e")])
    kept = t.keep(np.array([False, False, True]))
    assert kept.candidates("a") == [] and kept.candidates("d") == ["e"]
    assert t.keep(np.zeros(3, dtype=bool)).candidates("d") == []


def test_passing_tests_leave_no_temporary_directories() -> None:
    ini = _pyproject()["tool"]["pytest"]["ini_options"]
    assert ini["tmp_path_retention_policy"] == "failed"
