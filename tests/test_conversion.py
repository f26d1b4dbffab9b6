from __future__ import annotations

import pytest

from cjkglyph.conversion import convert, targets
from cjkglyph.errors import InputError


@pytest.mark.parametrize(
    ("text", "to", "expected"),
    [
        ("头发", "traditional", "頭髮"),
        ("著作權", "simplified", "著作权"),
        ("软件", "taiwan", "軟體"),
        ("头发", "hongkong", "頭髮"),
        ("", "traditional", ""),
        ("abc 😀 \x00", "traditional", "abc 😀 \x00"),
    ],
)
def test_scripts(text: str, to: str, expected: str) -> None:
    assert convert(text, to) == expected


def test_source_variant() -> None:
    assert convert("軟體", "simplified", source="taiwan") == "软件"


def test_errors() -> None:
    assert "simplified" in targets()
    with pytest.raises(InputError, match="unknown conversion target"):
        convert("x", "klingon")
    with pytest.raises(InputError):
        convert("x", None, source="klingon")
