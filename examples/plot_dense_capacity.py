r"""
Dense memories: capacity beyond the classical limit
===================================================

The classical Hopfield network of `N` units holds about `N / (2 \ln N)` random patterns
exactly. A dense associative memory with energy `E = -\sum_\mu F(\xi^\mu \cdot s)` holds far
more: `N^{n-1} / (2 (2n-3)!! \ln N)` for `F(z) = z^n` (Krotov & Hopfield 2016) and a number
exponential in `N` for `F(z) = e^z` (Demircigil et al. 2017); the modern Hopfield network
(Ramsauer et al. 2020) retrieves with one softmax update. Here all of them store the same
random patterns at `N = 100`, and
:func:`energynets.plotting.dense_capacity_figure` draws the measurements over the predictions.
"""

# %%
# Measure
# -------
# Loads from 10 to 3000 patterns; at most 40 probes (10% of the bits flipped) per load, and at
# most 10 sweeps per recall (above capacity the probes wander for long and are lost anyway).
import matplotlib.pyplot as plt

import energynets as en
from energynets.experiments.capacity import run_correlated_recall, run_dense_capacity
from energynets.plotting import dense_capacity_figure

result = run_dense_capacity(
    n_units=100,
    n_patterns=[10, 30, 100, 300, 1000, 3000],
    models=["hebbian", "storkey", "polynomial-3", "polynomial-4", "exponential", "modern"],
    max_probes=40,
    max_sweeps=10,
    rng=0,
)
print(result.to_text())

# %%
# Plot against the theory
# -----------------------
# Each dashed line is a model's predicted capacity, in its color. The cubic memory breaks
# down where Krotov and Hopfield predict; degree 4 (7238), the exponential (about 10^8 at
# this noise) and the modern network are still perfect at P = 30 N.
fig = dense_capacity_figure(result)
plt.figure(fig)

# %%
# Correlated patterns
# -------------------
# The 36 built-in glyphs overlap strongly. The Hebbian network recalls none of them; a high
# degree or the exponential restores every one.
patterns, labels = en.datasets.glyphs()
table, recalled, probes = run_correlated_recall(
    patterns, models=["hebbian", "polynomial-3", "polynomial-20", "exponential", "modern"], beta=0.5
)
print(table.to_text())
shown = [labels.index(c) for c in "DENSE"]
fig = en.plotting.recall_figure(
    patterns[shown],
    probes[shown],
    {name: states[shown] for name, states in recalled.items()},
    en.datasets.glyph_shape(),
    labels=[labels[k] for k in shown],
)
plt.figure(fig)
plt.show()
