r"""
What does dropout do to an overfitting network?
===============================================

A network with far more weights than training examples can learn the training set by heart:
its training loss goes to zero while its loss on new examples turns round and grows. Dropout
(Srivastava et al. 2014) fights this by training, at every step, a different *thinned*
network: each hidden unit (and, optionally, each input) is dropped with probability `p`,
independently in every example, and the kept ones are scaled by `1 / (1 - p)`. A unit can no
longer rely on particular other units being there, and the weights become those of an
average of exponentially many thinned networks. Thanks to the scaling, each unit's expected
input is unchanged, so the full network is used as it is for prediction ("inverted"
dropout):

.. math::

   \tilde a_j = \frac{m_j}{1 - p} \, f(z_j), \qquad m_j \sim \text{Bernoulli}(1 - p),
   \qquad \operatorname{E}[\tilde a_j] = f(z_j).

The gradient of a step is exactly that of the thinned network: the backward pass multiplies
the error of each unit by the same `m_j / (1 - p)`. Here :func:`energynets.fit_mlp` trains the
same 64-256-256-10 ReLU network on 500 of the embedded 8 x 8 digits three times: without
dropout, with ``dropout=0.5`` on the hidden units, and with ``input_dropout=0.2`` on the
pixels as well, the rates that Srivastava et al. recommend.
"""

# %%
# Training the same network three ways
# ------------------------------------
# The first 500 training digits train; the 360 test digits (written by other people) are
# held out and only measured, after every epoch, through ``validation_data``. Every run uses
# the same initial weights and the same seed for the batch order and the masks.
import matplotlib.pyplot as plt

import energynets as en

X, y = en.datasets.load_digits()
X = X / 16.0
X_train, y_train = X[:500], y[:500]
X_held, y_held = X[-360:], y[-360:]

net = en.MLP([64, 256, 256, 10], activation="relu", rng=0)
runs = {
    "no dropout": {},
    "dropout 0.5": {"dropout": 0.5},
    "dropout 0.5, inputs 0.2": {"dropout": 0.5, "input_dropout": 0.2},
}
histories = {}
for name, options in runs.items():
    trained, history = en.fit_mlp(
        net, X_train, y_train, learning_rate=1e-3, n_epochs=100, batch_size=20,
        validation_data=(X_held, y_held), rng=1, **options,
    )  # fmt: skip
    histories[name] = history
    print(
        f"{name:>24}: training loss {history['loss'][-1]:.4f}, held-out loss "
        f"{history['validation_loss'][-1]:.3f}, held-out accuracy "
        f"{100 * history['validation_accuracy'][-1]:.1f}%"
    )

# %%
# The learning curves
# -------------------
# Without dropout the training loss falls towards zero within a few dozen epochs, and the
# held-out loss reaches its minimum early and then climbs again: the network grows ever more
# confident on the digits it has seen, including where it is wrong on new ones. Dropout on
# the hidden units slows that climb, and dropping pixels as well holds the held-out loss near
# its minimum to the end, while the training loss of the thinned networks stays orders of
# magnitude above the plain network's. The held-out accuracy (printed above) changes much
# less than the loss: on a problem this small, dropout mostly keeps the network from
# becoming overconfident.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for name, history in histories.items():
    (line,) = axes[0].plot(history["epoch"], history["loss"], label=name)
    axes[1].plot(history["epoch"], history["validation_loss"], color=line.get_color())
axes[0].set(title="training loss (thinned networks)", xlabel="epoch", yscale="log")
axes[1].set(title="held-out loss (full network)", xlabel="epoch")
axes[0].legend()
plt.show()

# %%
# What to take from it
# --------------------
# Dropout trades a slower, noisier descent of the training loss for a network that is less
# sure of itself where it has no reason to be. It is no substitute for data: it pays most in
# large networks trained long on too few examples, and slows training down when the network
# is not overfitting in the first place. On MNIST, fine-tuning a pretrained deep belief
# network with dropout trails plain fine-tuning after 50 epochs and catches up only after
# about 150, reaching a test error of 1.17% (:doc:`../quality`).
#
# References: Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. & Salakhutdinov, R.
# (2014). Dropout: a simple way to prevent neural networks from overfitting. Journal of
# Machine Learning Research 15, 1929-1958.
