from __future__ import annotations

import json

import pytest

import cjkglyph
from cjkglyph.errors import InputError
from cjkglyph.pipelines import Pipeline, register_task


def test_conversion_pipeline() -> None:
    p = cjkglyph.pipeline("conversion", to="traditional")
    assert p("头发") == {"text": "头发", "output": "頭髮"}
    out = p(["头发", "", "银行"])
    assert [r["output"] for r in out] == ["頭髮", "", "銀行"]
    json.dumps(out)


def test_unknown_task() -> None:
    with pytest.raises(InputError, match="unknown task"):
        cjkglyph.pipeline("nope")


def test_non_str_input() -> None:
    p = cjkglyph.pipeline("conversion", to="simplified")
    with pytest.raises(TypeError, match="input 1"):
        p(["a", 3])  # type: ignore[list-item]


def test_register_task() -> None:
    class Upper(Pipeline):
        task = "upper"

        def batch(self, texts: list[str]) -> list[dict[str, str]]:
            return [{"text": t.upper()} for t in texts]

    register_task("upper-test", Upper)
    assert "upper-test" in cjkglyph.available_tasks()
    assert cjkglyph.pipeline("upper-test")("ab") == {"text": "AB"}


def test_public_api() -> None:
    for name in cjkglyph.__all__:
        assert getattr(cjkglyph, name) is not None
    with pytest.raises(AttributeError):
        cjkglyph.nope  # noqa: B018
