"""Task pipelines: the top layer, built on the feature modules, the graph and LM, and the correctors.

A pipeline is a callable object: give it one string and it returns one
JSON-serialisable dict; give it a list of strings and it returns a list of
dicts in the same order. :func:`pipeline` builds one by task name; each task
family has its module here (``conversion``, ``pinyin``, ``characters``,
``tokenization``, ``abbreviation``, ``spelling``), imported only when its task
is requested. Nothing below this package imports it.

>>> import cjkglyph
>>> convert = cjkglyph.pipeline("conversion", to="traditional")
>>> convert("头发")["output"]
'頭髮'
"""

from __future__ import annotations

from .base import Pipeline, available_tasks, pipeline, register_task

__all__ = ["Pipeline", "available_tasks", "pipeline", "register_task"]
