"""SubChar tokenizers: a Unigram subword vocabulary learned on sub-character encoded text.

Text is first rewritten by :func:`cjkglyph.subchar.encode` (Wubi, Cangjie,
stroke, pinyin or zhuyin codes, each followed by ``_``), then split into
subword pieces by a `tokenizers <https://github.com/huggingface/tokenizers>`_
Unigram model; a piece may cover part of one character's code or the codes of
several characters. Characters missing from the vocabulary fall back to UTF-8
byte pieces (``<0xE4>``), so nothing becomes ``[UNK]``.

:class:`SubCharTokenizer` mirrors the ``transformers`` tokenizer interface
(``__call__``, ``decode``, ``save_pretrained``/``from_pretrained``) without
depending on transformers. Offsets (``return_offsets_mapping=True``) index the
ORIGINAL text: a piece covering part of a character's code maps to that whole
character, a piece covering several codes to the span of those characters.

>>> from cjkglyph.subchar.tokenization import SubCharTokenizer
>>> tok = SubCharTokenizer.from_pretrained("wubi")  # shipped, trained on the project corpus
>>> enc = tok("我们的银行", return_offsets_mapping=True)
>>> tok.decode(enc["input_ids"], skip_special_tokens=True)
'我们的银行'
>>> all(0 <= a <= b <= 5 for a, b in enc["offset_mapping"])
True
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

from ..errors import InputError, ResourceError

__all__ = [
    "SPECIAL_TOKENS",
    "SubCharEncoding",
    "SubCharTokenizer",
    "encode_for_model",
    "read_corpus",
    "train_tokenizer",
]

#: Special tokens, in vocabulary order (ids 0-4), by transformers attribute name.
SPECIAL_TOKENS: dict[str, str] = {
    "pad_token": "[PAD]",
    "unk_token": "[UNK]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}
CONFIG_NAME = "subchar_config.json"
TOKENIZER_FILE = "tokenizer.json"
_BYTE_PIECES = [f"<0x{b:02X}>" for b in range(256)]


class SubCharEncoding(dict[str, Any]):
    """What :meth:`SubCharTokenizer.__call__` returns: a dict with attribute access (like ``BatchEncoding``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to(self, device: Any) -> SubCharEncoding:
        """Move tensors to ``device`` (torch tensors only)."""
        return SubCharEncoding({k: v.to(device) if hasattr(v, "to") else v for k, v in self.items()})


# Special and byte pieces could match text that spells them ("[CLS]", "<0xE5>"): such
# text gets an escape after its first character, which subchar.decode reads as a literal.
_RESERVED_RE = re.compile(r"<0x[0-9A-F]{2}>|\[(?:PAD|UNK|CLS|SEP|MASK)\]")


def encode_for_model(text: str, scheme: str) -> tuple[str, list[int]]:
    """:func:`cjkglyph.subchar.encode_aligned`, plus escapes that keep pieces such as ``[CLS]`` unmatched.

    >>> encode_for_model("[CLS]好", "wubi")
    ('[\\\\CLS]vbg_', [0, 1, 3, 4, 5, 6, 10])
    """
    from .core import ESC, encode_aligned

    encoded, starts = encode_aligned(text, scheme)
    if "<0x" not in encoded and "[" not in encoded:
        return encoded, starts
    matches = list(_RESERVED_RE.finditer(encoded))
    if not matches:
        return encoded, starts
    owners = _owners(starts)
    pieces = [encoded[starts[i] : starts[i + 1]] for i in range(len(text))]
    for m in matches:
        i = owners[m.start() + 1]
        if not pieces[i].startswith(ESC):
            pieces[i] = ESC + pieces[i]
    return "".join(pieces), list(accumulate(map(len, pieces), initial=0))


def _owners(starts: Sequence[int]) -> list[int]:
    """Original character index of every position of the encoded text."""
    owners: list[int] = []
    extend = owners.extend
    for i, (a, b) in enumerate(pairwise(starts)):
        extend([i] * (b - a))
    return owners


class SubCharTokenizer:
    """A transformers-style tokenizer over sub-character encoded text.

    >>> tok = SubCharTokenizer.from_pretrained("pinyin")
    >>> batch = tok(["你好", "银行行长"], padding=True)
    >>> [len(ids) for ids in batch["input_ids"]] == [len(m) for m in batch["attention_mask"]]
    True
    """

    model_input_names = ["input_ids", "token_type_ids", "attention_mask"]

    def __init__(
        self,
        tokenizer: Any,
        scheme: str,
        *,
        model_max_length: int = 512,
        padding_side: str = "right",
        truncation_side: str = "right",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        from .core import SCHEMES

        if scheme not in SCHEMES:
            raise InputError(f"unknown sub-character scheme {scheme!r}; use one of {', '.join(SCHEMES)}")
        if isinstance(tokenizer, (str, os.PathLike)):
            try:
                tokenizer = Tokenizer.from_file(os.fspath(tokenizer))
            except Exception as e:  # noqa: BLE001 - tokenizers raises plain Exception
                raise ResourceError(f"cannot load tokenizer file {tokenizer}: {e}") from None
        self._tok: Tokenizer = tokenizer
        self._tok.encode_special_tokens = True  # "[CLS]" in the text is text, not a special token
        self.scheme = scheme
        self.model_max_length = model_max_length
        self.padding_side = padding_side
        self.truncation_side = truncation_side
        self.metadata = dict(metadata or {})
        self._lock = threading.Lock()
        for attr, token in SPECIAL_TOKENS.items():
            if self._tok.token_to_id(token) is None:
                raise ResourceError(f"tokenizer for {scheme} lacks the special token {token}")
            setattr(self, attr, token)

    # -- vocabulary ---------------------------------------------------------------------------

    @property
    def vocab_size(self) -> int:
        """Number of pieces, special and byte pieces included."""
        return int(self._tok.get_vocab_size())

    def __len__(self) -> int:
        return self.vocab_size

    def get_vocab(self) -> dict[str, int]:
        """Piece -> id."""
        return dict(self._tok.get_vocab())

    @property
    def backend_tokenizer(self) -> Any:
        """The underlying :class:`tokenizers.Tokenizer` (it works on encoded text)."""
        return self._tok

    @property
    def all_special_tokens(self) -> list[str]:
        return list(SPECIAL_TOKENS.values())

    @property
    def all_special_ids(self) -> list[int]:
        return [self.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS.values()]

    def __getattr__(self, name: str) -> Any:
        # pad_token_id, unk_token_id, cls_token_id, sep_token_id, mask_token_id
        if name.endswith("_token_id") and name[:-3] in SPECIAL_TOKENS:
            return self._tok.token_to_id(SPECIAL_TOKENS[name[:-3]])
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> Any:
        """Ids of pieces (the unk id for unknown pieces)."""
        unk = self._tok.token_to_id(SPECIAL_TOKENS["unk_token"])
        if isinstance(tokens, str):
            found = self._tok.token_to_id(tokens)
            return unk if found is None else found
        return [self.convert_tokens_to_ids(t) for t in tokens]

    def convert_ids_to_tokens(self, ids: int | Sequence[int], skip_special_tokens: bool = False) -> Any:
        """Pieces of ids (encoded text, e.g. ``'vbg_'``)."""
        if isinstance(ids, int):
            return self._tok.id_to_token(ids)
        special = set(self.all_special_ids) if skip_special_tokens else set()
        return [self._tok.id_to_token(int(i)) for i in ids if int(i) not in special]

    # -- encoding -----------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        """The pieces of ``text`` (no special tokens).

        >>> SubCharTokenizer.from_pretrained("wubi").tokenize("好")
        ['vbg_']
        """
        return list(self._tok.encode(encode_for_model(_check(text), self.scheme)[0], add_special_tokens=False).tokens)

    def encode(self, text: str, text_pair: str | None = None, add_special_tokens: bool = True, **kwargs: Any) -> list[int]:
        """Token ids of one text (or pair)."""
        kwargs.pop("return_tensors", None)
        out = self(text, text_pair, add_special_tokens=add_special_tokens, **kwargs)
        return list(out["input_ids"])

    def __call__(
        self,
        text: str | Sequence[str],
        text_pair: str | Sequence[str] | None = None,
        *,
        add_special_tokens: bool = True,
        padding: bool | str = False,
        truncation: bool | str | None = None,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        return_tensors: str | None = None,
        return_token_type_ids: bool | None = None,
        return_attention_mask: bool | None = None,
        return_offsets_mapping: bool = False,
        return_special_tokens_mask: bool = False,
        return_length: bool = False,
    ) -> SubCharEncoding:
        """Tokenize one text or a batch (optionally with pairs), like a transformers tokenizer.

        ``padding``: False/"do_not_pad", True/"longest", "max_length"; ``truncation``:
        False, True/"longest_first", "only_first", "only_second" (``max_length``
        defaults to ``model_max_length``); ``return_tensors``: None (lists), "pt", "np".
        """
        batched = not isinstance(text, str)
        if batched and not isinstance(text, (list, tuple)):
            raise InputError(f"expected a string or a list of strings, got {type(text).__name__}")
        texts = [_check(t) for t in (text if batched else [text])]
        pairs: list[str] | None = None
        if text_pair is not None:
            pairs = [_check(t) for t in (text_pair if batched else [text_pair])]  # type: ignore[union-attr]
            if isinstance(text_pair, str) == batched or len(pairs) != len(texts):
                raise InputError("text_pair must match text: one string each, or lists of the same length")
        aligned = [encode_for_model(t, self.scheme) for t in texts]
        aligned_pairs = [encode_for_model(t, self.scheme) for t in pairs] if pairs is not None else None
        inputs: list[Any] = [a[0] for a in aligned]
        if aligned_pairs is not None:
            inputs = [(a, b[0]) for a, b in zip(inputs, aligned_pairs, strict=True)]

        pad_mode = _padding_mode(padding)
        trunc_mode = _truncation_mode(truncation, max_length)
        if max_length is None and (trunc_mode or pad_mode == "max_length"):
            max_length = self.model_max_length
        with self._lock:
            tok = self._tok
            try:
                if trunc_mode:
                    tok.enable_truncation(max_length, strategy=trunc_mode, direction=self.truncation_side)
                else:
                    tok.no_truncation()
                if pad_mode:
                    tok.enable_padding(
                        direction=self.padding_side,
                        pad_id=tok.token_to_id(SPECIAL_TOKENS["pad_token"]),
                        pad_token=SPECIAL_TOKENS["pad_token"],
                        length=max_length if pad_mode == "max_length" else None,
                        pad_to_multiple_of=pad_to_multiple_of,
                    )
                else:
                    tok.no_padding()
                encodings = tok.encode_batch(inputs, add_special_tokens=add_special_tokens)
            finally:
                tok.no_truncation()
                tok.no_padding()

        want_types = return_token_type_ids if return_token_type_ids is not None else pairs is not None
        want_mask = return_attention_mask if return_attention_mask is not None else True
        out: dict[str, list[Any]] = {"input_ids": []}
        if want_types:
            out["token_type_ids"] = []
        if want_mask:
            out["attention_mask"] = []
        if return_offsets_mapping:
            out["offset_mapping"] = []
        if return_special_tokens_mask:
            out["special_tokens_mask"] = []
        if return_length:
            out["length"] = []
        owners: list[list[list[int]]] = []
        if return_offsets_mapping:
            owners.append([_owners(a[1]) for a in aligned])
            if aligned_pairs is not None:
                owners.append([_owners(a[1]) for a in aligned_pairs])
        for n, e in enumerate(encodings):
            out["input_ids"].append(list(e.ids))
            if want_types:
                out["token_type_ids"].append(list(e.type_ids))
            if want_mask:
                out["attention_mask"].append(list(e.attention_mask))
            if return_offsets_mapping:
                seqs = [aligned[n][0], aligned_pairs[n][0] if aligned_pairs is not None else ""]
                out["offset_mapping"].append(_offsets(e, seqs, [o[n] for o in owners]))
            if return_special_tokens_mask:
                out["special_tokens_mask"].append(list(e.special_tokens_mask))
            if return_length:
                out["length"].append(len(e.ids))
        return _finish(out, batched, return_tensors)

    # -- decoding -----------------------------------------------------------------------------

    def decode(self, token_ids: Any, skip_special_tokens: bool = False, **kwargs: Any) -> str:
        """Original text of ``token_ids`` (exact for invertible schemes; malformed pieces give U+FFFD).

        Special tokens are kept as written (``[CLS]``) unless ``skip_special_tokens``.
        """
        from .core import decode

        if hasattr(token_ids, "tolist"):
            token_ids = token_ids.tolist()
        if isinstance(token_ids, int):
            token_ids = [token_ids]
        special = {self._tok.token_to_id(t): t for t in SPECIAL_TOKENS.values()}
        parts: list[str] = []
        segment: list[str] = []

        def flush() -> None:
            if segment:
                parts.append(decode(_join_pieces(segment), self.scheme, errors="replace"))
                segment.clear()

        for i in token_ids:
            i = int(i)
            if i in special:
                flush()
                if not skip_special_tokens:
                    parts.append(special[i])
                continue
            piece = self._tok.id_to_token(i)
            segment.append("\ufffd" if piece is None else piece)
        flush()
        return "".join(parts)

    def batch_decode(self, sequences: Any, skip_special_tokens: bool = False, **kwargs: Any) -> list[str]:
        """:meth:`decode` for each sequence."""
        if hasattr(sequences, "tolist"):
            sequences = sequences.tolist()
        return [self.decode(s, skip_special_tokens=skip_special_tokens) for s in sequences]

    def convert_tokens_to_string(self, tokens: Sequence[str]) -> str:
        """Original text of pieces."""
        from .core import decode

        return decode(_join_pieces(list(tokens)), self.scheme, errors="replace")

    # -- persistence --------------------------------------------------------------------------

    def save_pretrained(self, save_directory: str | os.PathLike[str], **kwargs: Any) -> tuple[str, ...]:
        """Write ``tokenizer.json`` and ``subchar_config.json`` into ``save_directory``."""
        from .._version import __version__
        from ..resources import atomic_write

        d = Path(save_directory)
        if d.exists() and not d.is_dir():
            raise InputError(f"{d} exists and is not a directory")
        d.mkdir(parents=True, exist_ok=True)
        config = {
            "tokenizer_class": type(self).__name__,
            "scheme": self.scheme,
            "model_max_length": self.model_max_length,
            "padding_side": self.padding_side,
            "truncation_side": self.truncation_side,
            **SPECIAL_TOKENS,
            "cjkglyph_version": __version__,
            **({"training": self.metadata} if self.metadata else {}),
        }
        with atomic_write(d / TOKENIZER_FILE, "w") as f:
            f.write(self._tok.to_str())
        with atomic_write(d / CONFIG_NAME, "w") as f:
            json.dump(config, f, ensure_ascii=False, indent=2)
            f.write("\n")
        return (str(d / TOKENIZER_FILE), str(d / CONFIG_NAME))

    @classmethod
    def from_pretrained(cls, name_or_path: str | os.PathLike[str], **kwargs: Any) -> SubCharTokenizer:
        """Load a directory written by :meth:`save_pretrained`, or a shipped tokenizer by scheme name.

        Shipped: ``wubi``, ``cangjie``, ``stroke``, ``pinyin``, ``zhuyin``, ``pinyin-noindex``, ``zhuyin-noindex``.
        """
        from ..resources import data_path
        from .core import SCHEMES

        path = Path(name_or_path)
        if not path.is_dir():
            if str(name_or_path) in SCHEMES:
                path = data_path("tokenizers", str(name_or_path))
            else:
                raise InputError(f"no tokenizer directory {name_or_path}; give a directory or one of {', '.join(SCHEMES)}")
        try:
            config = json.loads((path / CONFIG_NAME).read_text(encoding="utf-8"))
            scheme = config["scheme"]
        except (OSError, ValueError, KeyError) as e:
            raise ResourceError(f"cannot read {path / CONFIG_NAME}: {e}; save the tokenizer again") from None
        options = {k: config[k] for k in ("model_max_length", "padding_side", "truncation_side") if k in config}
        options.update({k: v for k, v in kwargs.items() if k in options or k in ("model_max_length", "padding_side", "truncation_side")})
        return cls(path / TOKENIZER_FILE, scheme, metadata=config.get("training"), **options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(scheme={self.scheme!r}, vocab_size={self.vocab_size}, model_max_length={self.model_max_length})"


def _offsets(e: Any, encoded: list[str], owners: list[list[int]]) -> list[tuple[int, int]]:
    """Offsets into the original texts of every token of one tokenizers ``Encoding``."""
    spans: list[tuple[int, int]] = []
    seq_ids = e.sequence_ids
    raw = e.offsets
    tokens = e.tokens
    k, n = 0, len(raw)
    while k < n:
        seq = seq_ids[k]
        s, t = raw[k]
        if seq is None or t <= s:
            spans.append((0, 0))
            k += 1
            continue
        own = owners[seq]
        if _is_byte(tokens[k]) and t - s > 1:
            # consecutive byte pieces of unknown characters share one span: give each byte its character
            j = k
            while j < n and raw[j] == (s, t) and seq_ids[j] == seq and _is_byte(tokens[j]):
                j += 1
            chars = [p for p in range(s, t) for _ in encoded[seq][p].encode("utf-8", "surrogatepass")]
            if len(chars) == j - k:
                spans.extend((own[p], own[p] + 1) for p in chars)
                k = j
                continue
        spans.append((own[s], own[t - 1] + 1))
        k += 1
    return spans


def _is_byte(piece: str) -> bool:
    return len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">")


def _check(text: Any) -> str:
    if not isinstance(text, str):
        raise InputError(f"expected a string (or a list of strings), got {type(text).__name__}")
    return text


def _padding_mode(padding: bool | str) -> str | None:
    if padding in (False, None, "do_not_pad"):
        return None
    if padding in (True, "longest"):
        return "longest"
    if padding == "max_length":
        return "max_length"
    raise InputError(f"padding must be True, False, 'longest', 'max_length' or 'do_not_pad', not {padding!r}")


def _truncation_mode(truncation: bool | str | None, max_length: int | None) -> str | None:
    if truncation is None:
        truncation = max_length is not None
    if truncation in (False, "do_not_truncate"):
        return None
    if truncation in (True, "longest_first"):
        return "longest_first"
    if truncation in ("only_first", "only_second"):
        return str(truncation)
    raise InputError(f"truncation must be True, False, 'longest_first', 'only_first' or 'only_second', not {truncation!r}")


def _finish(out: dict[str, list[Any]], batched: bool, return_tensors: str | None) -> SubCharEncoding:
    if return_tensors is None:
        return SubCharEncoding({k: v if batched else v[0] for k, v in out.items()})
    if return_tensors not in ("pt", "np"):
        raise InputError(f"return_tensors must be 'pt', 'np' or None, not {return_tensors!r}")
    lengths = {len(row) for row in out["input_ids"]}
    if len(lengths) > 1:
        raise InputError("sequences have different lengths: pass padding=True to return tensors")
    import numpy as np

    arrays = {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}
    if return_tensors == "pt":
        import torch

        return SubCharEncoding({k: torch.from_numpy(v) for k, v in arrays.items()})
    return SubCharEncoding(arrays)


def _join_pieces(pieces: list[str]) -> str:
    """Concatenate pieces, turning runs of byte pieces (``<0xE5>``) back into characters."""
    out: list[str] = []
    raw = bytearray()
    for p in pieces:
        if _is_byte(p):
            try:
                raw.append(int(p[3:5], 16))
                continue
            except ValueError:
                pass
        if raw:
            out.append(raw.decode("utf-8", "replace"))
            raw.clear()
        out.append(p)
    if raw:
        out.append(raw.decode("utf-8", "replace"))
    return "".join(out)


def train_tokenizer(
    texts: Iterable[str],
    scheme: str,
    vocab_size: int = 22675,
    *,
    max_piece_length: int = 16,
    model_max_length: int = 512,
    metadata: dict[str, Any] | None = None,
    show_progress: bool = False,
) -> SubCharTokenizer:
    """Learn a Unigram vocabulary of ``vocab_size`` pieces on ``texts`` encoded with ``scheme``.

    The vocabulary holds the special tokens, the learned pieces and 256 byte
    pieces for characters never seen in training.

    >>> tok = train_tokenizer(["你好世界"] * 20 + ["银行行长"] * 20, "wubi", vocab_size=40)
    >>> tok.decode(tok("世界银行")["input_ids"], skip_special_tokens=True)
    '世界银行'
    """
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    if vocab_size < len(SPECIAL_TOKENS) + 1:
        raise InputError(f"vocab_size must be at least {len(SPECIAL_TOKENS) + 1}")

    def encoded() -> Iterator[str]:
        for t in texts:
            if t:
                yield encode_for_model(t, scheme)[0]

    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"\s+"), behavior="isolated")
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS.values()),
        unk_token=SPECIAL_TOKENS["unk_token"],
        max_piece_length=max_piece_length,
        show_progress=show_progress,
    )
    tok.train_from_iterator(encoded(), trainer)
    state = json.loads(tok.to_str())
    model = state["model"]
    vocab = [tuple(v) for v in model["vocab"]]
    known = {v[0] for v in vocab}
    floor = min(v[1] for v in vocab) - 1.0
    vocab += [(b, floor) for b in _BYTE_PIECES if b not in known]
    tok.model = models.Unigram(vocab, model["unk_id"], True)
    tok.decoder = decoders.Sequence([decoders.ByteFallback(), decoders.Fuse()])
    cls_id, sep_id = tok.token_to_id(SPECIAL_TOKENS["cls_token"]), tok.token_to_id(SPECIAL_TOKENS["sep_token"])
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    return SubCharTokenizer(tok, scheme, model_max_length=model_max_length, metadata=metadata)


def read_corpus(paths: Sequence[str | os.PathLike[str]], max_chars: int | None = None) -> Iterator[str]:
    """Lines of text files (``.xz``, ``.gz``, ``.bz2`` or plain UTF-8), stopping after ``max_chars`` characters."""
    import bz2
    import gzip
    import lzma

    openers: dict[str, Any] = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
    total = 0
    for path in paths:
        opener = openers.get(Path(path).suffix, open)
        try:
            with opener(path, "rt", encoding="utf-8") as f:
                for line in f:
                    line = line.rstrip("\r\n")
                    if not line:
                        continue
                    yield line
                    total += len(line)
                    if max_chars is not None and total >= max_chars:
                        return
        except (OSError, EOFError, UnicodeDecodeError, lzma.LZMAError) as e:
            raise InputError(f"cannot read corpus file {path}: {e}") from None
