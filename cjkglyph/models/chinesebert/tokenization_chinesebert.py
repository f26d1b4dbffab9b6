"""ChineseBERT tokenizer: BERT WordPiece over ``vocab.txt`` plus ``pinyin_ids`` (batch, length, 8).

Loads, unchanged, a published checkpoint directory (``vocab.txt`` and
``config/pinyin_map.json``/``config/pinyin2tensor.json``), a ``chinesebert``
PyPI-package directory (the pinyin tables inside ``tokenizer_config.json``) or a
directory saved by :meth:`save_pretrained` (tables next to ``tokenizer.json``).
Pinyin rules: :mod:`cjkglyph.models.chinesebert.pinyin_features`.

>>> tok = ChineseBertTokenizer.from_pretrained("path/to/ChineseBERT-base")   # doctest: +SKIP
>>> enc = tok(["我爱银行", "行长"], padding=True, return_tensors="pt")         # doctest: +SKIP
>>> sorted(enc), enc["pinyin_ids"].shape                                      # doctest: +SKIP
(['attention_mask', 'input_ids', 'pinyin_ids', 'token_type_ids'], torch.Size([2, 6, 8]))

Only ``__call__`` adds ``pinyin_ids`` (``encode`` returns ids only); ``pad`` and
``DataCollatorWithPadding`` pad them with zero rows.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import BatchEncoding, BertTokenizerFast

from .pinyin_features import PINYIN_SOURCES, PinyinVocab, char_pinyin_ids, token_pinyin_ids

__all__ = ["ChineseBertTokenizer", "ChineseBertTokenizerFast"]

PINYIN_MAP_FILE = "pinyin_map.json"
PINYIN2TENSOR_FILE = "pinyin2tensor.json"
#: Where the published checkpoints keep their pinyin tables and glyph images.
PUBLISHED_CONFIG_DIR = "config"
_VOCAB_ARG = "vocab" in inspect.signature(BertTokenizerFast.__init__).parameters


class ChineseBertTokenizer(BertTokenizerFast):
    """BertTokenizerFast that also returns ChineseBERT ``pinyin_ids``.

    ``pinyin_source``: ``"pypinyin"`` (the published models' readings, default)
    or ``"cjkglyph"`` (cjkglyph's context-aware readings, for new models).
    """

    vocab_files_names = {
        **BertTokenizerFast.vocab_files_names,
        "pinyin_map_file": PINYIN_MAP_FILE,
        "pinyin2tensor_file": PINYIN2TENSOR_FILE,
    }
    model_input_names = ["input_ids", "token_type_ids", "attention_mask", "pinyin_ids"]

    def __init__(
        self,
        *args: Any,
        pinyin_map_file: str | None = None,
        pinyin2tensor_file: str | None = None,
        pinyin_map: dict | None = None,
        pinyin2tensor: dict | None = None,
        id2pinyin: dict | None = None,
        pinyin_source: str = "pypinyin",
        **kwargs: Any,
    ) -> None:
        from cjkglyph.errors import InputError

        if pinyin_source not in PINYIN_SOURCES:
            raise InputError(f"unknown pinyin_source {pinyin_source!r}: use one of {', '.join(PINYIN_SOURCES)}")
        if _VOCAB_ARG and not args and kwargs.get("vocab") is None and kwargs.get("vocab_file"):
            kwargs["vocab"] = kwargs["vocab_file"]  # transformers >= 5 builds from `vocab`, ignoring `vocab_file`
        super().__init__(*args, **kwargs)
        # id2pinyin.json (token id -> ids) is shipped but never read by the published code; neither is it here.
        self.pinyin_vocab = PinyinVocab.from_json(pinyin_map_file or pinyin_map, pinyin2tensor_file or pinyin2tensor)
        self.pinyin_source = pinyin_source
        self.init_kwargs["pinyin_source"] = pinyin_source

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> ChineseBertTokenizer:
        """Load a tokenizer directory; a published checkpoint's ``config/`` pinyin tables are found too."""
        root = Path(str(pretrained_model_name_or_path))
        if kwargs.get("subfolder"):
            root = root / kwargs["subfolder"]
        if root.is_dir():
            for key, name in (("pinyin_map_file", PINYIN_MAP_FILE), ("pinyin2tensor_file", PINYIN2TENSOR_FILE)):
                published = root / PUBLISHED_CONFIG_DIR / name
                if kwargs.get(key) is None and not (root / name).is_file() and published.is_file():
                    kwargs[key] = str(published)
        return super().from_pretrained(pretrained_model_name_or_path, *args, **kwargs)

    # ------------------------------------------------------------------ encoding

    def __call__(self, text: Any = None, text_pair: Any = None, *args: Any, **kwargs: Any) -> BatchEncoding:
        if text is None:
            return super().__call__(text, text_pair, *args, **kwargs)
        return_tensors = kwargs.pop("return_tensors", None)
        want_offsets = kwargs.pop("return_offsets_mapping", False)
        enc = super().__call__(text, text_pair, *args, return_offsets_mapping=True, **kwargs)
        split = bool(kwargs.get("is_split_into_words", False))
        enc["pinyin_ids"] = self._pinyin_ids(enc, text, text_pair, split)
        if not want_offsets:
            del enc["offset_mapping"]
        ids = enc["input_ids"]
        batched = len(ids) > 0 and isinstance(ids[0], (list, tuple))
        enc.convert_to_tensors(tensor_type=return_tensors, prepend_batch_axis=not batched)
        return enc

    def _char_ids(self, text: Any, split: bool) -> tuple[tuple[Any, ...], list[int] | None]:
        """Per-character ids of one input (words joined when pre-split) and each word's start."""
        if text is None:
            return (), None
        if split:
            words = list(text)
            starts, pos = [], 0
            for w in words:
                starts.append(pos)
                pos += len(w)
            return char_pinyin_ids("".join(words), self.pinyin_vocab, self.pinyin_source), starts
        return char_pinyin_ids(text, self.pinyin_vocab, self.pinyin_source), None

    def _pinyin_ids(self, enc: BatchEncoding, text: Any, text_pair: Any, split: bool) -> list[Any]:
        batched_input = not isinstance(text, str) and not (split and text and isinstance(text[0], str))
        texts: Sequence[Any] = text if batched_input else [text]
        pairs: Sequence[Any] = (text_pair if batched_input else [text_pair]) if text_pair is not None else [None] * len(texts)
        sources = [(self._char_ids(t, split), self._char_ids(p, split)) for t, p in zip(texts, pairs, strict=True)]

        offsets = enc["offset_mapping"]
        ids = enc["input_ids"]
        single_row = not (batched_input and len(ids) == 0) and not (len(ids) > 0 and isinstance(ids[0], (list, tuple)))
        rows = [offsets] if single_row else list(offsets)
        mapping = enc.get("overflow_to_sample_mapping")
        width = self.pinyin_vocab.width
        out: list[list[list[int]]] = []
        for i, row in enumerate(rows):
            sample = mapping[i] if mapping is not None else (i if batched_input else 0)
            seq_ids = enc.sequence_ids(i)
            word_ids = enc.word_ids(i) if split else None
            row_ids: list[list[int]] = []
            for j, (start, end) in enumerate(row):
                seq = seq_ids[j]
                if seq is None:  # [CLS], [SEP], padding
                    row_ids.append([0] * width)
                    continue
                chars, starts = sources[sample][seq]
                base = starts[word_ids[j]] if starts is not None and word_ids is not None and word_ids[j] is not None else 0
                row_ids.extend(token_pinyin_ids(chars, [(start, end)], width, base))
            out.append(row_ids)
        return out[0] if single_row else out

    def _pad(self, encoded_inputs: Any, *args: Any, **kwargs: Any) -> Any:
        pinyin = encoded_inputs.get("pinyin_ids")
        out = super()._pad(encoded_inputs, *args, **kwargs)
        if pinyin is None:
            return out
        pinyin = [list(r) for r in pinyin]
        missing = len(out[self.model_input_names[0]]) - len(pinyin)
        if missing > 0:
            pad = [[0] * self.pinyin_vocab.width for _ in range(missing)]
            side = kwargs.get("padding_side") or self.padding_side
            pinyin = pad + pinyin if side == "left" else pinyin + pad
        out["pinyin_ids"] = pinyin
        return out

    # ------------------------------------------------------------------ saving

    def _save_pretrained(
        self,
        save_directory: str | os.PathLike[str],
        file_names: tuple[str, ...],
        legacy_format: bool | None = None,
        filename_prefix: str | None = None,
    ) -> tuple[str, ...]:
        files = tuple(
            super()._save_pretrained(save_directory, file_names, legacy_format=legacy_format, filename_prefix=filename_prefix)
        )
        prefix = f"{filename_prefix}-" if filename_prefix else ""
        extra: list[str] = []
        vocab_path = Path(save_directory, prefix + "vocab.txt")
        if not vocab_path.exists():  # transformers 5 writes tokenizer.json only; keep the plain-BERT file too
            vocab = sorted(self.get_vocab().items(), key=lambda kv: kv[1])
            vocab_path.write_text("".join(f"{tok}\n" for tok, _ in vocab), encoding="utf-8")
            extra.append(str(vocab_path))
        if not self.pinyin_vocab.is_builtin:
            pmap, table = self.pinyin_vocab.to_json()
            for name, data in ((PINYIN_MAP_FILE, pmap), (PINYIN2TENSOR_FILE, table)):
                if data is not None:
                    path = Path(save_directory, prefix + name)
                    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
                    extra.append(str(path))
        return files + tuple(extra)


#: The class name the issue and the ``chinesebert`` package use.
ChineseBertTokenizerFast = ChineseBertTokenizer
