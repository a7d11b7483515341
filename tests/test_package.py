"""Package-level promises: import has no side effects and loads no heavy module, the public
names exist."""

import subprocess
import sys

import energynets as en

CHECK_IMPORT = """
import sys, time
t = time.perf_counter()
import numpy  # the floor every user pays anyway
t_numpy = time.perf_counter() - t
t = time.perf_counter()
import energynets
t_pkg = time.perf_counter() - t
heavy = [m for m in ("scipy", "matplotlib", "tqdm") if m in sys.modules]
print(t_numpy, t_pkg, ",".join(heavy))
"""


def test_import_is_light():
    out = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORT], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = out[2] if len(out) > 2 else ""
    # scipy, matplotlib and tqdm load on first use, never at import (what keeps the import
    # quick; its time is not asserted here: a timing on a shared machine is not a test)
    assert heavy == "", f"import energynets loaded {heavy}"


def test_public_names():
    for name in ("HopfieldNetwork", "RecallResult", "corrupt", "overlap", "to_spins", "to_bits"):
        assert hasattr(en, name)
    assert callable(en.datasets.glyphs) and callable(en.datasets.load_mnist)
    assert en.__version__.count(".") == 2
