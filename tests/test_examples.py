"""examples/quickstart.py runs and shows what the README promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_quickstart_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "examples" / "quickstart.py")], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout
    assert "我们今天去公园玩" in out and "我真的不好意思" in out and "頭髮" in out
