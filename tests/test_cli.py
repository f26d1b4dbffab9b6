from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cjkglyph.cli import COMMANDS, build_parser

HOSTILE = [
    "",
    "😀‍👩‍👧 family 👨🏽‍🚀",
    "\x00\x01\x07\x1b[31mred\x7f\x85\u2028\u2029",
    "e\u0301\u0308 combining",
    "עברית مرحبا RTL \u202e reversed",
    "\U00020000\U0002a700\U00030000\U00031350\U000323b0 ext",
    "\ufeffbom inside",
    "字" * 200_000,
]


def test_convert_text(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("convert", "--to", "traditional", "头发") == (0, "頭髮\n", "")
    assert cli("convert", "--to", "simplified", "著作權")[1] == "著作权\n"


def test_convert_json_single_and_many(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("convert", "--to", "traditional", "--format", "json", "头发")
    assert code == 0 and json.loads(out) == {"text": "头发", "output": "頭髮"}
    code, out, _ = cli("convert", "--to", "traditional", "--format", "json", "头", "发")
    assert [r["output"] for r in json.loads(out)] == ["頭", "發"]


def test_convert_tsv(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("convert", "--to", "traditional", "--format", "tsv", "头发", "a\tb")
    assert out.splitlines() == ["text\toutput", "头发\t頭髮", "a\\tb\ta\\tb"]


def test_jsonl_file_order_and_count(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.txt"
    lines = [f"第{i}行头发" if i % 7 else "" for i in range(100_000)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dst = tmp_path / "out.jsonl"
    code, out, err = cli("convert", "--to", "traditional", "-i", str(src), "-o", str(dst), "--format", "jsonl")
    assert code == 0 and out == "" and err == ""
    rows = dst.read_text(encoding="utf-8").split("\n")
    assert rows[-1] == ""
    rows = rows[:-1]
    assert len(rows) == 100_000
    for i in (0, 1, 7, 99_999):
        rec = json.loads(rows[i])
        assert rec["text"] == lines[i]
        assert rec["output"] == lines[i].replace("头发", "頭髮")


def test_hostile_lines_processed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "in.txt"
    src.write_bytes("\n".join(HOSTILE).encode("utf-8") + b"\r\n")
    code, out, err = cli("convert", "--to", "simplified", "-i", str(src), "--format", "jsonl")
    assert code == 0, err
    recs = [json.loads(line) for line in out.split("\n")[:-1]]
    assert [r["text"] for r in recs] == [h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(HOSTILE)]
    assert recs[-1]["output"] == "字" * 200_000


def test_invalid_utf8_names_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "bad.txt"
    src.write_bytes(b"ok\nfine\nbad \xff\xfe here\n")
    code, out, err = cli("convert", "--to", "traditional", "-i", str(src))
    assert code == 2
    assert "line 3" in err and "invalid UTF-8" in err and err.count("\n") == 1
    code, out, err = cli("convert", "--to", "traditional", "-i", str(src), "--errors", "replace")
    assert code == 0 and out.splitlines() == ["ok", "fine", "bad \ufffd\ufffd here"]


def test_unreadable_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("convert", "--to", "traditional", "-i", str(tmp_path / "missing.txt"))
    assert code == 2 and "cannot read" in err and err.count("\n") == 1
    code, _, err = cli("convert", "--to", "traditional", "-i", str(tmp_path))
    assert code == 2 and err.count("\n") == 1


def test_unwritable_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli("convert", "--to", "traditional", "-o", str(tmp_path / "no" / "dir" / "x"), "头")
    assert code == 2 and "cannot write" in err


def test_usage_errors_are_one_line(cli) -> None:  # type: ignore[no-untyped-def]
    for argv in (["convert", "--to", "klingon", "x"], ["convert", "x"], ["nope"], ["convert", "--bogus"]):
        code, out, err = cli(*argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and "Traceback" not in err, (argv, err)


def test_text_and_input_conflict(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "x.txt"
    f.write_text("a\n")
    code, _, err = cli("convert", "--to", "traditional", "-i", str(f), "text")
    assert code == 2 and "not both" in err


def test_parser_is_separate_from_running() -> None:
    parser = build_parser()
    args = parser.parse_args(["convert", "--to", "taiwan", "--format", "jsonl", "-i", "f.txt"])
    assert (args.command, args.to, args.format, args.input) == ("convert", "taiwan", "jsonl", "f.txt")
    assert "convert" in COMMANDS


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cjkglyph", *args], input=stdin, capture_output=True, timeout=120)


def test_python_m_and_stdin() -> None:
    r = _run("convert", "--to", "traditional", stdin="头发\n\n银行\n".encode())
    assert r.returncode == 0 and r.stdout.decode() == "頭髮\n\n銀行\n"
    r = _run("convert", "--to", "traditional", "-i", "-", stdin=b"a\n\xc3(\n")
    assert r.returncode == 2 and b"line 2" in r.stderr and b"Traceback" not in r.stderr


def test_invalid_utf8_argument() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "cjkglyph", "convert", "--to", "traditional", b"\xff\xfe".decode("utf-8", "surrogateescape")],
        capture_output=True,
        timeout=120,
    )
    assert r.returncode == 2 and b"argument 1" in r.stderr


def test_help_imports_no_models() -> None:
    code = (
        "import sys\n"
        "from cjkglyph.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "for sub in " + repr(list(COMMANDS)) + ":\n"
        "    try:\n        main([sub, '--help'])\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'jieba', 'pypinyin') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()


@pytest.mark.parametrize("argv", [["convert", "--to", "traditional", "头发"]])
def test_convert_does_not_import_torch(argv: list[str]) -> None:
    code = f"import sys\nfrom cjkglyph.cli import main\nmain({argv!r})\nassert 'torch' not in sys.modules\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
