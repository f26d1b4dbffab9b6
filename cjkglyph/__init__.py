"""cjkglyph: Chinese/CJK language processing built on what lies below the character.

Glyph images, pinyin and zhuyin, IDS component structure and input codes feed
ChineseBERT-style fusion models, a spelling checker and an abbreviation
decoder. Everything works offline: data and fonts ship with the package.

>>> import cjkglyph
>>> cjkglyph.convert("头发", to="traditional")
'頭髮'
>>> cjkglyph.pipeline("conversion", to="simplified")("著作權")["output"]
'著作权'

Submodules and functions are imported lazily, so ``import cjkglyph`` stays
cheap and never pulls in torch or transformers by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import __version__

# public name -> "module" (a submodule) or "module:attribute"
_LAZY: dict[str, str] = {
    "chars": "cjkglyph.chars",
    "glyph": "cjkglyph.glyph",
    "resources": "cjkglyph.resources",
    "subchar": "cjkglyph.subchar",
    "SubCharTokenizer": "cjkglyph.subchar.tokenization:SubCharTokenizer",
    "pinyin": "cjkglyph.pinyin",
    "ids": "cjkglyph.ids",
    "unihan": "cjkglyph.unihan",
    "parse_ids": "cjkglyph.ids:parse_ids",
    "ids_similarity": "cjkglyph.ids.compare:ids_similarity",
    "similar": "cjkglyph.graph.similarity:similar",
    "confusion_set": "cjkglyph.graph.similarity:confusion_set",
    "abbrev": "cjkglyph.abbrev",
    "LanguageModel": "cjkglyph.lm:LanguageModel",
    "Corrector": "cjkglyph.spelling.corrector:Corrector",
    "NeuralCorrector": "cjkglyph.spelling.neural:NeuralCorrector",
    "convert": "cjkglyph.conversion:convert",
    "pipeline": "cjkglyph.pipelines:pipeline",
    "available_tasks": "cjkglyph.pipelines:available_tasks",
    "register_task": "cjkglyph.pipelines:register_task",
    "Pipeline": "cjkglyph.pipelines:Pipeline",
    "CjkglyphError": "cjkglyph.errors:CjkglyphError",
    "InputError": "cjkglyph.errors:InputError",
    "ResourceError": "cjkglyph.errors:ResourceError",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from . import abbrev, chars, glyph, ids, pinyin, resources, subchar, unihan
    from .conversion import convert
    from .errors import CjkglyphError, InputError, ResourceError
    from .ids import parse_ids
    from .ids.compare import ids_similarity
    from .lm import LanguageModel
    from .spelling.neural import NeuralCorrector
    from .pipelines import Pipeline, available_tasks, pipeline, register_task
    from .graph.similarity import confusion_set, similar
    from .spelling.corrector import Corrector
    from .subchar.tokenization import SubCharTokenizer


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)

# ChineseBERT joins transformers' Auto classes when transformers loads them (stdlib-only hook, see models/_auto.py).
from .models._auto import install_auto_hooks as _install_auto_hooks  # noqa: E402

_install_auto_hooks()
