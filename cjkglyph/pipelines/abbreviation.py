"""Task ``abbreviation``: pinyin abbreviations decoded in context (:class:`cjkglyph.abbrev.AbbreviationDecoder`)."""

from __future__ import annotations

from typing import Any

from ..abbrev import AbbreviationDecoder, default_decoder
from .base import Pipeline

__all__ = ["AbbreviationPipeline"]


class AbbreviationPipeline(Pipeline):
    """Pipeline task ``"abbreviation"``: one :meth:`AbbreviationDecoder.decode` dict per text.

    Options: ``k`` (candidates per line), ``model`` (a local masked-LM or
    CNMBert directory used for neural re-ranking), ``keep_english``, ``keep``
    (words to leave alone), ``lm`` and the other :class:`AbbreviationDecoder` fields.

    >>> import cjkglyph
    >>> pipe = cjkglyph.pipeline("abbreviation", k=3)            # doctest: +SKIP
    >>> pipe("yyds")["candidates"][0]["text"]                   # doctest: +SKIP
    '永远的神'
    """

    task = "abbreviation"

    def __init__(self, k: int = 10, model: str | None = None, device: str | None = None, **options: Any) -> None:
        self.k = k
        if model is not None:
            from ..abbrev.neural import load_reranker

            options["reranker"] = load_reranker(model, device=device)
        self.decoder = AbbreviationDecoder(**options) if options else default_decoder()

    def batch(self, texts: list[str]) -> list[dict[str, Any]]:
        return self.decoder.decode_batch(texts, self.k)
