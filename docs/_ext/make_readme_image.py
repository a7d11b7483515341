"""Draw ``docs/_static/demo-recall.png``, the picture of the README and the front page.

Run from the repository root: ``python docs/_ext/make_readme_image.py``. The picture shows
the letters of HOPFIELD stored with each rule, corrupted (20% of the pixels flipped) and
recalled; every random number comes from a fixed seed, so the file only changes when the
package does.
"""

from __future__ import annotations

from pathlib import Path

import energynets as en
from energynets.plotting import recall_figure, save_figure

TARGET = Path(__file__).resolve().parent.parent / "_static" / "demo-recall.png"


def main() -> None:
    letters, labels = en.datasets.glyphs("HOPFIELD")
    probes = en.corrupt(letters, flip_fraction=0.2, rng=1)
    recalled = {}
    for rule in ("hebbian", "storkey", "pseudoinverse"):
        net = en.HopfieldNetwork.from_patterns(letters, rule=rule)
        recalled[rule] = net.recall(probes, rng=2).states
    fig = recall_figure(
        letters,
        probes,
        recalled,
        en.datasets.glyph_shape(),
        labels,
        title="Letters stored with three rules, 20% of their pixels flipped, and recalled",
    )
    save_figure(fig, TARGET, dpi=100)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
