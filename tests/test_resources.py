from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cjkglyph import resources
from cjkglyph.errors import ResourceError


def test_data_and_fonts_found() -> None:
    assert resources.data_path("LICENSES.md").is_file()
    for name in resources.FONTS:
        assert resources.font_path(name).is_file()


def test_missing_data_names_file_and_fix() -> None:
    with pytest.raises(ResourceError) as e:
        resources.data_path("nope", "missing.bin")
    msg = str(e.value)
    assert "data/nope/missing.bin" in msg and "CJKGLYPH_DATA" in msg and "\n" not in msg


def test_unknown_font() -> None:
    with pytest.raises(ResourceError, match="unknown font"):
        resources.font_path("no-such-font")


def test_user_font_path() -> None:
    path = resources.font_path("kai")
    assert resources.font_path(str(path)) == path


def test_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "extra.txt").write_text("x")
    monkeypatch.setenv("CJKGLYPH_DATA", str(tmp_path))
    assert resources.data_path("extra.txt") == tmp_path / "extra.txt"
    # shipped files are still found behind the override
    assert resources.data_path("LICENSES.md").is_file()


def test_cache_dir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CJKGLYPH_CACHE", str(tmp_path / "c"))
    assert resources.cache_dir("sub") == tmp_path / "c" / "sub"
    assert (tmp_path / "c" / "sub").is_dir()


def test_cached_array_builds_once_and_recovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CJKGLYPH_CACHE", str(tmp_path))
    calls = []

    def build() -> np.ndarray:
        calls.append(1)
        return np.arange(10, dtype=np.int32)

    a = resources.cached_array("t", "k1", build)
    b = resources.cached_array("t", "k1", build)
    assert len(calls) == 1
    assert np.array_equal(a, b) and isinstance(b, np.memmap)
    (tmp_path / "t-k1.npy").write_bytes(b"garbage")
    c = resources.cached_array("t", "k1", build)
    assert len(calls) == 2 and np.array_equal(c, np.arange(10))


def test_file_digest_changes(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"a")
    d1 = resources.file_digest(p)
    p.write_bytes(b"bb")
    assert resources.file_digest(p) != d1


def test_atomic_write_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), resources.atomic_write(target) as f:
        f.write(b"partial")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
