r"""
Storage capacity: measured curves against the theory
====================================================

How many random patterns can a Hopfield network of `N` units store, and do the textbook
formulas predict it? :func:`energynets.experiments.capacity.run_capacity` stores `P = \alpha N`
random patterns with each rule over a range of loads `\alpha` and measures four things: the
bits that are unstable on the first update, the patterns that are fixed points, the noisy
probes that are recalled exactly, and the bits that end wrong after relaxing from a stored
pattern. :func:`energynets.plotting.capacity_figure` draws them next to the theory. This
example uses a small network, `N = 100`, so that it runs in seconds; ``energynets capacity
--n-units 1000`` runs the same experiment at a size where the large-`N` theory applies more
closely.
"""

# %%
# Run the experiment
# ------------------
# Three independent pattern sets per load; at most 20 probes per load and trial (each a
# stored pattern with 10% of its bits flipped) keep the high loads cheap. The seed fixes
# every random number of the experiment.
import matplotlib.pyplot as plt
import numpy as np

from energynets.experiments.capacity import (
    ALPHA_C,
    mceliece_capacity,
    run_capacity,
    storkey_capacity,
)
from energynets.plotting import capacity_figure

n_units = 100
alphas = np.round(np.arange(0.04, 0.61, 0.04), 2)
result = run_capacity(
    n_units=n_units, alphas=alphas, n_trials=3, flip_fraction=0.1, max_probes=20, rng=0
)
print(result.to_text())

# %%
# The four measurements against the load
# --------------------------------------
# :func:`~energynets.plotting.capacity_figure` returns a Matplotlib figure built without
# pyplot; ``plt.figure(fig)`` hands it to pyplot so that it is displayed.
fig = capacity_figure(result)
plt.figure(fig)

# %%
# Reading the curves
# ------------------
# - **One-step error** (Hebbian): the measured fraction of unstable bits follows
#   `P_\mathrm{err} = \frac12 \operatorname{erfc}\sqrt{N/2P}` closely already at
#   `N = 100`, because it is a single-update property of the signal-plus-crosstalk field.
# - **Fixed points**: the Hebbian patterns stop being exact fixed points a little beyond
#   the McEliece loads, and Storkey's rule keeps them up to a much higher load. The
#   pseudo-inverse rule stores every pattern exactly at any load `P < N`.
# - **Recall from 10% noise** collapses for the Hebbian rule near `\alpha_c = 0.138`;
#   the transition is smeared out at this small `N`.
# - **Errors after relaxing** from the stored pattern stay small below `\alpha_c` and jump
#   above it, where the retrieval state no longer exists.
#
# The theoretical loads for this `N`, as fractions of `N` (the vertical lines of the
# figure):
print(f"critical load alpha_c          : {ALPHA_C:.3f}")
print(f"McEliece, most patterns, 1/(2 ln N): {mceliece_capacity(n_units) / n_units:.3f}")
print(
    "McEliece, all patterns, 1/(4 ln N) : "
    f"{mceliece_capacity(n_units, all_patterns=True) / n_units:.3f}"
)
print(f"Storkey, 1/sqrt(2 ln N)            : {storkey_capacity(n_units) / n_units:.3f}")

# %%
# The same experiment from the command line, at a larger size and with the table printed:
# ``energynets capacity --n-units 500``. As `N` grows, the Hebbian recall curve sharpens
# towards a step at `\alpha_c`, and the McEliece loads, which shrink like `1/\ln N`, move
# to the left of it.
plt.show()
