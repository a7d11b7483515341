r"""
Critical slowing down, and the cluster updates that cure it
===========================================================

At Onsager's critical temperature `T_c = 2 / \ln(1 + \sqrt 2) \approx 2.269` the 2D Ising
model has fluctuations on every scale up to the lattice side `L`. A local update -- one spin
at a time, heat-bath or Metropolis -- moves a domain of size `L` by diffusion, so the
autocorrelation time grows like `\tau \sim L^z` with the dynamic exponent `z \approx 2.17`
(Grassberger 1995: `2.172 \pm 0.006` for heat-bath): every doubling of `L` costs about 4.5
times more sweeps per independent sample. Cluster updates flip whole Fortuin–Kasteleyn
clusters at once: Swendsen–Wang (1987) every cluster of the lattice with probability 1/2,
Wolff (1989) the single cluster of a random seed spin. Their `z` is about 0.25 or less
(Baillie & Coddington 1991, whose data fit a logarithm of `L` as well).

This example measures `\tau` of `|m|` and of `E` at `T_c` for the four updates on small
lattices (a few seconds); the user guide gives the command of the careful run to `L = 64`.
"""

# %%
# Autocorrelation times at T_c
# ----------------------------
# :func:`energynets.experiments.sampling.critical_slowing_down` runs 8 chains of every
# sampler on every side from the same random states, leaves out the first fifth of each run,
# and estimates `\tau` per chain with Sokal's window; the table gives the mean over the
# chains with its standard error. A Wolff *step* flips one cluster, on average a fraction
# `\langle|C|\rangle / N` of the lattice, so its `\tau` is also given in units of work,
# sweep-equivalents (`N` spins flipped): `\tau` in steps times `\langle|C|\rangle / N`.
import matplotlib.pyplot as plt

from energynets.experiments.sampling import critical_slowing_down
from energynets.plotting import slowing_down_figure

result = critical_slowing_down(
    sides=(4, 8, 16),
    n_chains=8,
    n_updates={"heat-bath": 3000, "metropolis": 3000, "wolff": 2000, "swendsen-wang": 1000},
    rng=0,
)
print(result.to_text())

# %%
# `\tau` against `L`, log-log
# ---------------------------
# On a log-log plot a power law is a straight line of slope `z`. The local updates climb
# steeply; the cluster updates barely move, and per unit of work Wolff is already several
# times faster than heat-bath at `L = 16`. Lattices this small are far from the scaling
# regime (the fitted slopes carry large corrections to scaling), which is why the published
# exponents come from runs to `L = 64` and beyond.
fig = slowing_down_figure(result)
plt.figure(fig)

# %%
# Per unit of work, at the largest side
# -------------------------------------
L = result.sides[-1]
for sampler in result.samplers:
    tau = result.column("tau_energy_work", sampler)[-1]
    print(f"{sampler:>13}: tau of E at L = {L} = {tau:6.2f} sweep-equivalents")
plt.show()
