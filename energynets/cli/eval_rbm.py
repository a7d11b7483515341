"""``energynets eval-rbm``: the mean log-likelihood of data under a saved RBM.

When the smaller layer is small enough to enumerate, log Z is summed exactly; otherwise it is
estimated by AIS and reverse AIS with the protocol of Salakhutdinov & Murray (2008). The data
are binarised with the seed streams of ``train-rbm`` (:func:`energynets.cli._data.rbm_streams`),
so that the same ``--seed`` measures the very bits the training saw.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._args import add_count, command, file_name, seed_number
from energynets.cli._data import (
    RBMData,
    add_dataset_options,
    binarized_chunks,
    check_dataset_options,
    grey_split,
    load_bits,
    rbm_streams,
)
from energynets.cli._output import jsonable, one_line
from energynets.cli._rbm_training import EXACT_EVAL_ELEMENTS, exact_cost

ESTIMATORS = ("auto", "exact", "ais")

HELP = "mean log-likelihood of data under a saved RBM: exact, or AIS and reverse AIS"
DESCRIPTION = (
    "Load an RBM saved by energynets train-rbm (or energynets.io.save) and print the "
    "mean log-likelihood of a data set. When the smaller layer has at most 25 units "
    "and enumerating it is quick, log Z is summed exactly; otherwise it is estimated "
    "by annealed importance sampling (AIS, which tends to overestimate the "
    "log-likelihood) and by reverse AIS from the data (which tends to underestimate "
    "it), with the protocol of Salakhutdinov & Murray (2008): base-rate model of the "
    "training split, 100 runs, 14,500 inverse temperatures. Each log Z comes with a "
    "+-3 standard error interval."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``eval-rbm`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "eval-rbm", HELP, DESCRIPTION)
    p.add_argument("model", metavar="MODEL", type=file_name, help="the .npz file of the RBM")
    add_dataset_options(p, evaluate=True)
    p.add_argument(
        "--estimator",
        choices=ESTIMATORS,
        default="auto",
        help=(
            "exact enumeration, AIS with reverse AIS, or auto: exact when the smaller layer "
            "has at most 25 units and 2**n x (units of the other layer) <= 2**30 "
            "(default: %(default)s)"
        ),
    )
    add_count(
        p,
        "--runs",
        "M",
        "runs of AIS and of reverse AIS (default: %(default)s)",
        minimum=2,
        default=100,
    )
    add_count(
        p,
        "--betas",
        "K",
        "inverse temperatures of the AIS schedule, 0 and 1 included (default: the "
        "published 14,501; a number keeps its shape: 0-0.5-0.9-1 in the proportions "
        "500 : 4,000 : 10,000)",
        minimum=2,
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the results as one JSON object instead of text",
    )
    p.add_argument(
        "--seed",
        type=seed_number,
        default=0,
        help=(
            "seed of the stochastic binarisation and of AIS; give the seed of train-rbm to "
            "measure the very bits it trained and validated on (default: %(default)s)"
        ),
    )
    return p


def _load_rbm(path: str) -> Any:
    """The RBM saved at ``path``, or a one-line error naming the argument."""
    from energynets import io
    from energynets.models.rbm import RBM

    if not Path(path).exists():  # a folder, a pipe or a device: io.load says which
        raise FileNotFoundError(f"argument MODEL: no such file {path!r}")
    try:
        model = io.load(path)
    except ValueError as exc:
        raise ValueError(f"argument MODEL: {one_line(exc)}") from None
    if not isinstance(model, RBM):
        raise ValueError(f"argument MODEL: {path!r} holds a {type(model).__name__}, not an RBM")
    if model.visible != "bernoulli":
        raise ValueError(
            f"argument MODEL: {path!r} has {model.visible} visible units; eval-rbm measures "
            "binary data, which needs Bernoulli visible units"
        )
    return model


def _base_rates(args: argparse.Namespace, streams: dict[str, np.random.SeedSequence]) -> Any:
    """The base-rate visible biases of Salakhutdinov & Murray: log(p / (1 - p)) with p the
    mean of the binarised training split, (sum + 1) / (N + 2) (pseudo-count 1, as
    :func:`energynets.sampling.ais.base_rate_bias`), accumulated block by block."""
    from energynets.sampling.ais import base_rate_bias

    if args.dataset == "bars-and-stripes":
        return None  # the data themselves (log_likelihood_bounds' default)
    grey, maximum, _ = grey_split(args, "train")
    mode = args.binarize or "stochastic"
    total = np.zeros(grey.shape[1])
    for _, bits in binarized_chunks(grey, mode, maximum, streams["train"], np.float64):
        total += bits.sum(axis=0)
    # base_rate_bias of the column means with the counts as weights: the same formula
    p = (total + 1.0) / (grey.shape[0] + 2.0)
    return base_rate_bias(p[None, :], pseudo_count=0.0)


def _interval(low: float, high: float) -> str:
    def show(x: float) -> str:
        return f"{x:.4f}" if np.isfinite(x) else ("-inf" if x < 0 else "inf")

    return f"[{show(low)}, {show(high)}]"


def _model_and_data(
    args: argparse.Namespace, streams: dict[str, np.random.SeedSequence]
) -> tuple[Any, RBMData]:
    """The model of MODEL and the rows of --split, checked to fit each other."""
    check_dataset_options(args)
    model = _load_rbm(args.model)
    if args.dataset == "bars-and-stripes" and args.size is None:
        side = math.isqrt(model.n_visible)
        if side * side != model.n_visible or side < 2:
            raise ValueError(
                f"--dataset bars-and-stripes: the model's {model.n_visible} visible units are "
                "not the pixels of an n x n image"
            )
        args.size = side
    data = load_bits(args, args.split, streams, np.float64)
    X = data.rows
    if X.shape[1] != model.n_visible:
        raise ValueError(
            f"--dataset {args.dataset} has {X.shape[1]} columns ({data.shape[0]} x "
            f"{data.shape[1]} images) but the model in {args.model!r} has {model.n_visible} "
            "visible units"
        )
    return model, data


def _use_exact(args: argparse.Namespace, model: Any) -> bool:
    """Whether --estimator asks for enumeration (auto: when it is quick enough)."""
    from energynets import metrics

    cost = exact_cost(model)
    if args.estimator == "exact" and cost is None:
        raise ValueError(
            f"--estimator exact needs a layer of at most {metrics.MAX_ENUMERATED_UNITS} units, "
            f"the model has {model.n_visible} visible and {model.n_hidden} hidden; use "
            "--estimator ais"
        )
    return args.estimator == "exact" or (
        args.estimator == "auto" and cost is not None and cost <= EXACT_EVAL_ELEMENTS
    )


def _exact(model: Any, X: np.ndarray, result: dict[str, Any], lines: list[str]) -> None:
    """log Z by enumeration and the mean log-likelihood, added to ``result`` and ``lines``."""
    from energynets import metrics

    log_z = metrics.rbm_log_partition(model)
    ll = metrics.log_likelihood(model, X, log_z)
    layer = "visible" if model.n_visible <= model.n_hidden else "hidden"
    result.update(estimator="exact", log_partition=log_z, log_likelihood=ll)
    lines.append(
        f"Exact, enumerating the {min(model.n_visible, model.n_hidden)} {layer} units: "
        f"log Z = {log_z:.4f}"
    )
    lines.append(f"mean log-likelihood: {ll:.4f} nats")


def _ais(
    args: argparse.Namespace,
    model: Any,
    X: np.ndarray,
    streams: dict[str, np.random.SeedSequence],
    result: dict[str, Any],
    lines: list[str],
) -> None:
    """log Z and the mean log-likelihood by AIS and reverse AIS, with +-3 standard error
    intervals, added to ``result`` and ``lines``."""
    from energynets.sampling.ais import log_likelihood_bounds, salakhutdinov_murray_betas

    n_betas = salakhutdinov_murray_betas(args.betas).shape[0]
    base = _base_rates(args, streams)
    bounds = log_likelihood_bounds(
        model,
        X,
        n_runs=args.runs,
        n_betas=args.betas,
        rng=np.random.default_rng(streams["evaluate"]),
        base_visible_bias=base,
        progress=True,
    )
    f = bounds.mean_free_energy
    base_text = "the data" if base is None else "the training split"
    result.update(estimator="ais", runs=args.runs, betas=n_betas, mean_free_energy=f)
    lines.append(
        f"AIS and reverse AIS from the data, {args.runs} runs each, {n_betas} inverse "
        f"temperatures (Salakhutdinov & Murray), base rates of {base_text}; mean free "
        f"energy {f:.4f}."
    )
    lines.append(
        f"  {'':<12} {'log Z':>10}  {'+-3 s.e.':<22} {'log-likelihood':>14}  {'+-3 s.e.':<22}"
    )
    for key, label, est, ll in (
        ("ais", "AIS", bounds.ais, bounds.ais_log_likelihood),
        ("reverse_ais", "reverse AIS", bounds.reverse, bounds.reverse_log_likelihood),
    ):
        ll_low, ll_high = -f - est.log_z_high, -f - est.log_z_low
        result[key] = {
            "log_partition": est.log_z,
            "log_partition_interval": [est.log_z_low, est.log_z_high],
            "log_likelihood": ll,
            "log_likelihood_interval": [ll_low, ll_high],
            "effective_sample_size": est.ess,
        }
        lines.append(
            f"  {label:<12} {est.log_z:10.4f}  {_interval(est.log_z_low, est.log_z_high):<22} "
            f"{ll:14.4f}  {_interval(ll_low, ll_high):<22}"
        )
    lines.append(
        "AIS tends to overestimate the log-likelihood and reverse AIS to underestimate it: "
        "when they agree, trust them."
    )


def run(args: argparse.Namespace) -> int:
    """Run ``energynets eval-rbm``; return the exit status."""
    streams = rbm_streams(args.seed)
    model, data = _model_and_data(args, streams)
    X = data.rows
    use_exact = _use_exact(args, model)
    result: dict[str, Any] = {
        "model": args.model,
        "n_visible": model.n_visible,
        "n_hidden": model.n_hidden,
        "dtype": str(model.dtype),
        "data": data.name,
        "rows": X.shape[0],
        "seed": args.seed,
    }
    lines = [
        f"Model: {args.model}, an RBM of {model.n_visible} visible x {model.n_hidden} hidden "
        f"units ({model.dtype}).",
        f"Data: {data.name}.",
    ]
    if use_exact:
        _exact(model, X, result, lines)
    else:
        _ais(args, model, X, streams, result, lines)
    if args.json:
        import json

        print(json.dumps(jsonable(result), indent=2, allow_nan=False))
    else:
        print("\n".join(line.rstrip() for line in lines))
    return 0
