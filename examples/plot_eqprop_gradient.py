r"""
Does equilibrium propagation compute the gradient?
==================================================

An :class:`~energynets.EnergyNetwork` computes by relaxing: the input is clamped, and the
states `s` of the other layers settle at a minimum `s^0` of the energy `E`. Its loss is the
cost of that fixed point, `L(\theta) = C(s^0(\theta), y)`. Equilibrium propagation (Scellier
& Bengio 2017) never differentiates anything: it relaxes a second time with the output
nudged towards the target, to the minimum `s^\beta` of `F = E + \beta C`, and moves each
weight by the change of a purely local, Hebbian quantity `H = -\partial E / \partial \theta`
(for `W_l`, the product `s_{l-1}^\top s_l`) between the two phases:

.. math::

   \frac{\partial L}{\partial \theta}
   \approx -\frac{H(s^\beta) - H(s^0)}{\beta} \quad\text{(one-sided)}, \qquad
   \frac{\partial L}{\partial \theta}
   \approx -\frac{H(s^\beta) - H(s^{-\beta})}{2\beta} \quad\text{(symmetric)}.

Is that the gradient? Here the exact gradient comes from two independent computations,
recurrent backprop at the fixed point (:func:`~energynets.learning.eqprop_gradients.rbp_gradient`,
checked against finite differences) and backprop through time through the relaxation itself
(:func:`~energynets.learning.eqprop_gradients.bptt_gradient`), and equilibrium propagation
(:func:`~energynets.learning.eqprop_gradients.ep_gradient`) is measured against them, in
total and step by step (the GDU property of Ernoult et al. 2019). The theory is in
:ref:`theory-eqprop`.
"""

# %%
# A small network and its exact gradient
# --------------------------------------
# Two hidden layers, 10-12-10-5, a squared-error output, random inputs and targets for 20
# rows, float64. The relaxation is the prototypical setting (``dt=1``): every step sets the
# states to the fields of their neighbours, clipped to [0, 1]; more than a third of the hidden
# units end up held at 0 or 1. Recurrent backprop gives the gradient of the loss at the fixed
# point; central finite differences of the loss itself agree with it, and so does backprop
# through the 300 steps of the relaxation.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en
from energynets.learning.eqprop_gradients import (
    bptt_gradient,
    chl_gradient,
    ep_gradient,
    ep_increments,
    rbp_gradient,
)


def relative_error(estimate, reference):
    """||a - b|| / ||b|| over all the weight matrices together."""
    a = np.concatenate([w.ravel() for w in estimate])
    b = np.concatenate([w.ravel() for w in reference])
    return np.linalg.norm(a - b) / np.linalg.norm(b)


gen = np.random.default_rng(0)
net = en.EnergyNetwork([10, 12, 10, 5], output="squared", rng=0)
X, Y = gen.random((20, 10)), gen.random((20, 5))
free = net.relax(X, n_steps=300)
held = np.mean(np.concatenate([((s == 0) | (s == 1)).ravel() for s in free[:-1]]))
print(f"hidden units held at 0 or 1 at the fixed point: {100 * held:.0f}%")

exact = rbp_gradient(net, X, Y, n_free=300, n_backward=300)
targets = net.check_targets(Y, len(X))


def loss(model):
    return float(np.mean(model.cost(model.relax(X, n_steps=300), targets)))


for layer, index in ((1, (3, 4)), (2, (5, 2))):
    up, down = net.copy(), net.copy()
    up.weights[layer][index] += 1e-6
    down.weights[layer][index] -= 1e-6
    numeric = (loss(up) - loss(down)) / 2e-6
    print(f"dL/dW{layer + 1}{index}: recurrent backprop {exact.weights[layer][index]:+.8f}, "
          f"finite differences {numeric:+.8f}")  # fmt: skip
bptt = bptt_gradient(net, X, Y, n_steps=300)
print(f"BPTT through 300 steps against recurrent backprop: relative error "
      f"{relative_error(bptt.weights, exact.weights):.1e}")  # fmt: skip

# %%
# The estimate as beta shrinks
# ----------------------------
# Equilibrium propagation is exact only in the limit `\beta \to 0`. Expanding `H(s^\beta)`
# in `\beta`, the one-sided difference keeps the second-order term and is off by
# `O(\beta)`; in the symmetric difference the even terms cancel and the error is
# `O(\beta^2)` (Laborieux et al. 2021). On a log-log plot the errors fall on lines of slope
# 1 and 2; the symmetric estimate reaches a relative error of about `10^{-5}` at
# `\beta = 10^{-3}`, for units that saturate as well as for those that do not. Contrastive
# Hebbian learning (Movellan 1991), which clamps the output to the target instead of nudging
# it, is not a small perturbation of the free phase, and its update is not the gradient.
betas = np.logspace(-1, -3, 5)
errors = {}
for nudging in ("one-sided", "symmetric"):
    errors[nudging] = [
        relative_error(
            ep_gradient(net, X, Y, beta=b, nudging=nudging, n_free=300, n_nudged=300).weights,
            exact.weights,
        )
        for b in betas
    ]
    slope = np.polyfit(np.log(betas), np.log(errors[nudging]), 1)[0]
    print(f"{nudging:>9}: error {errors[nudging][-1]:.1e} at beta = 1e-3, slope {slope:.2f}")
chl = chl_gradient(net, X, Y, n_free=300, n_clamped=300)
print(f"contrastive Hebbian learning: error {relative_error(chl.weights, exact.weights):.2f}")

fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
for nudging, marker in (("one-sided", "o"), ("symmetric", "s")):
    ax.loglog(betas, errors[nudging], marker=marker, label=f"EP, {nudging}")
ax.loglog(betas, errors["one-sided"][0] * betas / betas[0], "k:", lw=1, label="slope 1")
ax.loglog(betas, errors["symmetric"][0] * (betas / betas[0]) ** 2, "k--", lw=1,
          label="slope 2")  # fmt: skip
ax.set(xlabel=r"$\beta$", ylabel="relative error against the exact gradient",
       title="The bias of equilibrium propagation")  # fmt: skip
ax.legend()
plt.show()

# %%
# Step by step: the GDU property
# ------------------------------
# Ernoult et al. (2019) go further. Run BPTT backwards from the fixed point: at its `k`-th
# step back it has the gradient of the loss with respect to the states `k` steps before
# the end, and the part of the weights' gradient that step contributes. Run the nudged phase
# forwards from the same fixed point: at its `k`-th step the states move by
# `\Delta s(k) = (s^\beta_{k+1} - s^\beta_k) / \beta` and the Hebbian product by
# `\Delta W(k)`. In the discrete-time setting the two sequences are the same, one step at
# a time, up to the sign: :func:`~energynets.learning.eqprop_gradients.ep_increments`
# against ``bptt_gradient(..., per_step=True)``. The nudged phase *is* backprop through
# time, run forward by the network's own dynamics. Units held at 0 or 1 neither move in the
# nudged phase nor pass an error back in BPTT, so the equality holds for them too. (The zig-zag
# is the layering: all layers are updated at once and each talks only to its neighbours, so
# the nudge of the output reaches the second hidden layer at odd steps only.)
ds, dw = ep_increments(net, X, Y, beta=1e-4, n_free=300, n_nudged=12)
_, state_grads, weight_grads = bptt_gradient(net, X, Y, n_steps=300, per_step=True)
steps = np.arange(12)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
ep_states = np.array([d[1] for d in ds])  # the second hidden layer, mean over the rows
bptt_states = -np.array([g[1] for g in state_grads[:12]])
ep_weights = np.array([d[1].ravel() for d in dw])  # the weights between the hidden layers
bptt_weights = -np.array([g[1].ravel() for g in weight_grads[:12]])
for ax, ep, bp, what in (
    (axes[0], ep_states, bptt_states, "units of the second hidden layer"),
    (axes[1], ep_weights, bptt_weights, "weights between the hidden layers"),
):
    shown = np.argsort(-np.abs(bp).max(axis=0))[:5]  # the five that move most
    for i, unit in enumerate(shown):
        ax.plot(steps, bp[:, unit], color=f"C{i}", lw=3, alpha=0.4)
        ax.plot(steps, ep[:, unit], color=f"C{i}", ls="--", marker=".")
    ax.set(xlabel="step k of the nudged phase / of BPTT backwards", title=what)
axes[0].plot([], [], "k", lw=3, alpha=0.4, label="BPTT, $-\\partial L/\\partial s$")
axes[0].plot([], [], "k--", marker=".", label="EP, $\\Delta s(k)$")
axes[0].legend()
plt.show()
gap = max(np.abs(ep_weights - bptt_weights).max(), np.abs(ep_states - bptt_states).max())
print(f"largest difference over the 12 steps: {gap:.1e} "
      f"(the updates themselves reach {np.abs(bptt_states).max():.2f})")  # fmt: skip

# %%
# What to take from it
# --------------------
# The relaxation of an energy-based network, nudged a little towards the target, computes the
# same numbers as backpropagation through time, with nothing but the network's own dynamics
# and a local rule at each synapse: the Hebbian product after the nudge minus the one before.
# The price is the choice of `\beta`: too large and the estimate is biased (the symmetric
# difference makes the bias quadratic), too small and the difference of two relaxations
# drowns in rounding, which float32 reaches much sooner than float64. In training, a random
# sign of `\beta` for each batch (``nudging="random"``) averages to the symmetric estimate
# at the cost of one nudged phase. The example
# :doc:`plot_eqprop_digits` trains with it.
#
# References: Scellier, B. & Bengio, Y. (2017). Equilibrium propagation: bridging the gap
# between energy-based models and backpropagation. Frontiers in Computational Neuroscience
# 11, 24. Ernoult, M., Grollier, J., Querlioz, D., Bengio, Y. & Scellier, B. (2019). Updates
# of equilibrium prop match gradients of backprop through time in an RNN with static input.
# NeurIPS 2019. Laborieux, A. et al. (2021). Scaling equilibrium propagation to deep ConvNets
# by drastically reducing its gradient estimator bias. Frontiers in Neuroscience 15, 633674.
# Movellan, J. R. (1991). Contrastive Hebbian learning in the continuous Hopfield model.
# Connectionist Models, 10-17.
