r"""
First recall: from a corrupted probe back to the stored pattern
===============================================================

Does a Hopfield network really recall a stored pattern from a badly corrupted copy, and how
fast? We store six random patterns of 100 units with the Hebbian rule (a load
`\alpha = P/N = 0.06`, far below the critical load 0.138), flip 30% of the units of each one,
and let the asynchronous dynamics relax every probe. The result records the overlap with
each stored pattern and the energy after every sweep.
"""

# %%
# Store, corrupt, recall
# ----------------------
# Patterns are rows of spins -1/+1. :func:`energynets.corrupt` flips exactly 30 of the
# 100 units of each row, so every probe starts at overlap `m = 1 - 2 \cdot 0.3 = 0.4` with
# its pattern.
import matplotlib.pyplot as plt

import energynets as en
from energynets.plotting import energy_trace, overlap_trace, recall_figure

n_units, n_patterns = 100, 6
patterns = en.datasets.random_patterns(n_patterns, n_units, rng=0)
net = en.HopfieldNetwork.from_patterns(patterns, rule="hebbian")
probes = en.corrupt(patterns, flip_fraction=0.3, rng=1)

result = net.recall(probes, dynamics="async", max_sweeps=20, rng=2)

print(net)
print("converged:        ", result.converged)
print("sweeps taken:     ", result.n_sweeps)
print("exactly recalled: ", (result.states == patterns).all(axis=1))

# %%
# What the probes became
# ----------------------
# :func:`energynets.plotting.recall_figure` draws each pattern as a 10 x 10 image: the stored
# pattern, the probe with 30% of its pixels flipped, and the state the dynamics ended in,
# with its overlap `m` above it (green when the recall is exact). The plotting functions
# build figures without pyplot; ``plt.figure(fig)`` hands one to pyplot for display.
fig = recall_figure(
    patterns, probes, result.states, shape=(10, 10), title="Hebbian network, N = 100, P = 6"
)
plt.figure(fig)

# %%
# Overlap and energy after every sweep
# ------------------------------------
# ``result.overlaps[t, k, mu]`` is the overlap of probe ``k`` with pattern ``mu`` after
# ``t`` sweeps (row 0 is the probe itself), and ``result.energies[t, k]`` its energy.
# :func:`~energynets.plotting.overlap_trace` and :func:`~energynets.plotting.energy_trace`
# draw them into any Matplotlib axes. The overlap with its own pattern jumps from 0.4 to 1
# within one or two sweeps, while the largest overlap with any other pattern stays small,
# of order `1/\sqrt N`; the energy falls at every sweep until the probe sits at a fixed
# point, at the energy of its stored pattern (dotted).
labels = [f"probe {k}" for k in range(n_patterns)]
fig, (ax_m, ax_e) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
overlap_trace(result.overlaps, ax=ax_m, labels=labels)
energy_trace(result.energies, ax=ax_e)
for k, energy in enumerate(net.energy(patterns)):
    ax_e.axhline(energy, color=f"C{k}", ls=":", lw=1)
ax_m.set_title("overlap with the stored patterns", fontsize="medium")
ax_e.set_title("energy of each probe", fontsize="medium")

# %%
# Every probe ends on its own pattern, at the energy of the stored patterns,
# `E(\boldsymbol\xi) \approx -\frac{N}{2}`. The same network with many more patterns
# (try ``n_patterns = 20``) no longer recalls them: see
# :doc:`plot_capacity` for how the capacity depends on the load.
plt.show()
