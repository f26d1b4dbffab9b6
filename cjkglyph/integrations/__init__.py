"""cjkglyph inside data pipelines: Ray Data, Hugging Face datasets, or any batch ``map``.

Each class here is a picklable batch callable for one task. It maps a column of
text (default ``"text"``) to output columns and keeps every other column; it
builds its pipeline lazily, once per worker process or Ray actor, and never
ships a loaded model when pickled. Output values are byte-identical to the
CLI's: the text column is what ``cjkglyph COMMAND`` prints for the line, the
JSON columns are the fields ``--format jsonl`` writes, as JSON text.

====================  ========================  =====================================================
class                 CLI command               output columns
====================  ========================  =====================================================
:class:`SpellCheck`   ``check``                 ``target``, ``errors`` (JSON)
:class:`Convert`      ``convert --to T``        ``output``
:class:`Pinyin`       ``pinyin``                ``pinyin`` (text rendering), ``readings`` (JSON)
:class:`Abbreviation` ``abbrev``                ``target``, ``candidates`` (JSON)
:class:`Tokenize`     ``tokenize``              ``tokens`` (space-separated), ``ids``, ``offsets`` (JSON)
====================  ========================  =====================================================

A null text gives null outputs. ``prefix="cg_"`` renames the outputs
(``cg_target`` ...). Ray and datasets are optional (``pip install
'cjkglyph[ray]'`` / ``'cjkglyph[datasets]'``) and imported by neither this
package nor its adapters: they only call your dataset's own ``map``.

>>> from cjkglyph.integrations import Convert
>>> Convert(to="traditional")({"id": [1, 2], "text": ["头发", "银行"]})
{'id': [1, 2], 'text': ['头发', '银行'], 'output': ['頭髮', '銀行']}

Ray Data (one actor per worker, each loads the corrector once)::

    import ray
    from cjkglyph.integrations import SpellCheck, map_ray
    ds = ray.data.read_json("corpus/*.jsonl")
    ds = map_ray(ds, SpellCheck, concurrency=8, batch_size=256)   # = ds.map_batches(SpellCheck, concurrency=8, ...)
    ds.write_json("corrected/")

Hugging Face datasets::

    from datasets import load_dataset
    from cjkglyph.integrations import Pinyin, map_datasets
    ds = load_dataset("json", data_files="corpus.jsonl", split="train")
    ds = map_datasets(ds, Pinyin(style="tone3"), num_proc=8)   # = ds.map(Pinyin(...), batched=True, num_proc=8)
"""

from __future__ import annotations

from .columns import Abbreviation, Convert, Pinyin, SpellCheck, TextMap, Tokenize
from .hf_datasets import map_datasets
from .ray_data import map_ray

__all__ = ["Abbreviation", "Convert", "Pinyin", "SpellCheck", "TextMap", "Tokenize", "map_datasets", "map_ray"]
