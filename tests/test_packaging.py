"""The wheel and sdist carry data/ and fonts/, and an installed wheel finds them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("dist")
    yield _build(out)
    shutil.rmtree(out, ignore_errors=True)  # ~200 MB of wheel and sdist


def _build(out: Path) -> Path:
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return out


def test_wheel_and_sdist_contents(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cjkglyph/_shipped/data/LICENSES.md" in names
    assert "cjkglyph/_shipped/fonts/CJKGlyphKai-Regular.subset.ttf" in names
    assert "cjkglyph/py.typed" in names
    assert {"cjkglyph/_shipped/data/prebuilt/simgraph.npz", "cjkglyph/_shipped/data/glyph/glyph_encoder.onnx"} <= names
    (sdist,) = dist.glob("*.tar.gz")
    members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
    assert {"data/LICENSES.md", "fonts/NotoSansCJKsc-Regular.subset.otf", "LICENSE", "pyproject.toml", "DATA.md"} <= members


def test_installed_wheel_finds_fonts_and_data(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # only the wheel may provide cjkglyph
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    py = bindir / "python"
    purelib = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    # Dependencies come from this test environment; cjkglyph itself only from the wheel.
    (purelib / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        timeout=600,
    )
    check = (
        "import cjkglyph, pathlib\n"
        "from cjkglyph.resources import data_path, font_path\n"
        "root = pathlib.Path(cjkglyph.__file__).parent\n"
        "assert str(root).startswith(%r), root\n"
        "assert data_path('LICENSES.md').is_relative_to(root)\n"
        "assert font_path('kai').is_relative_to(root)\n"
    ) % str(venv)
    r = subprocess.run([str(py), "-c", check], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(
        [str(bindir / "cjkglyph"), "convert", "--to", "traditional", "头发"], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env
    )
    assert r.returncode == 0 and r.stdout == "頭髮\n", r.stderr
    # a command that needs a font and one that needs a data file
    png = tmp_path / "g.png"
    r = subprocess.run([str(bindir / "cjkglyph"), "glyph", "字", "-o", str(png)], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert r.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", r.stderr
    r = subprocess.run([str(bindir / "cjkglyph"), "convert", "--to", "ids", "好"], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert r.returncode == 0 and r.stdout == "⿰女子\n", r.stderr
