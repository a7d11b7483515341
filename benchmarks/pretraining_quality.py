"""DBN pretraining against random initialisation on MNIST with few labels (tens of minutes).

``python -m benchmarks.pretraining_quality [--labels 100,1000] [--seeds 0,1,2,3,4]``

:func:`energynets.experiments.compare.pretraining_experiment` with the settings of
``energynets compare --dataset mnist`` (a 784-500-500 DBN pretrained by CD-1 for 10 epochs per
layer on all 60,000 training images without their labels, learning rate 0.05; then
784-500-500-10 sigmoid networks, DBN-initialised or Glorot-initialised, trained by Adam with
learning rate 1e-3 for 20 epochs, or at least 300 updates, on a class-balanced subset of the
labelled rows, batches of 100; grey levels / 255), for the numbers of labels given: the
full command runs 100, 1000, 10000 and all of them, which takes hours on two cores. Prints
the table (test accuracy over the 10,000 test images, mean and spread over the seeds) and the
mean gain of pretraining per number of labels; ``--markdown PATH`` also writes the table.
The claim to check (Hinton, Osindero & Teh 2006; Erhan et al. 2010): with 100 labels the
DBN initialisation beats random initialisation by at least 3 points on average.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from energynets.cli._compare_presets import presets
from energynets.datasets import load_mnist
from energynets.experiments.compare import pretraining_experiment


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pretraining_quality", description=__doc__
    )
    parser.add_argument("--labels", type=_ints, default=[100, 1000])
    parser.add_argument("--seeds", type=_ints, default=[0, 1, 2, 3, 4])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    X, y = load_mnist("train", data_home=args.data_home)
    X_test, y_test = load_mnist("test", data_home=args.data_home)
    settings = dict(presets("mnist", quick=False)["pretraining"])
    settings.update(n_labels=tuple(args.labels), seeds=tuple(args.seeds))
    start = time.perf_counter()
    result = pretraining_experiment(
        X.astype(np.float64) / 255.0, y.astype(np.int64),
        X_test=X_test.astype(np.float64) / 255.0, y_test=y_test.astype(np.int64),
        **settings, rng=0, progress=True,
    )  # fmt: skip
    print(result.to_text())
    for n, gain in result.gain().items():
        print(f"{n} labels: pretraining gains {100 * gain:+.1f} points on average")
    print(f"{time.perf_counter() - start:.0f} s")
    if args.markdown is not None:
        args.markdown.write_text(result.to_markdown() + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
