"""``python -m cjkglyph``: the same as the ``cjkglyph`` command."""

import sys

from .cli import main

sys.exit(main())
