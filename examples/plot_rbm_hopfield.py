r"""
Is a Hopfield network an RBM with Gaussian hidden units?
========================================================

The 2024 Nobel prize in physics went to Hopfield, for the associative memory that descends an
energy, and to Hinton, for the Boltzmann machine that samples one. The two models are closer
than they look. Take an RBM whose visible units are spins `v_i = \pm 1` and whose hidden
units are real numbers `h_\mu` with a standard Gaussian prior,

.. math::

   E(\mathbf v, \mathbf h) = -\mathbf v^\top W \mathbf h + \tfrac12 |\mathbf h|^2
                             - \mathbf a^\top \mathbf v .

Integrating the hidden units out is a Gaussian integral, one hidden unit at a time, with
`x_\mu = (W^\top \mathbf v)_\mu`:

.. math::

   \int e^{x_\mu h_\mu - h_\mu^2 / 2}\, dh_\mu = \sqrt{2\pi}\, e^{x_\mu^2 / 2}
   \quad\Longrightarrow\quad
   F(\mathbf v) = -\ln \int e^{-E(\mathbf v, \mathbf h)}\, d\mathbf h
   = -\tfrac12 \mathbf v^\top W W^\top \mathbf v - \mathbf a^\top \mathbf v
     - \tfrac M2 \ln 2\pi .

Since `v_i^2 = 1`, the diagonal of `W W^\top` only adds a constant: the visible units of this
RBM follow the Boltzmann distribution of a Hopfield network with couplings
`J = W W^\top = \sum_\mu \mathbf w_\mu \mathbf w_\mu^\top` (zero diagonal) and bias
`\mathbf a`, one outer product per hidden unit. With the patterns as the columns of `W`, that
is Hebb's rule. :meth:`energynets.HopfieldNetwork.from_gaussian_rbm` builds this network. Does
it hold numerically?
"""

# %%
# A small RBM, integrated numerically
# -----------------------------------
# Ten spin visible units and three Gaussian hidden units: the `2^{10} = 1024` visible states
# can all be listed. :class:`energynets.RBM` has Bernoulli hidden units, so this Gaussian-hidden
# RBM is written out in a few lines of NumPy. The integral over each hidden unit is computed
# by Gauss–Hermite quadrature, independently of the closed form above: 60 nodes `t_k` and
# weights `\omega_k` for the weight function `e^{-t^2/2}` give
# `\int e^{x h - h^2/2} dh \approx \sum_k \omega_k e^{x t_k}`.
import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy import stats
from scipy.special import expit, logsumexp

import energynets as en
from energynets.plotting import pattern_grid

n_visible, n_hidden = 10, 3
rng = np.random.default_rng(0)
W = rng.normal(scale=0.3, size=(n_visible, n_hidden))  # one column per hidden unit
a = rng.normal(scale=0.2, size=n_visible)

states = en.all_states(n_visible)  # (1024, 10) spins
nodes, weights = hermegauss(60)
x = states @ W  # (1024, 3): the input to each hidden unit
log_integrals = logsumexp(x[:, :, None] * nodes + np.log(weights), axis=2)  # (1024, 3)
free_energy = -states @ a - log_integrals.sum(axis=1)  # F(v), by quadrature

net = en.HopfieldNetwork.from_gaussian_rbm(W, a)
energy = net.energy(states)  # -1/2 v^T J v - a^T v, J = W W^T without its diagonal
constant = -0.5 * np.sum(W**2) - 0.5 * n_hidden * np.log(2 * np.pi)
print(net)
gap = np.abs(free_energy - (energy + constant)).max()
print(f"largest |F(v) - (E(v) + c)| over all states: {gap:.1e}")

# %%
# Sampling the RBM samples the Hopfield network
# ---------------------------------------------
# The same equivalence seen through samples: block Gibbs sampling of the RBM alternates
# `\mathbf h \mid \mathbf v \sim \mathcal N(W^\top \mathbf v, I)` and
# `p(v_i = +1 \mid \mathbf h) = \sigma\bigl(2 (a_i + (W \mathbf h)_i)\bigr)`. Run 20,000
# independent chains for 50 steps each and keep the final visible state of each: these
# should come up with the probabilities that :func:`energynets.exact.probabilities` gives for
# the Hopfield network at temperature 1, which a chi-square test checks.
n_chains, n_steps = 20_000, 50
v = rng.choice([-1.0, 1.0], size=(n_chains, n_visible))
for _ in range(n_steps):
    h = v @ W + rng.standard_normal((n_chains, n_hidden))
    v = np.where(rng.random((n_chains, n_visible)) < expit(2 * (a + h @ W.T)), 1.0, -1.0)
codes = (v > 0) @ 2 ** np.arange(n_visible - 1, -1, -1)  # row k of all_states has code k
counts = np.bincount(codes, minlength=len(states))
_, exact = en.exact.probabilities(net)
expected = exact * n_chains
rare = expected < 5  # pooled, as the chi-square test needs
test = stats.chisquare(
    np.append(counts[~rare], counts[rare].sum()), np.append(expected[~rare], expected[rare].sum())
)
print(f"chi-square test of the RBM samples against the Hopfield network: p = {test.pvalue:.2f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4.3), layout="constrained")
ax = axes[0]
ax.scatter(energy + constant, free_energy, s=6, alpha=0.6)
lims = [free_energy.min() - 0.3, free_energy.max() + 0.3]
ax.plot(lims, lims, color="k", lw=1, ls="--", label="identity")
ax.set_xlabel(r"Hopfield energy $E(\mathbf{v})$ + constant")
ax.set_ylabel(r"RBM free energy $F(\mathbf{v})$, by quadrature")
ax.set_title("all 1024 states")
ax.legend()
ax = axes[1]
ax.loglog(exact, counts / n_chains, ".", ms=4, alpha=0.6)
ax.plot([exact.min(), exact.max()], [exact.min(), exact.max()], color="k", lw=1, ls="--")
ax.set_xlabel("Hopfield network, exact probability")
ax.set_ylabel("RBM block Gibbs, sampled frequency")
ax.set_title(f"{n_chains} independent chains, chi-square p = {test.pvalue:.2f}")

# %%
# The free energy of every state lies on the identity line, up to rounding; the sampled
# frequencies scatter around it by sampling noise only (most for the rare states, seen a few
# times or not at all; states never drawn are left out of the log-log plot), and the
# chi-square test finds no difference. The hidden units have been integrated away, and what
# is left is a Hopfield network.
#
# A memory in every hidden unit
# -----------------------------
# Now the other way: store five random patterns of 100 spins, `\boldsymbol\xi^\mu`, as the
# weight columns of an RBM, `\mathbf w_\mu = \boldsymbol\xi^\mu / \sqrt N`. The Hopfield
# network it integrates out to has `J = \frac1N \sum_\mu \boldsymbol\xi^\mu
# \boldsymbol\xi^{\mu\top}`, Hebb's rule exactly; the input to hidden unit `\mu`,
# `x_\mu = \boldsymbol\xi^\mu \cdot \mathbf v / \sqrt N = \sqrt N\, m_\mu`, is the overlap of the
# state with memory `\mu`. Recall with the zero-temperature dynamics of the Hopfield network
# brings each corrupted pattern back.
patterns = en.datasets.random_patterns(5, 100, rng=1)
rbm_weights = patterns.T / np.sqrt(100)  # (100, 5): one hidden unit per memory
memory = en.HopfieldNetwork.from_gaussian_rbm(rbm_weights)
hebbian = en.HopfieldNetwork.from_patterns(patterns, rule="hebbian")
print("same weights as Hebb's rule:", np.allclose(memory.weights, hebbian.weights))

probes = en.corrupt(patterns, flip_fraction=0.25, rng=2)
result = memory.recall(probes, rng=3)
print("hidden inputs / sqrt(N) of the probes (overlaps with each memory):")
print((probes @ rbm_weights / np.sqrt(100)).round(2))
print(
    "overlap of the recalled states with their patterns:",
    en.overlap(result.states, patterns).diagonal(),
)

fig, axes = plt.subplots(3, 1, figsize=(6, 4.6), layout="constrained")
for ax, images, label in zip(
    axes, [patterns, probes, result.states], ["stored", "25% flipped", "recalled"], strict=True
):
    pattern_grid(images, (10, 10), n_cols=5, ax=ax)
    ax.set_ylabel(label)
axes[0].set_title("Memories stored as the weight columns of a Gaussian-hidden RBM")

# %%
# The patterns live in the RBM's weights, one memory per hidden unit, and the recall runs on
# the Hopfield network those weights define: the associative memory of Hopfield (1982) is the
# visible marginal of a Boltzmann machine with Gaussian hidden units (Barra, Bernacchia,
# Santucci and Contucci 2012). With Bernoulli instead of Gaussian hidden units, each hidden
# unit contributes `\ln(1 + e^{x_\mu})` instead of `x_\mu^2 / 2` to `-F`: the RBMs trained in
# :doc:`/user_guide/rbm` are, in this sense, Hopfield networks with a different interaction
# function, the view that the dense associative memories of Krotov and Hopfield (2016) take
# further.
plt.show()
