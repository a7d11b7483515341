"""Equilibrium propagation on MNIST, with backprop on the same shape beside it (minutes to an hour).

``python -m benchmarks.eqprop_quality [--hidden 500] [--epochs 30] [--backprop]``

An :class:`energynets.EnergyNetwork` 784-H...-10 (hard-sigmoid states in [0, 1], softmax
read-out with cross-entropy as in Laborieux et al. 2021) trained by
:func:`energynets.fit_eqprop`: the prototypical relaxation (dt = 1) from zero states,
``--n-free`` free steps and ``--n-nudged`` nudged steps, beta = ``--beta`` with a random sign
per batch, plain SGD with one learning rate per layer of weights (``--learning-rates``, from
the input up; ``--schedule linear`` decays them to 0 over the epochs, as ``fit_eqprop``'s
``learning_rate_schedule``), batch ``--batch-size`` (50), pixels / 255. Prints the test
error after every epoch and at the end, with the training error and the relaxation residual
(the largest change of a state in the last free step: far from 0 means the free phase did not
settle).

``--backprop`` also trains the feedforward network of the same shape with
:func:`energynets.fit_mlp` on the same data, batch size and number of epochs (sigmoid hidden
units, softmax output, SGD with the same per-run learning rate ``--backprop-learning-rate``),
so that the two kinds of learning are compared on one budget. The targets: a test error of at
most 2.0% in at most 30 epochs for 784-500-10 and 784-500-500-10 (Scellier & Bengio 2017 report
2-3%; Ernoult et al. 2019 about 2% with 784-512-10 and 784-512-512-10). MNIST is read from
``ENERGYNETS_DATA`` or ``--data-home``; the trained networks are saved in ``--out``, a
checkpoint after every epoch (a run started again with the same settings continues from it).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import energynets as en
from energynets import io
from energynets.datasets import load_mnist


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.eqprop_quality", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--hidden", type=int, nargs="+", default=[500])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--learning-rates", type=float, nargs="+", default=None)
    parser.add_argument("--beta", type=float, default=0.5)
    parser.add_argument("--nudging", default="random")
    parser.add_argument("--n-free", type=int, default=None)
    parser.add_argument("--n-nudged", type=int, default=None)
    parser.add_argument("--dt", type=float, default=1.0)
    parser.add_argument("--schedule", default="constant")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backprop", action="store_true")
    parser.add_argument("--backprop-only", action="store_true")
    parser.add_argument("--backprop-learning-rate", type=float, default=0.1)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--out", type=Path, default=Path("eqprop_quality_out"))
    return parser


def _defaults(args: argparse.Namespace) -> None:
    """The published settings for one or two hidden layers, where not given."""
    deep = len(args.hidden) > 1
    if args.learning_rates is None:
        args.learning_rates = [0.2, 0.05, 0.01] if deep else [0.08, 0.04]
    if args.n_free is None:
        args.n_free = 100 if deep else 30
    if args.n_nudged is None:
        args.n_nudged = 20 if deep else 10


def _progress(name: str, X: Any, y: Any, start: float) -> Callable[..., None]:
    def report(epoch: int, model: Any, history: dict[str, list[Any]]) -> None:
        error = 100 * np.mean(model.predict(X) != y)
        train = 100 * (1 - history["accuracy"][-1])
        extra = ""
        if "relaxation_residual" in history:
            extra = f", residual {history['relaxation_residual'][-1]:.3g}"
        elapsed = time.perf_counter() - start
        print(
            f"{name} epoch {epoch + 1}: test error {error:.2f}%, training error (running) "
            f"{train:.2f}%{extra}, {elapsed:.0f} s", flush=True,
        )  # fmt: skip

    return report


def _eqprop(args: argparse.Namespace, sizes: list[int], data: tuple[Any, ...]) -> None:
    X_train, y_train, X_test, y_test = data
    tag = "-".join(map(str, sizes))
    checkpoint = args.out / f"eqprop_{tag}_checkpoint.npz"
    start = time.perf_counter()
    net, history = en.fit_eqprop(
        en.EnergyNetwork(sizes, output="softmax", rng=args.seed, dtype=np.float32),
        X_train, y_train, rule="ep", beta=args.beta, nudging=args.nudging,
        n_free=args.n_free, n_nudged=args.n_nudged, dt=args.dt, optimizer="sgd",
        learning_rate=args.learning_rates,
        learning_rate_schedule=args.schedule, n_epochs=args.epochs, batch_size=args.batch_size,
        rng=args.seed + 1, callbacks=[_progress(f"EP {tag}", X_test, y_test, start)],
        checkpoint=checkpoint, resume=checkpoint if checkpoint.exists() else None,
    )  # fmt: skip
    io.save(net, args.out / f"eqprop_{tag}.npz")
    error = 100 * np.mean(net.predict(X_test) != y_test)
    train = 100 * np.mean(net.predict(X_train) != y_train)
    per_epoch = float(np.median(history["time"]))
    print(
        f"EP {tag}: test error {error:.2f}%, training error {train:.2f}% after {args.epochs} "
        f"epochs, {time.perf_counter() - start:.0f} s ({per_epoch:.1f} s per epoch)"
    )


def _backprop(args: argparse.Namespace, sizes: list[int], data: tuple[Any, ...]) -> None:
    X_train, y_train, X_test, y_test = data
    tag = "-".join(map(str, sizes))
    start = time.perf_counter()
    mlp, _ = en.fit_mlp(
        en.MLP(sizes, activation="sigmoid", rng=args.seed, dtype=np.float32), X_train, y_train,
        optimizer="sgd", learning_rate=args.backprop_learning_rate,
        learning_rate_schedule=args.schedule, n_epochs=args.epochs,
        batch_size=args.batch_size, rng=args.seed + 1,
        callbacks=[_progress(f"backprop {tag}", X_test, y_test, start)],
    )  # fmt: skip
    io.save(mlp, args.out / f"backprop_{tag}.npz")
    error = 100 * (1 - mlp.score(X_test, y_test))
    train = 100 * (1 - mlp.score(X_train, y_train))
    print(
        f"backprop {tag}: test error {error:.2f}%, training error {train:.2f}% after "
        f"{args.epochs} epochs, {time.perf_counter() - start:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _defaults(args)
    args.out.mkdir(parents=True, exist_ok=True)
    scale = np.float32(255.0)
    train, y_train = load_mnist("train", data_home=args.data_home)
    test, y_test = load_mnist("test", data_home=args.data_home)
    data = ((train / scale).astype(np.float32), y_train, (test / scale).astype(np.float32), y_test)
    sizes = [784, *args.hidden, 10]
    if not args.backprop_only:
        _eqprop(args, sizes, data)
    if args.backprop or args.backprop_only:
        _backprop(args, sizes, data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
