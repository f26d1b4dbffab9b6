"""A small CNN that maps one glyph image to a unit vector (CE-CLCNN style).

Trained contrastively (scripts/train_glyph_encoder.py): the same character in
two fonts, lightly distorted, must map closer than any other character of the
batch. A character's embedding is the normalised mean over the shipped fonts.
Weights ship as ``data/glyph/glyph_encoder.safetensors`` with the architecture
in the file's metadata (for training, with torch), and as its ONNX export
``data/glyph/glyph_encoder.onnx`` (batch norm folded in), which embeds glyphs on
onnxruntime: inference needs no torch (:func:`load_runtime`, :func:`export_onnx`).

>>> from cjkglyph.glyph.encoder import embed_chars       # doctest: +SKIP
>>> embed_chars("未末").shape                              # doctest: +SKIP
(2, 64)
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ResourceError
from ..resources import data_path, file_digest

if TYPE_CHECKING:
    import torch

__all__ = [
    "ONNX",
    "WEIGHTS",
    "GlyphRuntime",
    "build_model",
    "embed_chars",
    "embed_images",
    "export_onnx",
    "load_encoder",
    "load_runtime",
    "weights_path",
]

#: Shipped weights, relative to the data directory.
WEIGHTS = ("glyph", "glyph_encoder.safetensors")
#: Their ONNX export (inference on onnxruntime).
ONNX = ("glyph", "glyph_encoder.onnx")


def build_model(dim: int = 64, width: int = 32, size: int = 24) -> torch.nn.Module:
    """The encoder: 4 conv blocks (3 poolings) and a linear layer to ``dim``; input (N, 1, size, size)."""
    import torch
    from torch import nn

    def block(cin: int, cout: int) -> list[nn.Module]:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

    w = width
    side = size // 8
    layers = [
        *block(1, w // 2),
        *block(w // 2, w),
        nn.MaxPool2d(2),
        *block(w, 2 * w),
        nn.MaxPool2d(2),
        *block(2 * w, 4 * w),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * w * side * side, 4 * w),
        nn.ReLU(inplace=True),
        nn.Linear(4 * w, dim),
    ]
    model = nn.Sequential(*layers)
    model.config = {"dim": dim, "width": width, "size": size}  # type: ignore[assignment]
    torch.nn.init.zeros_(layers[-1].bias)  # type: ignore[arg-type]
    return model


def weights_path() -> Path:
    """Path of the shipped weights; :class:`ResourceError` with the rebuild command when missing."""
    path = data_path(*WEIGHTS, required=False)
    if not path.is_file():
        raise ResourceError(
            f"missing data file data/{'/'.join(WEIGHTS)}; rebuild it with 'python scripts/train_glyph_encoder.py' "
            "or reinstall cjkglyph"
        )
    return path


def save_encoder(model: torch.nn.Module, path: str | Path, meta: dict[str, Any]) -> None:
    """Write weights (float16) and the config as safetensors metadata."""
    from safetensors.torch import save_file

    state = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    info = {"config": json.dumps(model.config), **{k: str(v) for k, v in meta.items()}}  # type: ignore[attr-defined]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=info)
    Path(path).chmod(0o644)


@lru_cache(maxsize=4)
def _load(path: str, digest: str) -> tuple[torch.nn.Module, dict[str, str]]:
    from safetensors import safe_open

    from ..errors import require

    require("torch", "computing glyph embeddings (a similarity graph over a new vocabulary, glyph similarity by embedding)")
    try:
        with safe_open(path, framework="pt") as f:
            meta = dict(f.metadata() or {})
            state = {k: f.get_tensor(k).float() for k in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
        model = build_model(**json.loads(meta["config"]))
        model.load_state_dict(state, strict=False)
    except Exception as e:  # noqa: BLE001 - any failure means the file is unusable
        raise ResourceError(
            f"cannot load {path}: {type(e).__name__}: {e}; rebuild it with 'python scripts/train_glyph_encoder.py'"
        ) from None
    model.eval()
    return model, meta


def load_encoder(path: str | Path | None = None) -> tuple[torch.nn.Module, dict[str, str]]:
    """(model in eval mode, metadata) from ``path`` or the shipped weights."""
    p = str(path or weights_path())
    return _load(p, file_digest(p))


class GlyphRuntime:
    """The shipped encoder on onnxruntime: ``config`` (dim, width, size) and ``meta`` as the torch model's."""

    def __init__(self, path: str, weights_digest: str) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - any failure means the file is unusable
            raise ResourceError(f"cannot load {path}: {type(e).__name__}: {e}; rebuild it with 'python scripts/train_glyph_encoder.py --export'") from None
        self.meta: dict[str, str] = dict(self.session.get_modelmeta().custom_metadata_map)
        if self.meta.get("weights_digest") != weights_digest:
            raise ResourceError(f"{path} was not exported from the shipped weights; rebuild it with 'python scripts/train_glyph_encoder.py --export'")
        self.config: dict[str, int] = json.loads(self.meta["config"])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Unnormalised embeddings (N, dim) of images (N, 1, size, size) float32."""
        out: np.ndarray = self.session.run(None, {"images": x})[0]
        return out


@lru_cache(maxsize=2)
def _runtime(path: str, digest: str, weights_digest: str) -> GlyphRuntime:
    return GlyphRuntime(path, weights_digest)


def load_runtime() -> GlyphRuntime:
    """The shipped encoder on onnxruntime (no torch), checked against the shipped weights."""
    path = data_path(*ONNX, required=False)
    if not path.is_file():
        raise ResourceError(f"missing data file data/{'/'.join(ONNX)}; rebuild it with 'python scripts/train_glyph_encoder.py --export'")
    return _runtime(str(path), file_digest(path), file_digest(weights_path()))


def export_onnx(out: str | Path | None = None, weights: str | Path | None = None) -> Path:
    """Write the ONNX export of ``weights`` (default: the shipped ones) to ``out`` (default: the shipped ONNX path); needs torch."""
    import torch

    src = str(weights or weights_path())
    model, meta = load_encoder(src)
    fused = _inference_model(model)
    size = int(model.config["size"])  # type: ignore[index]
    target = Path(out) if out else data_path(*ONNX, required=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            fused.to(memory_format=torch.contiguous_format), (torch.zeros(2, 1, size, size),), str(target),
            input_names=["images"], output_names=["embeddings"], dynamic_axes={"images": {0: "n"}, "embeddings": {0: "n"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
    import onnx

    proto = onnx.load(str(target))
    info = {**meta, "config": json.dumps(model.config), "weights_digest": file_digest(src)}  # type: ignore[attr-defined]
    for key, value in info.items():
        proto.metadata_props.add(key=key, value=str(value))
    onnx.save(proto, str(target))
    target.chmod(0o644)
    return target


def embed_images(model: torch.nn.Module | GlyphRuntime, images: np.ndarray, batch: int = 128) -> np.ndarray:
    """Per-image embeddings, float32 (..., dim), L2-normalised; ``images`` float (..., size, size) in [0, 1].

    ``model``: :func:`load_runtime` (onnxruntime) or a torch model (:func:`load_encoder`, training)."""
    if isinstance(model, GlyphRuntime):
        lead = images.shape[:-2]
        flat = np.ascontiguousarray(images, dtype=np.float32).reshape(-1, 1, *images.shape[-2:])
        out = np.empty((len(flat), model.config["dim"]), dtype=np.float32)
        for i in range(0, len(flat), batch):
            e = model(flat[i : i + batch])
            out[i : i + batch] = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
        return out.reshape(*lead, model.config["dim"])
    import torch

    lead = images.shape[:-2]
    flat = np.ascontiguousarray(images, dtype=np.float32).reshape(-1, 1, *images.shape[-2:])
    dim = model.config["dim"]  # type: ignore[index]
    out = np.empty((len(flat), dim), dtype=np.float32)
    fast = _inference_model(model)
    with torch.inference_mode():
        for i in range(0, len(flat), batch):
            x = torch.from_numpy(flat[i : i + batch]).contiguous(memory_format=torch.channels_last)
            out[i : i + batch] = torch.nn.functional.normalize(fast(x), dim=1).numpy()
    return out.reshape(*lead, dim)


def _inference_model(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` (eval mode) with each convolution's batch norm folded into it, in channels-last layout:
    the same function, about 3x faster on CPU (small batches keep the activations in cache)."""
    import torch
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    if model.training or not isinstance(model, torch.nn.Sequential):
        return model
    layers = list(model)
    fused: list[torch.nn.Module] = []
    i = 0
    while i < len(layers):
        if isinstance(layers[i], torch.nn.Conv2d) and i + 1 < len(layers) and isinstance(layers[i + 1], torch.nn.BatchNorm2d):
            fused.append(fuse_conv_bn_eval(layers[i], layers[i + 1]))  # type: ignore[arg-type]
            i += 2
        else:
            fused.append(layers[i])
            i += 1
    return torch.nn.Sequential(*fused).eval().to(memory_format=torch.channels_last)


def combine(per_font: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
    """Character embeddings from (N, F, D) per-font embeddings: normalised mean over non-blank slots."""
    w = np.ones(per_font.shape[:2], dtype=np.float32) if blank is None else (~blank).astype(np.float32)
    mean = (per_font * w[..., None]).sum(axis=1)
    norm = np.linalg.norm(mean, axis=1, keepdims=True)
    return (mean / np.maximum(norm, 1e-12)).astype(np.float32)


def embed_chars(chars: str, path: str | Path | None = None) -> np.ndarray:
    """Embeddings of characters drawn in the fonts the encoder was trained with (uses glyph tables);
    ``path``: other weights than the shipped ones (run with torch)."""
    from .rendering import glyph_table, render

    model, meta = (load_runtime(), None) if path is None else load_encoder(path)
    meta = model.meta if meta is None else meta  # type: ignore[union-attr]
    fonts = tuple(json.loads(meta.get("fonts", '["song", "hei", "kai"]')))
    size = int(model.config["size"])  # type: ignore[index]
    if len(chars) < 2000:  # drawing a few characters beats building the URO table
        images = render(chars, fonts, size)
    else:
        images = glyph_table(blocks=("uro",), fonts=fonts, size=size).lookup(chars)
    blank = images.reshape(*images.shape[:2], -1).max(axis=2) == 0
    return combine(embed_images(model, images), blank)
