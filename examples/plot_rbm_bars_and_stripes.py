r"""
How close do CD-1, PCD and parallel tempering get to the best possible likelihood?
==================================================================================

The 4 x 4 *bars and stripes* are the 30 binary images whose rows are all constant (stripes)
or whose columns are all constant (bars). A model of them can do no better than put
probability `1/30` on each, so the mean log-likelihood of the data is at most
`\ln(1/30) = -3.401` nats. With 16 visible units, an RBM with 16 hidden units has only
`2^{16}` hidden states, so its log-likelihood can be computed *exactly* while it trains, and
different ways of estimating the gradient can be compared on the one number that matters.

The three training methods differ only in where the negative ("model") samples of the
gradient come from: CD-1 restarts a one-step chain at every mini-batch, PCD-1 keeps
persistent chains running across updates, and parallel tempering (PT) keeps persistent chains
at several temperatures that swap states, so that the cold ones can cross between the 30
well-separated modes.
"""

# %%
# The data and the baseline
# -------------------------
# :func:`energynets.datasets.bars_and_stripes` returns all the patterns, as bits. A fresh RBM
# with small random weights (standard deviation 0.1, as in Hinton's ``rbm.m``) is close to the
# uniform distribution over the `2^{16}` images, a log-likelihood of about
# `-16 \ln 2 = -11.09`.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en
from energynets import metrics
from energynets.plotting import pattern_grid

data = en.datasets.bars_and_stripes(4)  # (30, 16)
optimum = -np.log(len(data))
start = en.RBM(16, 16, rng=0, weight_scale=0.1)
print(f"{len(data)} patterns; optimum {optimum:.3f} nats")
initial = metrics.log_likelihood(start, data)
print(f"untrained RBM: {initial:.3f} nats")

# %%
# Three negative phases, one optimiser
# ------------------------------------
# Every run uses the same settings: mini-batches of 10, learning rate 0.1 decreasing linearly
# to zero over 1000 epochs, momentum 0.5, and the visible biases started at the log-odds of
# the pixel means (the default ``init_visible_bias="data"``). PCD keeps 100 persistent
# chains; PT keeps 10 chains with 5 replicas each at inverse temperatures 0, 0.25, ..., 1,
# and uses the centred gradient of Melchior, Fischer and Wiskott (2016)
# (``centering=True``), which makes it markedly better here.
#
# ``monitor="log_likelihood"`` records the exact log-likelihood after every epoch, but each
# evaluation enumerates the `2^{16}` hidden states (about a tenth of a second), which here
# would cost far more than the training. A callback that measures it at a few epochs draws
# the same curve for a fraction of the cost: :func:`energynets.fit_rbm` calls it after each
# epoch with the model being trained (read it, do not change it).
n_epochs = 1000
checkpoints = {50, 100, 200, 400, 600, 800, 1000}
common = dict(
    n_epochs=n_epochs,
    batch_size=10,
    learning_rate=0.1,
    learning_rate_schedule="linear",
    momentum=0.5,
    monitor=(),
    rng=1,
)
methods = {
    "CD-1": dict(method="cd"),
    "PCD-1": dict(method="pcd", n_chains=100),
    "PT, centred": dict(method="pt", n_temperatures=5, n_chains=10, centering=True),
}

models, curves = {}, {}
for name, settings in methods.items():
    curve = [(0, initial, np.nan)]

    def record(epoch, rbm, history, curve=curve):
        if epoch + 1 in checkpoints:
            log_z = metrics.rbm_log_partition(rbm)  # exact, the costly part
            curve.append((epoch + 1, metrics.log_likelihood(rbm, data, log_z=log_z), log_z))

    models[name], _ = en.fit_rbm(start, data, callbacks=[record], **common, **settings)
    curves[name] = np.array(curve)
    print(f"{name:12s} final log-likelihood {curve[-1][1]:.3f} nats")

# %%
# The learning curves
# -------------------
# All three start slowly: until the hidden units break the symmetry of the data, the gradient
# is small. Then CD-1 stalls far from the optimum, near `-5.2`: its one Gibbs step from the
# data never leaves the neighbourhood of the data, so it cannot see, and remove, the
# probability the model puts on images it has never been shown. PCD's persistent chains
# wander further and get closer, though its likelihood wobbles from one checkpoint to the
# next: the chains lag behind the changing weights. Parallel tempering, whose chains mix
# between the modes, ends within about 0.2 nats of `\ln(1/30)`. (Without centring, PT with
# these settings reaches about `-3.9`, like PCD; the recipe of the package's quality test,
# 2000 epochs of centred PT with 10 temperatures and momentum 0.9, reaches `-3.48`.)
fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
for name, curve in curves.items():
    ax.plot(curve[:, 0], curve[:, 1], marker="o", ms=3, label=name)
ax.axhline(optimum, color="k", ls="--", lw=1, label=r"optimum $\ln(1/30)$")
ax.set_ylim(-11.5, -3)
ax.set_xlabel("epoch")
ax.set_ylabel("exact mean log-likelihood (nats)")
ax.set_title("4 x 4 bars and stripes, RBM with 16 hidden units")
ax.legend(loc="lower right")

# %%
# Where the probability goes
# --------------------------
# The exact probability that the model gives to the 30 patterns together is
# `\sum_{\mathbf v \in \text{data}} e^{-F(\mathbf v)} / Z`. Samples tell the same story: run
# 500 block-Gibbs chains from random images for 200 steps and count how many end on a bar
# or a stripe.
known = {row.tobytes() for row in data}
for name, rbm in models.items():
    log_z = curves[name][-1, 2]  # exact log Z of the final model, from the last checkpoint
    mass = np.exp(np.logaddexp.reduce(-rbm.free_energy(data)) - log_z)
    samples = rbm.sample(500, n_steps=200, rng=2)
    valid = np.mean([row.tobytes() in known for row in samples])
    print(f"{name:12s} p(data) = {mass:.3f}   sampled images that are patterns: {valid:.3f}")

# %%
# Samples from the model trained with parallel tempering, as 4 x 4 images (ink = 1); a title
# marks each one that is not a bar or stripe pattern. The model has learned the two rules,
# "all rows equal" and "all columns equal", from the 30 examples alone.
shown = models["PT, centred"].sample(40, n_steps=200, rng=3)
is_pattern = [row.tobytes() in known for row in shown]
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
pattern_grid(
    en.to_spins(shown),
    (4, 4),
    titles=["" if ok else "x" for ok in is_pattern],
    title_colors=["k" if ok else "C3" for ok in is_pattern],
    n_cols=10,
    ax=ax,
)
ax.set_title("40 samples of the trained RBM (x: not a bar or stripe pattern)")
plt.show()
