"""The package's layers (README "Where things are"): imports run one way and never in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "cjkglyph"

#: Top-level part of a module name -> layer; a module may import only from its own layer or below.
LAYERS = {
    **dict.fromkeys(["errors", "resources", "chars", "script", "conversion", "json_mlp", "_lazy", "_arrays", "_version", "_splits", "_progress"], 0),
    **dict.fromkeys(["pinyin", "glyph", "ids", "subchar", "unihan", "input_codes", "lexicon", "charinfo", "features"], 1),
    **dict.fromkeys(["graph", "lm", "similarity", "encoder"], 2),
    "models": 3,
    **dict.fromkeys(["spelling", "abbrev", "spellcheck"], 4),
    "pipelines": 5,
    "integrations": 6,
    **dict.fromkeys(["cli", "__main__"], 6),
}


def _imports() -> dict[str, set[str]]:
    """Module -> cjkglyph modules it imports anywhere in its file (TYPE_CHECKING blocks left out)."""
    files = {".".join(p.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__"): p for p in PKG.rglob("*.py")}
    out: dict[str, set[str]] = {}
    for mod, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                head = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module or ""
                names = [f"{head}.{a.name}" for a in node.names] + [head]
            else:
                continue
            for name in names:
                while name and name not in files:
                    name = name.rpartition(".")[0]
                if name and name != mod and not mod.startswith(name + "."):
                    targets.add(name)
        out[mod] = targets
    return out


def _layer(mod: str) -> int:
    if "." not in mod:
        return len(set(LAYERS.values()))  # the package root sits on top
    top = mod.split(".")[1]
    assert top in LAYERS, f"{mod}: give {top!r} a layer in LAYERS (and a row in README 'Where things are')"
    return LAYERS[top]


def test_imports_run_downwards() -> None:
    upward = [(m, t) for m, ts in _imports().items() for t in ts if _layer(t) > _layer(m)]
    assert not upward, upward


def test_no_import_cycles() -> None:
    graph = _imports()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in graph[m]:
            assert state.get(t) != 1, " -> ".join([*path[path.index(t) :], t]) if t in path else t
            if t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [m])
