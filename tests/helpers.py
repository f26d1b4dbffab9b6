"""Shared test helpers: hostile input lines and running Python in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Odd but valid lines every text command must process (each test file adds its own).
HOSTILE_TEXTS = [
    "",
    "😀‍👩‍👧 family 👨🏽‍🚀",
    "\x00\x01\x07\x1b[31mred\x7f\x85\u2028\u2029",
    "e\u0301\u0308 combining 字\u0301",
    "עברית مرحبا RTL \u202e 反转",
    "\U00020000\U0002a700\U00030000\U00031350\U000323b0\U0002ebf0 ext",
]


def run_python(code: str) -> str:
    """Stdout of ``python -c code`` in a fresh interpreter (this checkout importable, Auto registration on)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "TRANSFORMERS_VERBOSITY": "error"}
    env.pop("CJKGLYPH_NO_AUTO_REGISTER", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
