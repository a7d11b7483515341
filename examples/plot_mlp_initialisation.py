r"""
Why does the initialisation of a deep network matter?
=====================================================

Backpropagation computes the gradient of a deep network exactly, but it can only train the
network if that gradient carries a usable signal down to the first layers. Both directions
multiply through every layer. Forward, a layer with `n_\text{in}` inputs, weights of variance
`\operatorname{Var} W` and zero-mean inputs gives pre-activations of variance

.. math::

   \operatorname{Var} z_l = n_\text{in} \operatorname{Var} W \, \operatorname{E}[a_{l-1}^2],

and backward the error `\delta_{l-1} = (\delta_l W_l^\top) \odot f'(z_{l-1})` picks up a
factor `n_\text{out} \operatorname{Var} W \, \operatorname{E}[f'^2]` per layer. Ten layers
multiply ten such factors: below 1 the signal *vanishes*, above 1 it *explodes*. The named
schemes of :data:`energynets.models.mlp.INITIALIZERS` choose `\operatorname{Var} W` to keep
the factor near 1:

- ``"normal"``: `W \sim \mathcal N(0, 0.01^2)`, the same small scale for every layer (the
  usual start of an RBM, Hinton 2010);
- ``"lecun"``: `\operatorname{Var} W = 1 / n_\text{in}` (LeCun et al. 1998), the forward
  factor 1 for a unit-slope activation;
- ``"xavier_uniform"`` and ``"xavier_normal"``: `\operatorname{Var} W = 2 / (n_\text{in} +
  n_\text{out})` (Glorot and Bengio 2010), a compromise between the forward and backward
  factors;
- ``"he"``: `\operatorname{Var} W = 2 / n_\text{in}` (He et al. 2015): a ReLU zeroes half its
  inputs, which halves `\operatorname{E}[a^2]`, and the 2 puts it back;
- ``"constant"``: every weight equal, to show what random initialisation is for.

We measure each scheme in a network of 10 hidden layers of 64 units on the embedded 8 x 8
digits, with sigmoid, tanh and ReLU units, and add one scheme that is too large,
`W \sim \mathcal N(0, 1)`.
"""

# %%
# The data and the networks
# -------------------------
# The 1,437 training digits of :func:`energynets.datasets.load_digits`, each pixel
# standardised to zero mean and unit variance (as the formulas above assume), and the last
# 360 for testing. With ``rng=0`` every Gaussian scheme draws the same standard normal numbers
# and only scales them differently, so the curves below differ by the scale alone.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en
from energynets.plotting import rbm_filters

X, y = en.datasets.load_digits()
X = X / 16.0
X_train, y_train, X_test, y_test = X[:-360], y[:-360], X[-360:], y[-360:]
mean, std = X_train.mean(axis=0), X_train.std(axis=0)
std[std == 0] = 1.0  # pixels that are blank in every training image stay 0
X_train, X_test = (X_train - mean) / std, (X_test - mean) / std

DEPTH, WIDTH = 10, 64
sizes = [64] + [WIDTH] * DEPTH + [10]


def too_large(n_in, n_out, gen):
    """W ~ N(0, 1): a variance n_in times too large."""
    return gen.standard_normal((n_in, n_out))


schemes = {
    "normal": "normal",
    "LeCun": "lecun",
    "Xavier uniform": "xavier_uniform",
    "Xavier normal": "xavier_normal",
    "He": "he",
    "N(0, 1)": too_large,
}
colors = dict(zip(schemes, ["C7", "C0", "C2", "C8", "C3", "C1"], strict=True))
activations = ["sigmoid", "tanh", "relu"]

# %%
# Signals at the start: forward and backward
# ------------------------------------------
# One batch of 500 images goes forward through each freshly initialised network
# (:meth:`energynets.MLP.forward` returns every layer's activations) and its cross-entropy
# goes backward (:meth:`energynets.MLP.gradient`). For every hidden layer we record the
# spread of its activations (their standard deviation over units and images) and, for every
# weight matrix, the root mean square of its gradient.
batch, labels = X_train[:500], y_train[:500]
spread, gradient = {}, {}
for activation in activations:
    for name, init in schemes.items():
        net = en.MLP(sizes, activation=activation, init=init, rng=0)
        with np.errstate(over="ignore"):  # N(0, 1) overflows a ReLU network's logits
            layers = net.forward(batch)
            _, grads_w, _ = net.gradient(batch, labels)
        spread[activation, name] = [float(a.std()) for a in layers[1:-1]]
        gradient[activation, name] = [float(np.sqrt(np.mean(g**2))) for g in grads_w]

fig, axes = plt.subplots(2, 3, figsize=(11, 6.4), layout="constrained", sharex=True)
for col, activation in enumerate(activations):
    for name in schemes:
        axes[0, col].semilogy(
            range(1, DEPTH + 1), spread[activation, name], "o-", ms=3, color=colors[name]
        )
        axes[1, col].semilogy(
            range(1, DEPTH + 2), gradient[activation, name], "o-", ms=3, color=colors[name],
            label=name,
        )  # fmt: skip
    axes[0, col].set_title(f"{activation} units")
    axes[1, col].set_xlabel("layer (1 = next to the input)")
axes[0, 0].set_ylabel("spread of the activations")
axes[1, 0].set_ylabel("RMS of dLoss/dW")
fig.legend(*axes[1, 0].get_legend_handles_labels(), loc="outside right center", fontsize="small")
fig.suptitle(f"a {DEPTH}-layer network at initialisation, 500 digits")

for activation in activations:
    first = {name: gradient[activation, name][0] for name in schemes}
    print(f"{activation:8s} RMS gradient of the first layer: " +
          ", ".join(f"{k} {v:.0e}" for k, v in first.items()))  # fmt: skip

# %%
# What the pictures say:
#
# - ``normal`` (0.01) makes the spread of every layer's input about
#   `\sqrt{64} \times 0.01 = 0.08` times its predecessor's: tanh and ReLU activations shrink
#   by more than ten per layer, to `10^{-11}` and below at the top, and the gradients of
#   every layer are `10^{-13}` to `10^{-15}`. Sigmoid units stay near `\sigma(0) = 1/2`, all
#   alike, and the gradient vanishes on the way down: each layer multiplies it by at most
#   `\sigma' \le 1/4` times a small weight, down to about `10^{-19}` at the first layer.
# - For tanh, LeCun and the two Xavier schemes (whose variance is the same for square
#   layers, so their curves lie on top of each other) keep the activations and gradients
#   within a factor of a few across all ten layers; He's larger variance does too.
# - For ReLU only He keeps the spread constant: with half its variance (LeCun, Xavier) the
#   mean square of the activations halves at every layer, so their spread falls by
#   `\sqrt 2` per layer, about 30 times over ten layers, and the gradients are some 20 times
#   smaller than with He.
# - ``N(0, 1)`` is eight times too large in standard deviation. ReLU activations explode
#   (`10^{8}` at the top) and so do the gradients; tanh units *saturate* at `\pm 1`, where
#   `f' = 1 - a^2 \approx 0`, and sigmoid units at 0 and 1: the forward signal is big, but
#   little of the gradient gets through.
# - Sigmoid is hard to train deep whatever the scale: `\sigma' \le 1/4`, and its outputs are
#   not centred on 0, so even Xavier's gradient shrinks by about ten per layer (Glorot and
#   Bengio 2010).

# %%
# Does it matter for training?
# ----------------------------
# Ten epochs of plain SGD (learning rate 0.05, batches of 32) from each start, for the tanh
# and ReLU networks. :func:`energynets.fit_mlp` records the mean training loss of each epoch;
# a network that has learned nothing stays at `\ln 10 = 2.30`, the cross-entropy of a
# uniform guess.
n_epochs = 10
curves, accuracy, diverged = {}, {}, {}
for activation in ("tanh", "relu"):
    for name, init in schemes.items():
        net = en.MLP(sizes, activation=activation, init=init, rng=0)
        try:
            net, history = en.fit_mlp(
                net, X_train, y_train, optimizer="sgd", learning_rate=0.05,
                n_epochs=n_epochs, batch_size=32, rng=0,
            )  # fmt: skip
        except en.TrainingDiverged as err:  # N(0, 1) with ReLU overflows to inf, then NaN
            net, history = err.model, err.history
            diverged[activation, name] = err.step
        with np.errstate(all="ignore"):  # a diverged network's logits may still overflow
            accuracy[activation, name] = net.score(X_test, y_test)
        curves[activation, name] = history["loss"]

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", sharey=True)
for ax, activation in zip(axes, ("tanh", "relu"), strict=True):
    for name in schemes:
        loss = np.array(curves[activation, name])
        label = f"{name} ({accuracy[activation, name]:.0%})"
        if (activation, name) in diverged:
            label = f"{name} (diverged at update {diverged[activation, name]})"
        ax.semilogy(range(1, len(loss) + 1), loss, "o-", ms=3, color=colors[name], label=label)
    ax.axhline(np.log(10), color="k", ls=":", lw=1)
    ax.set_title(f"{activation} units, {DEPTH} hidden layers")
    ax.set_xlabel("epoch")
    ax.legend(fontsize="small", title="start (test accuracy)", title_fontsize="small")
axes[0].set_ylabel("mean training loss")
for (activation, name), value in accuracy.items():
    print(f"{activation:5s} {name:15s} test accuracy {value:.1%}")

# %%
# With ``normal`` the tiny gradients move nothing: the loss stays at `\ln 10` and the
# network guesses. With ``N(0, 1)`` the ReLU network's outputs overflow within a few
# updates: :func:`energynets.fit_mlp` stops with :class:`energynets.TrainingDiverged`, which
# says at which update the loss stopped being finite and carries the last good network (here
# the initial one, so it has no curve). The saturated tanh network's loss starts near 10 and
# falls slowly. The well-scaled schemes all learn; He's start is the fastest, for ReLU as
# the forward picture promised, and for tanh too.

# %%
# Symmetry: when all weights start equal
# --------------------------------------
# With ``init="constant"`` every weight of a layer is `1 / n_\text{in}` and the biases are
# zero, so all hidden units of a layer compute the same function. They then receive the
# same error, `\delta_j = \sum_k \delta_k W_{jk}` with equal `W_{jk}` for every `j`, and
# the same update: they stay copies of each other forever, and a layer of 16 units is worth
# one unit. Random initialisation is what breaks this symmetry. A small network
# (64-16-16-10, tanh) trained for 20 epochs shows it:
trained = {}
for name in ("constant", "xavier_uniform"):
    net = en.MLP([64, 16, 16, 10], activation="tanh", init=name, rng=0)
    trained[name], _ = en.fit_mlp(
        net, X_train, y_train, optimizer="sgd", learning_rate=0.05, n_epochs=20,
        batch_size=32, rng=0,
    )  # fmt: skip
    for layer in range(2):
        W = trained[name].weights[layer]
        spread_units = np.abs(W - W[:, :1]).max()  # how far unit j is from unit 0
        print(
            f"{name:15s} layer {layer + 1}: largest |W[:, j] - W[:, 0]| = {spread_units:.2g}, "
            f"largest |W| = {np.abs(W).max():.2g}"
        )
    print(f"{name:15s} test accuracy {trained[name].score(X_test, y_test):.1%}")

# %%
# With the constant start the 16 units of each layer are still identical after 20 epochs,
# bit for bit (the difference is exactly 0, not just small), and the network reaches only
# about 30% test accuracy, where the same network from Xavier's random start reaches about
# 90%. The first layer's weights, as 8 x 8 images: sixteen copies of one filter, against
# sixteen different ones.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.4), layout="constrained")
for ax, name in zip(axes, trained, strict=True):
    rbm_filters(trained[name].weights[0], (8, 8), n_cols=4, ax=ax, title=f'init="{name}"')
fig.suptitle("first-layer weights after 20 epochs (red: excites the unit, blue: inhibits)")
plt.show()

# %%
# References: LeCun, Bottou, Orr and Mueller (1998), Efficient BackProp; Glorot and Bengio
# (2010), Understanding the difficulty of training deep feedforward neural networks; He,
# Zhang, Ren and Sun (2015), Delving deep into rectifiers. See also :doc:`../user_guide/mlp`.
