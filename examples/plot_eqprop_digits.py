r"""
Equilibrium propagation against backprop on digits
==================================================

Equilibrium propagation trains a network that has no forward pass and no backward pass: an
:class:`~energynets.EnergyNetwork` relaxes to a minimum of its energy with the input clamped
(the free phase), relaxes again with the output nudged towards the label (the nudged phase),
and each weight moves by the difference of the product of the two units it joins between
the two phases. The example :doc:`plot_eqprop_gradient` shows that this difference is the
gradient; here it learns.

:func:`energynets.fit_eqprop` trains a 64-100-10 energy network with a softmax read-out on
the embedded 8 x 8 digits, by equilibrium propagation (``rule="ep"``, a random sign of
`\beta` for each batch) and, as the reference, by the exact gradient of the same network
through its relaxation (``rule="bptt"``); :func:`energynets.fit_mlp` trains a feedforward
64-100-10 sigmoid network by backpropagation. Same data, same optimiser and learning rate,
same batch size and number of epochs.
"""

# %%
# Three networks, one budget
# --------------------------
# The first 1,437 digits train; the last 360 (written by other people) are held out and only
# measured after every epoch, through ``validation_data``. The energy network relaxes for
# 30 steps in the free phase and 10 in the nudged one, the step counts of the reference code
# of Laborieux et al. (2021) for one hidden layer on MNIST.
import matplotlib.pyplot as plt
import numpy as np

import energynets as en

X, y = en.datasets.load_digits()
X = X / 16.0  # grey levels in [0, 1]: the inputs are clamped as they are
X_train, y_train = X[:-360], y[:-360]
X_held, y_held = X[-360:], y[-360:]
common = {
    "optimizer": "momentum",
    "learning_rate": 0.05,
    "n_epochs": 30,
    "batch_size": 20,
    "validation_data": (X_held, y_held),
    "rng": 1,
}

energy_net = en.EnergyNetwork([64, 100, 10], output="softmax", rng=0)
runs = {}
ep_net, runs["equilibrium propagation"] = en.fit_eqprop(
    energy_net, X_train, y_train, rule="ep", beta=0.5, nudging="random", n_free=30,
    n_nudged=10, **common,
)  # fmt: skip
_, runs["BPTT, the same energy network"] = en.fit_eqprop(
    energy_net, X_train, y_train, rule="bptt", n_free=30, **common
)
_, runs["backprop, feedforward network"] = en.fit_mlp(
    en.MLP([64, 100, 10], activation="sigmoid", rng=0), X_train, y_train, **common
)
for name, history in runs.items():
    print(
        f"{name:>30}: held-out accuracy {100 * history['validation_accuracy'][-1]:.1f}%, "
        f"training accuracy {100 * history['accuracy'][-1]:.1f}%, "
        f"{sum(history['time']):.1f} s"
    )

# %%
# The learning curves
# -------------------
# Equilibrium propagation stays close to the curve of the exact gradient of the same network:
# with a nudge of `\beta = 0.5` whose sign changes from batch to batch, its bias is small
# next to the noise of the mini-batches. Both match the held-out accuracy of the feedforward
# network trained by backprop. Against the clock, the energy network is the slower one: a
# batch runs 40 relaxation steps where backprop runs one pass forward and one backward. With
# one hidden layer each step is small (the input's product with the first weights is computed
# once per batch), and their number, not their arithmetic, sets the time; BPTT pays for
# keeping and revisiting all 30 steps of the free phase.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for name, history in runs.items():
    accuracy = 100 * np.array(history["validation_accuracy"])
    (line,) = axes[0].plot(history["epoch"], accuracy, label=name)
    axes[1].plot(np.cumsum(history["time"]), accuracy, color=line.get_color())
axes[0].set(xlabel="epoch", ylabel="held-out accuracy (%)", ylim=(80, 100))
axes[1].set(xlabel="seconds of training", ylim=(80, 100))
axes[0].legend(loc="lower right")
plt.show()

# %%
# What the network learned
# ------------------------
# A prediction is a free phase: the states of the hidden layer settle, and the read-out turns
# the last relaxed layer into class probabilities. The relaxation settles within its 30 steps
# (the history's ``relaxation_residual``, the largest change of a state in the last free
# step, is 0 here), and most hidden units end at exactly 0 or 1.
states = ep_net.relax(X_held, n_steps=30)
hidden = states[0]
print(f"largest change in the last free step of the last epoch: "
      f"{runs['equilibrium propagation']['relaxation_residual'][-1]:.1e}")  # fmt: skip
print(f"hidden units at exactly 0 or 1: {100 * np.mean((hidden == 0) | (hidden == 1)):.0f}%")
wrong = np.flatnonzero(ep_net.predict(X_held) != y_held)
print(f"{wrong.size} of {y_held.size} held-out digits misclassified")

# %%
# What to take from it
# --------------------
# A network that only relaxes, and only changes a weight by what the two units it joins did in
# two relaxations, learns the digits as well as backprop does. Equilibrium propagation pays
# in time: each update needs two relaxations, and it is exact only in the limit of a small
# nudge. On MNIST the same rule trains a 784-500-10 network to a test error of 1.77% in 30
# epochs (see :doc:`../user_guide/eqprop` for the command).
# :class:`energynets.estimators.EqPropClassifier` puts the same training behind
# scikit-learn's ``fit`` and ``predict``.
#
# References: Scellier, B. & Bengio, Y. (2017). Equilibrium propagation: bridging the gap
# between energy-based models and backpropagation. Frontiers in Computational Neuroscience
# 11, 24. Ernoult, M., Grollier, J., Querlioz, D., Bengio, Y. & Scellier, B. (2019). Updates
# of equilibrium prop match gradients of backprop through time in an RNN with static input.
# NeurIPS 2019. Laborieux, A. et al. (2021). Scaling equilibrium propagation to deep ConvNets
# by drastically reducing its gradient estimator bias. Frontiers in Neuroscience 15, 633674.
