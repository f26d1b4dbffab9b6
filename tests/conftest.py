from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CJKGLYPH_SHARED", REPO.parent / "shared"))


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Keep tests from reading or polluting the user's cache unless CJKGLYPH_CACHE is set; removed at the end."""
    if "CJKGLYPH_CACHE" in os.environ:
        yield
        return
    path = tmp_path_factory.mktemp("cjkglyph-cache")
    os.environ["CJKGLYPH_CACHE"] = str(path)
    yield
    del os.environ["CJKGLYPH_CACHE"]
    shutil.rmtree(path, ignore_errors=True)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (status, stdout, stderr)."""
    from cjkglyph.cli import main

    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse usage errors and --help
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    return lambda *argv: run_cli(capsys, *argv)


PYTHON = sys.executable
