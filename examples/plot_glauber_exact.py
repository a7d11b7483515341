r"""
Glauber dynamics sample the Boltzmann distribution
==================================================

Does the stochastic dynamics at temperature `T > 0` really sample
`p(\mathbf s) = e^{-E(\mathbf s)/T} / Z`? With six units there are only `2^6 = 64` states, so
:mod:`energynets.exact` can write the distribution out, and we can compare it with the
histogram of many Glauber chains after every sweep. They must agree, because each single-unit
update satisfies detailed balance with `p` (:ref:`theory-glauber`). Updating all units at
once does not, and we will see it settle on a different distribution.
"""

# %%
# A small network and its exact distribution
# ------------------------------------------
# Random symmetric couplings with a zero diagonal and random biases: a tiny spin glass.
# :func:`energynets.exact.probabilities` returns all 64 states, in the order of
# :func:`energynets.all_states` (row `k` is the binary code of `k`), and their
# probabilities.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en

n_units, temperature = 6, 1.0
rng = np.random.default_rng(0)
couplings = rng.normal(scale=0.6, size=(n_units, n_units))
couplings = np.triu(couplings, 1) + np.triu(couplings, 1).T  # symmetric, zero diagonal
net = en.HopfieldNetwork(couplings, bias=rng.normal(scale=0.3, size=n_units))

states, exact = en.exact.probabilities(net, temperature=temperature)
print(f"{len(states)} states; the most likely has p = {exact.max():.3f}")


def histogram(samples):
    """Empirical distribution over the 64 states (index = binary code of the spins)."""
    codes = (samples > 0).astype(np.int64) @ (2 ** np.arange(n_units - 1, -1, -1))
    return np.bincount(codes, minlength=2**n_units) / len(samples)


def total_variation(p, q):
    return 0.5 * np.abs(p - q).sum()


# %%
# Run many chains, one sweep at a time
# ------------------------------------
# 10,000 independent chains start in the all-up state. ``recall`` with ``temperature > 0``
# runs Glauber dynamics for exactly ``max_sweeps`` sweeps; calling it one sweep at a time
# with the same :class:`numpy.random.Generator` continues the same random stream, and lets
# us look at the distribution after every sweep.
n_chains, n_sweeps = 10_000, 40
generator = np.random.default_rng(1)
start = np.ones((n_chains, n_units))

histograms = {"async": [], "sync": []}  # the distribution after each sweep
for dynamics, after_sweep in histograms.items():
    chains = start
    for _ in range(n_sweeps):
        step = net.recall(
            chains, dynamics=dynamics, temperature=temperature, max_sweeps=1, rng=generator
        )
        chains = step.states
        after_sweep.append(histogram(chains))
distance = {d: [total_variation(h, exact) for h in hs] for d, hs in histograms.items()}

# The distance that n_chains *exact* samples have from p, from sampling noise alone.
noise_floor = np.mean(
    [
        total_variation(histogram(en.exact.sample(net, n_chains, temperature, rng=seed)), exact)
        for seed in range(5)
    ]
)
print(f"asynchronous Glauber, after {n_sweeps} sweeps: TV = {distance['async'][-1]:.4f}")
print(f"exact samples of the same size:            TV = {noise_floor:.4f}")

# %%
# After a handful of sweeps the histogram of the asynchronous chains matches the exact
# distribution to within sampling noise.
order = np.argsort(exact)[::-1]
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
x = np.arange(len(exact))
ax.bar(x, exact[order], color="0.75", label="exact  exp(-E/T) / Z")
ax.plot(x, histograms["async"][-1][order], "C0o", ms=4, label=f"Glauber, {n_chains} chains")
ax.set_xlabel("state, from most to least likely")
ax.set_ylabel("probability")
ax.set_title(f"6 units at T = {temperature}, after {n_sweeps} asynchronous sweeps")
ax.legend()

# %%
# Synchronous updates sample something else
# -----------------------------------------
# With ``dynamics="sync"`` all units are redrawn at once from the fields of the previous
# state (Little's network). That chain is reversible too, but its stationary distribution is
# `\tilde p(\mathbf s) \propto e^{\mathbf b^\top \mathbf s / T} \prod_i 2\cosh(h_i(\mathbf s)/T)`
# (Peretto 1984), not `e^{-E/T}/Z`. We can write that one out as well:
fields = net.local_fields(states)
log_little = states @ net.bias / temperature + np.log(2 * np.cosh(fields / temperature)).sum(1)
little = np.exp(log_little - log_little.max())
little /= little.sum()
print(f"distance between the two stationary distributions: {total_variation(little, exact):.3f}")

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
sweeps = np.arange(1, n_sweeps + 1)
ax.semilogy(sweeps, distance["async"], "o-", label="asynchronous vs exp(-E/T) / Z")
ax.semilogy(sweeps, distance["sync"], "s-", label="synchronous vs exp(-E/T) / Z")
ax.semilogy(
    sweeps,
    [total_variation(h, little) for h in histograms["sync"]],
    "s:",
    color="C1",
    mfc="none",
    label="synchronous vs Peretto's distribution",
)
ax.axhline(noise_floor, color="k", ls="--", label=f"sampling noise of {n_chains} exact draws")
ax.set_xlabel("sweeps")
ax.set_ylabel("total variation distance")
ax.legend(fontsize="small")

# %%
# The asynchronous chains reach the noise floor within a few sweeps. The synchronous ones
# stall far from the Boltzmann distribution and converge, more slowly, to Peretto's
# distribution instead. To sample `e^{-E/T}`, update one unit at a time.
plt.show()
