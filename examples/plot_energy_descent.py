r"""
Energy descent: asynchronous updates never go uphill, synchronous ones can cycle
================================================================================

Why is the energy the right way to think about a Hopfield network? With one unit updated at a
time, every flip changes the energy by `\Delta E = 2 s_i h_i = -2|h_i| < 0`
(:ref:`theory-descent`), so the energy can only go down and the dynamics must stop at a fixed
point. Updating all units at once breaks this argument: the energy can rise, and the dynamics
can end in a 2-cycle instead. We watch both on a heavily loaded network — 100 units storing 20
random patterns (`\alpha = 0.2`) — started from random states.
"""

# %%
# Asynchronous dynamics, one unit at a time
# -----------------------------------------
# :func:`energynets.sampling.dynamics.trajectory` follows one probe through the same
# asynchronous dynamics as :meth:`~energynets.HopfieldNetwork.recall` and records the state
# and energy every ``record_every`` unit visits. With ``record_every=1`` we see every single
# update.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en
from energynets.sampling.dynamics import trajectory

n_units, n_patterns = 100, 20
patterns = en.datasets.random_patterns(n_patterns, n_units, rng=0)
net = en.HopfieldNetwork.from_patterns(patterns, rule="hebbian")
probes = en.datasets.random_patterns(200, n_units, rng=1)  # unrelated random starts

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
largest_rise = -np.inf
for k in range(6):
    states, energies = trajectory(net, probes[k], record_every=1, max_sweeps=50, rng=10 + k)
    largest_rise = max(largest_rise, np.diff(energies).max())
    ax.plot(np.arange(energies.size) / n_units, energies, lw=1.2, label=f"probe {k}")
ax.set_xlabel("sweeps (unit visits / N)")
ax.set_ylabel("energy E(s)")
ax.set_title("Asynchronous dynamics: the energy never rises")
ax.legend(fontsize="small", ncol=2)
print(f"largest energy change between consecutive unit visits: {largest_rise:.2e}")

# %%
# The largest change between consecutive visits is zero (a visit that leaves the unit alone)
# or negative: not one of the thousands of updates raised the energy, and every probe
# reached a fixed point within a few sweeps.
#
# Synchronous dynamics, all units at once
# ---------------------------------------
# The same probes under ``dynamics="sync"``. The result tells which ones stopped at a fixed
# point (``converged``) and which ones ended in a 2-cycle (``cycled``), two states that map
# onto each other.
sync = net.recall(probes, dynamics="sync", max_sweeps=200)
print(f"fixed points: {sync.converged.sum()},  2-cycles: {sync.cycled.sum()}  (of 200)")

# %%
# Follow one cycling probe step by step — the one whose energy rises the most in a single
# step. Besides the energy we track the function of two consecutive states
#
# .. math::
#
#    L(t) = -\mathbf s(t+1)^\top W \mathbf s(t) - \mathbf b^\top (\mathbf s(t) + \mathbf s(t+1)),
#
# which can never increase under synchronous updates (see the theory page). At a fixed point
# `L = 2E`, so we plot `L/2` on the energy scale.
cycled = np.flatnonzero(sync.cycled)
biggest_rise = [np.diff(sync.energies[:, j]).max() for j in cycled]
k = int(cycled[np.argmax(biggest_rise)])

path = [probes[k]]
for _ in range(int(sync.n_sweeps[k]) + 4):  # a few steps past the start of the cycle
    path.append(net.recall(path[-1], dynamics="sync", max_sweeps=1).states)
path = np.array(path)
energy = net.energy(path)
lyapunov = np.array(
    [
        -path[t + 1] @ net.weights @ path[t] - net.bias @ (path[t] + path[t + 1])
        for t in range(len(path) - 1)
    ]
)
asynchronous = net.recall(probes[k], dynamics="async", rng=2)

fig, (ax_e, ax_d, ax_s) = plt.subplots(
    1, 3, figsize=(12, 4), layout="constrained", width_ratios=(3, 2, 2)
)
ax_e.plot(energy, "o-", label="synchronous: E(s(t))")
ax_e.plot(lyapunov / 2, "s--", label="synchronous: L(t) / 2")
ax_e.plot(asynchronous.energies, "^-", label="asynchronous: E after each sweep")
ax_e.set_xlabel("step (synchronous) / sweep (asynchronous)")
ax_e.set_ylabel("energy")
ax_e.set_title(f"probe {k}", fontsize="medium")
ax_e.legend(fontsize="small")

steps = np.arange(1, len(energy))
change = np.diff(energy)
ax_d.bar(steps, change, color=np.where(change > 0, "C3", "C0"))
ax_d.axhline(0, color="k", lw=0.8)
ax_d.set_yscale("symlog", linthresh=1.0)
ax_d.set_xlabel("synchronous step t")
ax_d.set_ylabel("E(s(t)) - E(s(t-1))")
ax_d.set_title("energy change per step (red: uphill)", fontsize="medium")

side = int(np.sqrt(n_units))
a, b = path[-2], path[-1]
flipping = a != b
rgb = np.repeat(((1 - a) / 2)[:, None], 3, axis=1)  # black for +1, white for -1
rgb[flipping] = (0.84, 0.15, 0.16)
ax_s.imshow(rgb.reshape(side, side, 3))
ax_s.set_xticks([])
ax_s.set_yticks([])
ax_s.set_title(f"2-cycle: {int(flipping.sum())} units (red) flip back and forth", fontsize="medium")
print(f"probe {k}: largest energy rise in one synchronous step: {change.max():.3f}")

# %%
# The synchronous energy is not monotone: it goes uphill on some steps and then alternates
# between the two states of the cycle, while `L(t)` only decreases and then stays constant.
# The asynchronous dynamics started from the same probe descend steadily to a fixed point.
# Use asynchronous updates when the energy matters; synchronous ones are a cheap step for
# recalling well-separated memories, where cycles are rare.
plt.show()
