"""A deep belief network on MNIST: greedy pretraining, then backprop fine-tuning (tens of minutes).

``python -m benchmarks.dbn_quality [--pretrain-epochs 10] [--finetune-epochs 30]``

The pretraining writes a checkpoint to ``<out>/dbn_checkpoint.npz`` after every epoch; a run
started again with the same settings continues from it (bit-identically). ``--pretrained
DBN.npz`` skips the pretraining and fine-tunes a saved DBN.

Choosing the fine-tuning recipe without looking at the test set: ``--validation 10000``
fine-tunes on the first 50,000 training rows and prints the error on the last 10,000 only (the
test error is not computed); compare recipes that way, then run the chosen one on all 60,000.
``--top-epochs N`` first trains the fresh output layer alone for N epochs on the DBN's
top-level features (as Hinton & Salakhutdinov's code does before fine-tuning all layers),
so that a random output layer does not send large gradients into the pretrained weights.
``--dropout P --input-dropout Q`` fine-tune with dropout (Srivastava et al. 2014 fine-tune
this DBN with P = 0.5 and Q = 0.2). The recipe of docs/quality.md, chosen that way (1.17% test
error): ``--pretrain-epochs 50 --top-epochs 5 --finetune-epochs 150 --dropout 0.5
--input-dropout 0.2``.

784-500-500-2000 pretrained layer by layer with :func:`energynets.fit_dbn` (CD-1, learning
rate 0.05, momentum 0.5 then 0.9, L2 weight decay 2e-4, batch 100, grey levels / 255 as
probabilities, float32), then turned into a 784-500-500-2000-10 sigmoid network with
:meth:`energynets.DBN.to_mlp` and fine-tuned with :func:`energynets.fit_mlp` (SGD with momentum
0.9, learning rate 0.1 decaying linearly to 0, L2 1e-5, batch 100). Prints the test error after
every fine-tuning epoch and at the end. Published: 1.25% (Hinton, Osindero & Teh 2006, with
longer pretraining and up-down fine-tuning). MNIST is read from ``ENERGYNETS_DATA`` or
``--data-home``; the models are saved in ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import energynets as en
from energynets import io
from energynets.datasets import load_mnist


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dbn_quality", description=__doc__)
    parser.add_argument("--pretrain-epochs", type=int, default=10)
    parser.add_argument("--finetune-epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--finetune-learning-rate", type=float, default=0.1)
    parser.add_argument("--finetune-weight-decay", type=float, default=1e-5)
    parser.add_argument("--top-epochs", type=int, default=0)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--input-dropout", type=float, default=0.0)
    parser.add_argument("--validation", type=int, default=0, metavar="N")
    parser.add_argument("--pretrained", type=Path, default=None, metavar="DBN.npz")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--out", type=Path, default=Path("dbn_quality_out"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scale = np.float32(255.0)
    train, y_train = load_mnist("train", data_home=args.data_home)
    test, y_test = load_mnist("test", data_home=args.data_home)
    X_train, X_test = (train / scale).astype(np.float32), (test / scale).astype(np.float32)
    if args.validation:  # model selection: the test set is replaced by the last N rows
        X_train, X_test = X_train[: -args.validation], X_train[-args.validation :]
        y_train, y_test = y_train[: -args.validation], y_train[-args.validation :]
    held_out = "validation" if args.validation else "test"
    start = time.perf_counter()

    def pretrain_progress(layer: int, epoch: int, rbm: object, history: object) -> None:
        elapsed = time.perf_counter() - start
        print(f"pretraining layer {layer}, epoch {epoch + 1}: {elapsed:.0f} s", file=sys.stderr)

    if args.pretrained is not None:
        dbn = io.load(args.pretrained)
    else:
        checkpoint = args.out / "dbn_checkpoint.npz"
        dbn, _ = en.fit_dbn(
            [784, 500, 500, 2000], X_train, method="cd", k=1, n_epochs=args.pretrain_epochs,
            batch_size=100, learning_rate=0.05, momentum="hinton", weight_decay=2e-4,
            rng=args.seed, dtype=np.float32, callbacks=[pretrain_progress], monitor=(),
            checkpoint=checkpoint, resume=checkpoint if checkpoint.exists() else None,
        )  # fmt: skip
        io.save(dbn, args.out / "dbn.npz")
    network = dbn.to_mlp(10, rng=args.seed + 1)
    if args.top_epochs:
        top, _ = en.fit_mlp(
            en.MLP([2000, 10], rng=args.seed + 1, dtype=np.float32), dbn.transform(X_train),
            y_train, optimizer="momentum", learning_rate=args.finetune_learning_rate,
            momentum=0.9, n_epochs=args.top_epochs, batch_size=100, rng=args.seed + 3,
        )  # fmt: skip
        network.weights[-1][...] = top.weights[0]
        network.biases[-1][...] = top.biases[0]

    def finetune_progress(epoch: int, model: en.MLP, history: object) -> None:
        error = 100 * (1 - model.score(X_test, y_test))
        elapsed = time.perf_counter() - start
        print(f"fine-tuning epoch {epoch + 1}: {held_out} error {error:.2f}%, {elapsed:.0f} s")

    mlp, _ = en.fit_mlp(
        network, X_train, y_train, optimizer="momentum",
        learning_rate=args.finetune_learning_rate, momentum=0.9,
        n_epochs=args.finetune_epochs, batch_size=100,
        weight_decay=args.finetune_weight_decay, learning_rate_schedule="linear",
        dropout=args.dropout, input_dropout=args.input_dropout,
        rng=args.seed + 2, callbacks=[finetune_progress],
    )  # fmt: skip
    io.save(mlp, args.out / "dbn_mlp.npz")
    error = 100 * (1 - mlp.score(X_test, y_test))
    print(
        f"{held_out} error {error:.2f}% (published test error 1.25%), "
        f"{time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
