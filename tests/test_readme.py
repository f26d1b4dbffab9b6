"""The README's examples are what the program does: every console example runs and prints what it shows,
every Python example line evaluates to the value in its comment (so no number in them can go stale)."""

from __future__ import annotations

import ast
import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import run_cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _console_examples() -> list[tuple[list[str], list[str]]]:
    """(argv, expected stdout lines) of every ``$ cjkglyph ...`` line of the console blocks."""
    examples: list[tuple[list[str], list[str]]] = []
    for block in _blocks("console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                command = re.split(r"\s{2,}#", line[2:])[0]
                argv = shlex.split(command)
                assert argv[0] == "cjkglyph", line
                examples.append((argv[1:], []))
            elif examples:
                examples[-1][1].append(line)
    return examples


@pytest.mark.parametrize("argv,expected", _console_examples(), ids=lambda v: " ".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else None)
def test_console_example(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: list[str]) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)  # examples that write files write them here
    try:
        code, out, err = run_cli(capsys, *argv)
    finally:
        os.chdir(cwd)
    assert code == 0, err
    if expected:
        assert out.splitlines() == expected


def _python_lines() -> list[tuple[str, str | None]]:
    """(expression, expected literal or None) of the README's first Python block (the one without transformers)."""
    block = next(b for b in _blocks("python") if "transformers" not in b)
    lines: list[tuple[str, str | None]] = []
    for line in block.splitlines():
        if not line.strip() or line.startswith("import "):
            continue
        code, _, comment = line.partition("  #")
        comment = comment.strip()
        try:
            ast.literal_eval(comment)
            lines.append((code.strip(), comment))
        except (ValueError, SyntaxError):
            lines.append((code.strip(), None))
    return lines


@pytest.mark.parametrize("expression,expected", _python_lines(), ids=lambda v: v[:40] if isinstance(v, str) else None)
def test_python_example(expression: str, expected: str | None) -> None:
    import cjkglyph

    value = eval(expression, {"cjkglyph": cjkglyph})  # noqa: S307 - the README's own examples
    if expected is not None:
        assert value == ast.literal_eval(expected)


def test_cli_and_api_agree_on_the_readme_ids_example(capsys: pytest.CaptureFixture[str]) -> None:
    import cjkglyph

    code, out, _ = run_cli(capsys, "ids", "--containing", "氵", "--position", "left")
    assert code == 0
    assert "".join(out.split()) == "".join(cjkglyph.ids.containing("氵", position="left"))
