"""得 děi ("must") after a personal subject: a small rule applied after the polyphone classifier.

Why a rule: the classifier (:mod:`.polyphone`) learns 得 from the CPP sentences,
which hold no děi at all, and from corpus words whose reading is certain
(总得, 非得, 必得, 得亏, 得先/得去/得有). Those words are rare in the corpus and
noisy there (总得来说 is a common misspelling of 总的来说, 寸利必得 is dé), and
pronoun + 得 in the corpus is mostly the 的/得 misspelling (回答了我得很多问题),
so nothing in the data teaches that 你得努力 is děi: the model reads dé.

The rule: in a text segmented by ``jieba.posseg``, 得 becomes dei3 when

* the token before it is a personal subject (:data:`SUBJECTS`: 我/你/您/他/她/它/
  咱/俺 and their 们 plurals, 大家, 大伙, 自己, 人家), optionally followed by one
  adverb of :data:`ADVERBS` (我就得走, 你还得去);
* 得 is a token of its own, or begins a token whose dictionary reading of 得 is
  already dei3 (得去, 得先, 得有 from the Rime lexicon: 他得去医院);
* a Han token follows that is neither a particle that makes 得 dé or de
  (:data:`NOT_AFTER`: 他得了冠军, 他得过冠军, 你得的是什么病) nor a numeral,
  measure word, pronoun, particle, conjunction or punctuation by its jieba tag
  (:data:`NOT_TAGS`: 我得一百分, 她得第一名, 你得什么病).

Where 得 (or a word it begins) follows a personal subject but is not děi, it is dé,
not the complement particle de, which follows a verb or adjective (他得了冠军, 我得病了).
Words jieba keeps whole (得到, 得知, 得分, 得病, 得罪, 得意, 得了吧) never match,
nor does 得 inside another dictionary phrase (长得, 跑得快), and 得 after any
other word (他跑得快, 他长得很高) is left to the classifier. Known limitation: a
bare noun object without 了 (他得冠军, 他得癌症) is read děi; 他得了冠军 is dé.
On the CPP dev split (no děi in it) the rule never fires.

>>> from cjkglyph.pinyin import pinyin
>>> pinyin("你得努力", "tone3"), pinyin("他得了冠军", "tone3")[1]
(['ni3', 'dei3', 'nu3', 'li4'], 'de2')
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

__all__ = ["ADVERBS", "NOT_AFTER", "NOT_TAGS", "SUBJECTS", "apply_dei"]

#: Tokens that can be the subject of modal 得 děi.
SUBJECTS = frozenset(
    ["我", "你", "您", "他", "她", "它", "咱", "俺", "我们", "你们", "他们", "她们", "它们", "咱们", "俺们"]
    + ["大家", "大伙", "自己", "人家"]
)
#: One of these may stand between the subject and 得 (我就得走).
ADVERBS = frozenset("还就也都又可只")
#: A following token that makes 得 dé (得了, 得过, 得着) or is the particle de.
NOT_AFTER = frozenset(["了", "过", "着", "的", "地", "得", "之"])
#: jieba tag prefixes of a following token that rule děi out: numerals, measure words, pronouns,
#: particles, conjunctions, interjections, onomatopoeia, modal particles and punctuation.
NOT_TAGS = ("m", "q", "r", "u", "c", "e", "o", "y", "x", "w")

_QUICK = re.compile("(?:[我你您他她它咱俺们家伙己])[还就也都又可只]?得")
_jieba_lock = threading.Lock()
_jieba_ready = threading.Event()


def _posseg(text: str) -> list[tuple[str, str]]:
    import jieba
    import jieba.posseg

    if not _jieba_ready.is_set():
        with _jieba_lock:
            jieba.setLogLevel(60)
            jieba.initialize()
            _jieba_ready.set()
    return [(p.word, p.flag) for p in jieba.posseg.cut(text)]


def apply_dei(simp: str, readings: list[str | None], dictionary: Sequence[str | None]) -> list[int]:
    """Set ``readings[i] = "dei3"`` at each 得 of ``simp`` the rule covers; returns those positions.

    A lone 得 after a subject that is not děi and was read de5 becomes de2 (not returned).

    ``simp``: the Simplified text (same length as ``readings``); ``dictionary``: the
    readings before the classifier ran (:func:`cjkglyph.pinyin.readings.analyse`).
    """
    if "得" not in simp or not _QUICK.search(simp):
        return []
    tokens = _posseg(simp)
    if sum(len(w) for w, _ in tokens) != len(simp):
        return []
    starts = [0]
    for w, _ in tokens:
        starts.append(starts[-1] + len(w))
    changed = []
    for k, (word, _) in enumerate(tokens):
        i = starts[k]
        if not word.startswith("得") or readings[i] is None:
            continue
        j = k - 1
        if j >= 0 and tokens[j][0] in ADVERBS:
            j -= 1
        if j < 0 or tokens[j][0] not in SUBJECTS:
            continue
        dei = word == "得" or dictionary[i] == "dei3"
        if word == "得":
            nxt, tag = tokens[k + 1] if k + 1 < len(tokens) else ("", "x")
            dei = bool(nxt) and readings[i + 1] is not None and nxt not in NOT_AFTER and not tag.startswith(NOT_TAGS)
        if not dei:
            if readings[i] == "de5":
                readings[i] = "de2"  # the complement particle de follows a verb or adjective, never a subject
            continue
        readings[i] = "dei3"
        changed.append(i)
    return changed
