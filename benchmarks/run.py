"""``python benchmarks/run.py``: the same as ``python -m benchmarks``, run as a script."""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # As a script, sys.path[0] is benchmarks/ itself; the package lives one level up.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.runner import main

    raise SystemExit(main())
