#!/usr/bin/env python
"""Polyphone accuracy and speed: cjkglyph, pypinyin and g2pM side by side, same sentences, same process.

File format (with a header line): sentence, 0-based index, character, gold
tone3 reading (neutral tone 5, ü as ``u:`` or ``v``). The default file,
``../shared/benchmarks/pinyin/cpp_dev.tsv``, also trained the shipped models, so
by default only its held-out fifth (:func:`cjkglyph._splits.polyphone_heldout`) is
scored; ``--split all`` scores every line (use it for files the models never saw).

Systems: ``cjkglyph`` is the default path (``cjkglyph.pinyin.pinyin``, the
``pinyin`` pipeline and CLI: dictionaries and the fast model);
``cjkglyph+encoder`` adds the context model on the shared encoder where the fast
model is unsure (``pinyin --context``); ``pypinyin`` is
``lazy_pinyin``; ``g2pM`` (Park & Lee 2020, ``pip install g2pM``) is skipped
with a note when it is not installed. Accuracy counts the target character
only, as CPP defines it. Speed: every scored sentence through each system,
best of ``--repeat`` rounds, in sentences per second and as a ratio to g2pM.

``--words N``: the frequent-word check. The N most frequent words of the shipped
word statistics (``data/lexicon/word_context.npz``) that hold a polyphone whose
reading there is certain (pypinyin's phrase dictionary lists one reading, or the
Rime lexicon's syllable fits one reading) are read alone and in up to 3 sentences
of the corpus 'test' part (:func:`cjkglyph._splits.corpus_part`) where jieba
finds the word; a regression is a word that cjkglyph reads wrong more often than
pypinyin does.

    python benchmarks/bench_pinyin.py                       # held-out split of the default file
    python benchmarks/bench_pinyin.py FILE --split all      # another CPP-format file
    python benchmarks/bench_pinyin.py --words 1000          # also the frequent-word check
"""

from __future__ import annotations

import argparse
import collections
import lzma
import sys
import time
from collections.abc import Callable
from pathlib import Path

from cjkglyph._splits import need_data

REPO = Path(__file__).resolve().parent.parent


def read_rows(path: str, split: str) -> list[tuple[str, int, str, str]]:
    from cjkglyph._splits import polyphone_heldout
    from cjkglyph.pinyin.syllable import to_tone3

    rows = []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            sent, idx, char, gold = line.rstrip("\n").split("\t")
            if split == "all" or (split == "heldout") == polyphone_heldout(sent):
                rows.append((sent, int(idx), char, to_tone3(gold)))
    return rows


def systems() -> dict[str, Callable[[str], list[str | None]]]:
    """name -> function giving one tone3 reading (or None) per character."""
    from pypinyin import Style, lazy_pinyin

    from cjkglyph.encoder import default_encoder
    from cjkglyph.pinyin import pinyin
    from cjkglyph.pinyin.syllable import to_tone3

    enc = default_encoder()

    def norm(r: str) -> str | None:
        try:
            return to_tone3(r)
        except ValueError:
            return None

    def pyp(s: str) -> list[str | None]:
        return [norm(r) for r in lazy_pinyin(s, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda x: list(x))]

    out: dict[str, Callable[[str], list[str | None]]] = {
        "cjkglyph": lambda s: pinyin(s, "tone3"),
        "cjkglyph+encoder": lambda s: pinyin(s, "tone3", encoder=enc),
        "pypinyin": pyp,
    }
    try:
        from g2pM import G2pM
    except ImportError:
        print("note: g2pM is not installed (pip install g2pM); skipped", file=sys.stderr)
        return out
    g2pm = G2pM()
    out["g2pM"] = lambda s: [norm(r) for r in g2pm(s, char_split=True, tone=True)]
    return out


def cpp(args: argparse.Namespace, fns: dict[str, Callable[[str], list[str | None]]]) -> None:
    rows = read_rows(args.file, args.split)
    if not rows:
        raise SystemExit("no sentences to score")
    ok: collections.Counter[str] = collections.Counter()
    errors: collections.Counter[tuple[str, str | None, str]] = collections.Counter()
    for sent, i, char, gold in rows:
        for name, fn in fns.items():
            got = fn(sent)[i]
            ok[name] += got == gold
            if name == "cjkglyph" and got != gold:
                errors[char, got, gold] += 1
    sents = [r[0] for r in rows]
    speed = {}
    for name, fn in fns.items():
        fn(sents[0])
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            for s in sents:
                fn(s)
            times.append(time.perf_counter() - t)
        speed[name] = len(sents) / min(times)
    n = len(rows)
    print(f"file: {args.file} split={args.split}: {n} sentences, {sum(map(len, sents))} characters")
    for name in fns:
        print(f"accuracy {name}: {ok[name] / n:.4f} ({ok[name]}/{n}); {speed[name]:,.0f} sentences/s")
    if "g2pM" in speed:
        for name in ("cjkglyph", "cjkglyph+encoder"):
            print(f"speed ratio {name}/g2pM: {speed[name] / speed['g2pM']:.2f}")
    for (char, got, gold), c in errors.most_common(args.errors):
        print(f"  {c:3d} {char} {got} (gold {gold})")


def certain_words(limit: int) -> list[tuple[str, list[tuple[int, str]]]]:
    """The ``limit`` most frequent words with a polyphone whose reading is certain: (word, [(offset, tone3)])."""
    import numpy as np
    from pypinyin.constants import PHRASES_DICT

    from cjkglyph.pinyin.readings import SANDHI_CHARS, char_readings, is_polyphone
    from cjkglyph.pinyin.syllable import to_tone3
    from cjkglyph.resources import data_path

    arrays = np.load(data_path("lexicon", "word_context.npz"))
    words = bytes(arrays["words"]).decode("utf-8").split("\n")
    counts = arrays["counts"].sum(axis=1)
    rime: dict[str, set[str]] = collections.defaultdict(set)
    with open(data_path("lexicon", "rime_pinyin_simp_dict.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            w, syl = line.split("\t")[:2]
            rime[w].add(syl)
    out = []
    for k in np.argsort(-counts, kind="stable"):
        word = words[k] if k < len(words) else ""
        if len(word) < 2:
            continue
        labels = []
        entry = PHRASES_DICT.get(word)
        spell = rime.get(word, set())
        for p, ch in enumerate(word):
            if not is_polyphone(ch) or ch in SANDHI_CHARS:
                continue
            if entry is not None and len(entry) == len(word):
                if len(entry[p]) == 1:
                    labels.append((p, to_tone3(entry[p][0])))
            elif len(spell) == 1 and len(next(iter(spell)).split()) == len(word):
                syl = next(iter(spell)).split()[p]
                match = [r for r in char_readings(ch) if r[:-1] == syl.replace("u:", "v")]
                if len(match) == 1:
                    labels.append((p, match[0]))
        if labels:
            out.append((word, labels))
            if len(out) == limit:
                break
    return out


def words_check(args: argparse.Namespace, fns: dict[str, Callable[[str], list[str | None]]]) -> None:
    import jieba

    from cjkglyph._splits import CLASSICAL, corpus_part

    jieba.setLogLevel(60)
    words = certain_words(args.words)
    wanted = {w for w, _ in words}
    contexts: dict[str, list[tuple[str, int]]] = collections.defaultdict(list)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise SystemExit(f"the frequent-word check needs the build corpus ({corpus})")
    print("reading the corpus 'test' part for word contexts ...", file=sys.stderr)
    for path in sorted(corpus.glob("*.txt.xz")):
        if path.name.removesuffix(".txt.xz") in CLASSICAL:
            continue
        with lzma.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                if corpus_part(line) != "test" or not any(w in line for w in wanted):
                    continue
                line = line.strip()[:300]
                pos = 0
                for tok in jieba.cut(line, HMM=False):
                    if tok in wanted and len(contexts[tok]) < 3:
                        contexts[tok].append((line, pos))
                    pos += len(tok)
    names = list(fns)
    wrong: dict[str, collections.Counter[str]] = {n: collections.Counter() for n in names}
    n_checks = 0
    for word, labels in words:
        for text, at in [(word, 0), *contexts.get(word, [])]:
            for name in names:
                got = fns[name](text)
                wrong[name][word] += sum(got[at + p] != r for p, r in labels)
            n_checks += 1
    print(f"frequent words: {len(words)} polyphonic words, {n_checks} readings (alone and in corpus 'test' sentences)")
    for name in names:
        print(f"  words {name} reads wrong at least once: {sum(1 for w, _ in words if wrong[name][w])}")
    for name in (n for n in names if n.startswith("cjkglyph")):
        regress = [w for w, _ in words if wrong[name][w] > wrong["pypinyin"][w]]
        print(f"regressions {name} vs pypinyin (words it reads wrong more often): {len(regress)} {' '.join(regress[:30])}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=str(REPO.parent / "shared/benchmarks/pinyin/cpp_dev.tsv"))
    ap.add_argument("--split", choices=("heldout", "train", "all"), default="heldout",
                    help="which sentences to score (default: heldout, those the shipped models never saw)")  # fmt: skip
    ap.add_argument("--repeat", type=int, default=3, help="timing rounds (best is kept)")
    ap.add_argument("--errors", type=int, default=0, help="print the N most frequent errors of cjkglyph")
    ap.add_argument("--words", type=int, default=0, help="also run the frequent-word check on the N most frequent words")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared/corpus"))
    ap.add_argument("--no-cpp", action="store_true", help="skip the CPP accuracy and speed lines")
    args = ap.parse_args()
    if not args.no_cpp:
        need_data(args.file, "the CPP polyphone dev split (benchmarks/pinyin/cpp_dev.tsv)")
    fns = systems()
    if not args.no_cpp:
        cpp(args, fns)
    if args.words:
        words_check(args, fns)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
