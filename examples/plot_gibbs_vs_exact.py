r"""
Do the samplers draw from the Boltzmann distribution?
=====================================================

A Boltzmann machine of 8 bits has only `2^8 = 256` states, so
:func:`energynets.exact.probabilities` can write its distribution
`p(\mathbf s) = e^{-E(\mathbf s)} / Z` out in full. Run many Gibbs and Metropolis chains on the
same machine, count how often each state comes up, and compare: do the histograms agree with
`p` to within sampling noise?
"""

# %%
# A small machine and its exact distribution
# ------------------------------------------
# Random symmetric couplings with a zero diagonal and random biases, on units that take the
# values 0 and 1. States come back in the order of :func:`energynets.all_states`: row `k` is
# the binary code of `k`, first unit most significant.
import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import energynets as en
from energynets.plotting import histogram_vs_exact

n_units = 8
rng = np.random.default_rng(0)
upper = np.triu(rng.normal(scale=0.8, size=(n_units, n_units)), k=1)
machine = en.BoltzmannMachine(upper + upper.T, rng.normal(scale=0.5, size=n_units), units="bits")
states, exact = en.exact.probabilities(machine)
print(machine, f"log Z = {en.exact.log_partition(machine):.4f}")


def state_codes(samples):
    """Index of each state in ``exact.probabilities``: its bits read as a binary number."""
    return samples.astype(np.int64) @ (2 ** np.arange(n_units - 1, -1, -1))


# %%
# Many chains, thinned to nearly independent samples
# --------------------------------------------------
# Samplers take the model, the current states of the chains and a random generator, and
# return new states; the chain state is an explicit value, never stored in the model. 500
# chains start from uniformly random states and run a pilot of 400 sweeps, which serves as
# the burn-in. How far apart must two kept samples be? The integrated autocorrelation time of
# the energy on the pilot says: one sample every few autocorrelation times is close to
# independent, as the chi-square test assumes. Each sampler then continues from the pilot's
# final states, and ``record=True`` keeps the state after every ``thin``-th sweep.
n_chains = 500
start = machine.random_states(n_chains, rng=1)
pilot = en.sampling.gibbs(machine, start, n_sweeps=400, rng=2)
tau = en.sampling.integrated_autocorrelation_time(pilot.energies[100:])
thin = int(np.ceil(5 * tau))
print(f"autocorrelation time of E: {tau:.2f} sweeps; keeping every {thin}-th sweep")

samplers = {"Gibbs": en.sampling.gibbs, "Metropolis": en.sampling.metropolis}
counts, p_values = {}, {}
for k, (name, sampler) in enumerate(samplers.items()):
    run = sampler(machine, pilot.states, n_sweeps=40 * thin, rng=10 + k, thin=thin, record=True)
    codes = state_codes(run.samples).ravel()
    counts[name] = np.bincount(codes, minlength=exact.size)
    # Pearson's chi-square against the exact probabilities, pooling the rare states
    expected = exact * codes.size
    rare = expected < 5
    observed = np.append(counts[name][~rare], counts[name][rare].sum())
    expected = np.append(expected[~rare], expected[rare].sum())
    keep = expected > 0  # (no pooled cell when no state is rare)
    p_values[name] = stats.chisquare(observed[keep], expected[keep]).pvalue
    print(
        f"{name:10s} {codes.size} samples, acceptance {run.acceptance.mean():.3f}, "
        f"chi-square p = {p_values[name]:.3f}"
    )

# %%
# The histograms against the exact distribution
# ---------------------------------------------
# :func:`~energynets.plotting.histogram_vs_exact` draws the sampled frequency of each state
# (bars) next to its exact probability (markers), the 48 most probable states first.
fig, axes = plt.subplots(2, 1, figsize=(10, 6.5), layout="constrained", sharex=True)
for ax, name in zip(axes, samplers, strict=True):
    histogram_vs_exact(counts[name], exact, ax, p_value=p_values[name], max_cells=48)
    ax.set_title(f"{name}: {ax.get_title()}", fontsize="medium")

# %%
# The p-values are unremarkable: nothing distinguishes either sampler's histogram from
# exact samples of the same size. Both kernels leave `p` invariant (detailed balance, see
# :ref:`theory-gibbs`), Gibbs by drawing each unit from its conditional
# `p(s_i = 1 \mid \text{rest}) = \sigma(h_i)`, Metropolis by proposing the flip and accepting
# it with probability `\min(1, e^{-\Delta E})`. Metropolis changes a unit more often (see
# the acceptance above): for a unit with two values, its probability of a change,
# `\min(1, e^{-\Delta E})`, is never below the Gibbs one, `1 / (1 + e^{\Delta E})`.
#
# How close is close? The total variation distance between the sampled and exact
# distributions, next to that of the same number of exact draws
# (:func:`energynets.exact.sample`), which is pure sampling noise:
n_samples = int(counts["Gibbs"].sum())
noise = en.exact.sample(machine, n_samples, rng=3)
noise_counts = np.bincount(state_codes(noise), minlength=exact.size)
tv = {name: 0.5 * np.abs(c / c.sum() - exact).sum() for name, c in counts.items()}
tv["exact draws"] = 0.5 * np.abs(noise_counts / n_samples - exact).sum()
for name, value in tv.items():
    print(f"total variation, {name:11s}: {value:.4f}")

fig, ax = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
ax.bar(list(tv), list(tv.values()), color=["C0", "C1", "0.6"])
ax.set_ylabel("total variation distance to p")
ax.set_title(f"{n_samples} samples each")
plt.show()
