"""Long RBM runs on MNIST that reproduce published log-likelihoods (minutes to an hour).

``python -m benchmarks.rbm_quality mnist16 [--markdown docs/quality.md]``
    784 -> 16 hidden, PCD-1 (100 chains), learning rate 0.01, batch 100, 50 epochs, no momentum
    or weight decay, MNIST binarized at half intensity; centred (Melchior, Fischer & Wiskott
    2016) and plain. With 16 hidden units log Z is exact (2^16 terms), so the test
    log-likelihood is exact. Published: -142.56 nats centred, -149.05 plain.

``python -m benchmarks.rbm_quality mnist500 [--epochs 200] [--markdown docs/quality.md]``
    784 -> 500 hidden, centred PCD-1 (100 chains; ``--k``, ``--chains`` change these;
    ``--method pt --replicas R``: parallel tempering, R replicas of each chain at inverse
    temperatures evenly spaced in [0, 1];
    ``--fast-weights LR``: FPCD, fast weights with learning rate LR and decay 0.95), by
    default learning rate 0.005 decaying linearly to 0 over 200 epochs, momentum 0.5 then 0.9,
    L2 weight decay 2e-4 (the options change these), MNIST binarized stochastically (each
    pixel on with probability its intensity, seed 0 for the training set and 1 for the test
    set: the convention of Salakhutdinov & Murray 2008; ``--binarization threshold``: on above
    half intensity, the convention of Melchior et al. 2016; ``--dynamic-binarization``: the
    training images binarized anew at every visit, the test set unchanged), float32;
    test log-likelihood from AIS (the Salakhutdinov & Murray schedule, 100 runs, base rates of
    the training data) and from reverse AIS (started at 100 training images), reported together.
    Published: -86.34 for CD25 (Salakhutdinov & Murray 2008, AIS only); centred PCD-1 after 200
    epochs AIS -84.86, reverse AIS -96.61 (Melchior et al. 2016, threshold-binarized data).

Every run writes its trained model (``<out>/<run>.npz``, atomically, also every 10 epochs as a
checkpoint) and its result as JSON; with ``--markdown`` the result table of that file gets the
run's rows (rows of other runs already there are kept). MNIST is read from ``ENERGYNETS_DATA``
or ``--data-home``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from energynets import io
from energynets.datasets import binarize, load_mnist
from energynets.learning.contrastive import fit_rbm
from energynets.metrics import log_likelihood, rbm_log_partition
from energynets.models.rbm import RBM
from energynets.sampling.ais import base_rate_bias, log_likelihood_bounds

PUBLISHED = {
    "mnist16-centered": (-142.56, "Melchior, Fischer & Wiskott 2016"),
    "mnist16-plain": (-149.05, "Melchior, Fischer & Wiskott 2016"),
    "mnist500": (-86.34, "Salakhutdinov & Murray 2008, CD25, AIS"),
    "mnist500-threshold": (
        "AIS -84.86, reverse AIS -96.61",
        "centred PCD-1, 200 epochs: a one-run PyDeep reproduction of Melchior et al. 2016",
    ),
}
CHECKPOINT_EVERY = 10


def _mnist(
    data_home: str | None, rule: str, dtype: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The binarized training and test images, and the training images' grey levels (uint8)."""
    train, _ = load_mnist("train", data_home=data_home)
    test, _ = load_mnist("test", data_home=data_home)
    if rule == "threshold":
        return (
            binarize(train, threshold=0.5, maximum=255, dtype=dtype),
            binarize(test, threshold=0.5, maximum=255, dtype=dtype),
            train,
        )
    return (
        binarize(train, rng=0, maximum=255, dtype=dtype),
        binarize(test, rng=1, maximum=255, dtype=dtype),
        train,
    )


def _progress(label: str, n_epochs: int, model_path: Path) -> Callable[..., None]:
    start = time.perf_counter()

    def callback(epoch: int, rbm: RBM, history: dict[str, list[Any]]) -> None:
        elapsed = time.perf_counter() - start
        print(f"{label}: epoch {epoch + 1}/{n_epochs}, {elapsed:.0f} s", file=sys.stderr)
        if (epoch + 1) % CHECKPOINT_EVERY == 0:
            io.save(rbm, model_path)

    return callback


def run_mnist16(args: argparse.Namespace) -> list[dict[str, Any]]:
    train, test, _ = _mnist(args.data_home, "threshold", np.float64)
    rows = []
    for centering in (True, False):
        name = f"mnist16-{'centered' if centering else 'plain'}"
        path = args.out / f"{name}.npz"
        t0 = time.perf_counter()
        rbm, _ = fit_rbm(
            RBM(784, 16, rng=args.seed), train, method="pcd", k=1, n_chains=100,
            n_epochs=args.epochs or 50, batch_size=100, learning_rate=0.01,
            centering=centering, monitor=(), rng=args.seed,
            callbacks=[_progress(name, args.epochs or 50, path)],
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        io.save(rbm, path)
        log_z = rbm_log_partition(rbm)
        published, source = PUBLISHED[name]
        rows.append(
            {
                "run": name,
                "setting": f"784-16, {'centred ' if centering else ''}PCD-1, lr 0.01, "
                f"batch 100, {args.epochs or 50} epochs, threshold-binarized",
                "test": f"{log_likelihood(rbm, test, log_z):.2f} (exact)",
                "train": f"{log_likelihood(rbm, train, log_z):.2f} (exact)",
                "published": f"{published} ({source})",
                "seconds": round(seconds),
            }
        )
        print(rows[-1], file=sys.stderr)
    return rows


def _negative_phase(args: argparse.Namespace) -> str:
    if args.method == "pt":
        return f"PT-{args.k} ({args.replicas} replicas x {args.chains} chains)"
    if args.fast_weights is not None:
        return (
            f"FPCD-{args.k} ({args.chains} chains, fast learning rate {args.fast_weights:g}, "
            "decay 0.95)"
        )
    return f"PCD-{args.k} ({args.chains} chains)"


TRAIN_ROWS = 10_000


def _train_log_likelihood(rbm: RBM, train: np.ndarray, log_z: float) -> str:
    """The mean log-likelihood of the first TRAIN_ROWS binarized training images (AIS's
    log Z): its gap to the test figure shows how much the model learnt its training set."""
    return f"{log_likelihood(rbm, train[:TRAIN_ROWS], log_z):.2f} (first {TRAIN_ROWS:,}, AIS)"


def _binarization(args: argparse.Namespace) -> str:
    if args.dynamic_binarization:
        return "training images binarized anew at every visit, test set stochastic"
    return f"{args.binarization} binarization"


def run_mnist500(args: argparse.Namespace) -> list[dict[str, Any]]:
    train, test, grey = _mnist(args.data_home, args.binarization, np.float32)
    # dynamic binarization trains on the grey levels in [0, 1]
    fit_data = np.divide(grey, 255, dtype=np.float32) if args.dynamic_binarization else train
    n_epochs = args.epochs or 200
    name = args.name or "mnist500"
    path = args.out / f"{name}.npz"
    t0 = time.perf_counter()
    momentum = args.momentum if args.momentum == "hinton" else float(args.momentum)
    rbm, _ = fit_rbm(
        RBM(784, 500, rng=args.seed, dtype=np.float32), fit_data, method=args.method, k=args.k,
        n_chains=args.chains, n_temperatures=args.replicas,
        fast_weights=args.fast_weights is not None, fast_learning_rate=args.fast_weights,
        n_epochs=n_epochs, batch_size=100,
        learning_rate=args.learning_rate, momentum=momentum, weight_decay=args.weight_decay,
        learning_rate_schedule=args.schedule, centering=True, monitor=(), rng=args.seed,
        dynamic_binarization=args.dynamic_binarization,
        callbacks=[_progress(name, n_epochs, path)],
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    io.save(rbm, path)
    t1 = time.perf_counter()
    bounds = log_likelihood_bounds(
        rbm, test, n_runs=100, rng=args.seed, base_visible_bias=base_rate_bias(fit_data),
        reverse_data=binarize(fit_data[:100], rng=0, maximum=1, dtype=np.float32),
    )  # fmt: skip
    ais_seconds = time.perf_counter() - t1
    key = "mnist500" if args.binarization == "stochastic" else "mnist500-threshold"
    published, source = PUBLISHED[key]
    row = {
        "run": name,
        "setting": f"784-500, centred {_negative_phase(args)}, lr {args.learning_rate} "
        f"({args.schedule}), momentum {'0.5 then 0.9' if momentum == 'hinton' else momentum}, "
        f"L2 {args.weight_decay:g}, batch 100, {n_epochs} epochs, float32, "
        f"{_binarization(args)}",
        "test": f"AIS {bounds.ais_log_likelihood:.2f}, reverse AIS "
        f"{bounds.reverse_log_likelihood:.2f}",
        "train": _train_log_likelihood(rbm, train, bounds.ais.log_z),
        "published": f"{published} ({source})",
        "seconds": round(seconds),
        "ais_seconds": round(ais_seconds),
        "log_z_ais": [bounds.ais.log_z_low, bounds.ais.log_z, bounds.ais.log_z_high],
        "log_z_reverse": [
            bounds.reverse.log_z_low,
            bounds.reverse.log_z,
            bounds.reverse.log_z_high,
        ],
    }
    print(row, file=sys.stderr)
    return [row]


RUNS = {"mnist16": run_mnist16, "mnist500": run_mnist500}
_START, _END = "<!-- rbm-quality rows start -->", "<!-- rbm-quality rows end -->"


def _update_markdown(path: Path, rows: list[dict[str, Any]], command: str) -> None:
    """Replace this run's rows in the results table of ``path`` (created when missing)."""
    header = (
        "| run | setting | test log-likelihood (nats) | train | published | training time |"
        " command |\n|---|---|---|---|---|---|---|\n"
    )
    old: dict[str, str] = {}
    head, tail = f"{_START}\n\n{header}", f"\n{_END}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if _START in text:
        before, rest = text.split(f"{_START}\n", 1)
        table, after = rest.split(f"{_END}\n", 1)
        for line in table.splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if line.startswith("| ") and cells[0] not in ("run", "---"):
                old[cells[0]] = line
    else:
        before, after = text or "# RBM results on MNIST\n\n", ""
    date = datetime.now().astimezone().date().isoformat()
    for r in rows:
        old[r["run"]] = (
            f"| {r['run']} | {r['setting']} | {r['test']} | {r['train']} | {r['published']} | "
            f"{r['seconds']} s ({date}) | `{command}` |"
        )
    body = "\n".join(old[k] for k in sorted(old))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{before}{head}{body}\n{tail}{after}", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rbm_quality", description=__doc__)
    parser.add_argument("run", choices=sorted(RUNS))
    parser.add_argument("--epochs", type=int, default=None, help="default: 50 / 200")
    parser.add_argument("--learning-rate", type=float, default=0.005, help="mnist500 only")
    parser.add_argument("--momentum", default="hinton", help="mnist500 only: a number or hinton")
    parser.add_argument("--weight-decay", type=float, default=2e-4, help="mnist500 only")
    parser.add_argument("--schedule", default="linear", help="mnist500 only")
    parser.add_argument(
        "--binarization",
        choices=("stochastic", "threshold"),
        default="stochastic",
        help="mnist500 only: each pixel on with probability its intensity (the 2008 paper's "
        "convention) or on above half intensity (Melchior et al. 2016)",
    )
    parser.add_argument(
        "--dynamic-binarization",
        action="store_true",
        help="mnist500 only: train on the grey levels, each training image binarized "
        "stochastically anew at every visit (the test set stays the fixed stochastic one)",
    )
    parser.add_argument(
        "--method",
        choices=("pcd", "pt"),
        default="pcd",
        help="mnist500 only: persistent CD or parallel tempering (Desjardins et al. 2010)",
    )
    parser.add_argument(
        "--replicas", type=int, default=10, help="mnist500 only: temperatures of --method pt"
    )
    parser.add_argument(
        "--fast-weights",
        type=float,
        default=None,
        metavar="LR",
        help="mnist500 only: FPCD (Tieleman & Hinton 2009) with this fast learning rate",
    )
    parser.add_argument("--k", type=int, default=1, help="mnist500 only: Gibbs steps per update")
    parser.add_argument("--chains", type=int, default=100, help="mnist500 only: persistent chains")
    parser.add_argument("--name", default=None, help="mnist500 only: the row's name")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--out", type=Path, default=Path("rbm_quality_out"))
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.dynamic_binarization and args.binarization == "threshold":
        parser.error(
            "--dynamic-binarization draws each pixel with probability its intensity; it does "
            "not go with --binarization threshold"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    rows = RUNS[args.run](args)
    command = shlex.join(["python", "-m", "benchmarks.rbm_quality", *(argv or sys.argv[1:])])
    (args.out / f"{args.name or args.run}.json").write_text(
        json.dumps(rows, indent=1), encoding="utf-8"
    )
    if args.markdown is not None:
        _update_markdown(args.markdown, rows, command)
    for r in rows:
        print(f"{r['run']}: test {r['test']}; published {r['published']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
