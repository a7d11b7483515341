"""``energynets demo``: a tour of the package in pictures, in well under a minute.

Recall of corrupted letters (recall.png, recall.gif, energy.png), the learning rules on a word
of similar letters (rules.png), a capacity sweep (capacity.png), the 2D Ising transition
(ising_scan.png), a sampler race on a spin glass (compare.png), an RBM learning
bars-and-stripes with its exact likelihood (rbm_*.png), dense associative memories
(dense.png), energy-based against backprop classification (energy_vs_backprop.png) and
equilibrium propagation against backprop on the same network shape and batches
(eqprop_vs_backprop.png). The scenes it shares with the other commands live in the shared
modules of :mod:`energynets.cli`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from energynets.cli._args import RULES, add_count, add_output, add_seed, command
from energynets.cli._compare_presets import presets
from energynets.cli._data import RBMData
from energynets.cli._hopfield_scenes import DEFAULT_LETTERS, capacity_scene, recall_scene
from energynets.cli._output import output_folder, report, use_agg
from energynets.cli._rbm_training import RBM_PRESETS, bars_and_stripes_optimum, train_rbm_scene
from energynets.cli._sampling_scenes import race_scene, scan_scene

#: What the demo's RBM scene writes.
FILES = {
    "filters": "rbm_filters.png",
    "samples": "rbm_samples.png",
    "curve": "rbm_learning_curve.png",
}

HELP = "a tour in pictures: recall, capacity, Ising, samplers, RBMs, energy vs backprop"
DESCRIPTION = (
    "Store glyphs in a Hopfield network, corrupt them and recall them (recall.png, "
    "recall.gif, energy.png); store the similar letters of HOPFIELD with each "
    "learning rule and compare what they recall (rules.png); measure the storage "
    "capacity of the three rules on random patterns (capacity.png); sample the 2D "
    "Ising model across its transition (ising_scan.png) and race Gibbs sampling "
    "against parallel tempering on a spin glass (compare.png); train a restricted "
    "Boltzmann machine on 3 x 3 bars-and-stripes and follow its exact log-likelihood "
    "up to the optimum log(1/14) (rbm_learning_curve.png, rbm_filters.png, "
    "rbm_samples.png); store all 36 glyphs in classical, dense and modern memories "
    "(dense.png); classify digits from raw pixels, from RBM features and with an MLP "
    "trained by backprop (energy_vs_backprop.png); train a layered energy network by "
    "equilibrium propagation beside backprop on the same digits and batches "
    "(eqprop_vs_backprop.png). Takes well under a minute."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``demo`` to the subcommands ``subparsers``; return its parser."""
    p = command(subparsers, "demo", HELP, DESCRIPTION)
    add_seed(p)
    add_count(
        p,
        "--n-units",
        "N",
        "units of the capacity scene (default: %(default)s)",
        minimum=10,
        default=200,
    )
    add_output(p)
    return p


# -- the scenes of the demo alone -------------------------------------------------------------


def _rules_scene(letters: str, flip_fraction: float, seed: int, folder: Path) -> list[Path]:
    """The same corrupted glyphs recalled by networks stored with each rule: rules.png."""
    use_agg()
    from energynets import datasets, plotting
    from energynets.models.hopfield import HopfieldNetwork
    from energynets.states import corrupt

    patterns, labels = datasets.glyphs(letters)
    gen = np.random.default_rng(seed)
    probes = corrupt(patterns, flip_fraction, rng=gen)
    print(
        f"Storing the {len(labels)} correlated glyphs {letters} with each rule and recalling "
        f"them from {flip_fraction:.0%} flipped pixels:"
    )
    recalled = {}
    for rule in RULES:
        res = HopfieldNetwork.from_patterns(patterns, rule=rule).recall(probes, rng=gen)
        recalled[rule] = res.states
        n_exact = int(np.all(res.states == patterns, axis=1).sum())
        print(f"  {rule:<14} {n_exact} of {len(labels)} recalled exactly")
    fig = plotting.recall_figure(
        patterns,
        probes,
        recalled,
        datasets.glyph_shape(),
        labels=labels,
        title=f"the same probes ({flip_fraction:.0%} flipped) recalled by three learning rules",
    )
    return [plotting.save_figure(fig, folder / "rules.png")]


def _rbm_scene(folder: Path, seed: int) -> list[Path]:
    """Train a small RBM on 3 x 3 bars-and-stripes and compare its exact log-likelihood with
    the optimum; rbm_filters.png, rbm_samples.png, rbm_learning_curve.png."""
    from energynets import datasets

    rows = datasets.bars_and_stripes(3)
    train = RBMData(rows, (3, 3), f"bars-and-stripes 3 x 3 ({rows.shape[0]} patterns)")
    settings = dict(RBM_PRESETS["bars-and-stripes"])
    settings.update(
        dataset="bars-and-stripes",
        size=3,
        binarize=None,
        limit=None,
        k=1,
        centering=False,
        replicas=None,
        float32=False,
        seed=seed,
    )
    optimum = bars_and_stripes_optimum(train)
    written, _ = train_rbm_scene(folder, train, None, settings, FILES, optimum=optimum)
    return written


def _dense_scene(folder: Path, seed: int) -> list[Path]:
    """All 36 glyphs stored at once in classical, dense and modern memories: dense.png."""
    use_agg()
    from energynets import datasets, plotting
    from energynets.experiments.capacity import run_correlated_recall

    patterns, labels = datasets.glyphs()
    models = ["hebbian", "pseudoinverse", "polynomial-3", "polynomial-20", "exponential", "modern"]
    flip = 0.1
    print(
        f"Storing all {len(labels)} glyphs ({patterns.shape[1]} pixels, strongly correlated) "
        f"and recalling them from {flip:.0%} flipped pixels:"
    )
    result, recalled, probes = run_correlated_recall(
        patterns, models=models, flip_fraction=flip, beta=0.5, rng=seed
    )
    for record in result.records:
        n_exact = round(record["fraction_recalled"] * record["n_patterns"])
        print(f"  {record['model']:<14} {n_exact:>2} of {record['n_patterns']} recalled exactly")
    shown = [labels.index(c) for c in "HOPFIELD"]
    fig = plotting.recall_figure(
        patterns[shown],
        probes[shown],
        {name: states[shown] for name, states in recalled.items()},
        datasets.glyph_shape(),
        labels=[labels[k] for k in shown],
        title=(
            f"all {len(labels)} glyphs stored, {flip:.0%} flipped:\nclassical rules, dense "
            "(F = z^3, z^20, e^z) and modern (β = 0.5) memories"
        ),
    )
    return [plotting.save_figure(fig, folder / "dense.png")]


def _energy_vs_backprop_scene(folder: Path, seed: int) -> list[Path]:
    """Converged softmax regression on raw pixels and on RBM features against an MLP, on the
    nudged digits as in scikit-learn's example (the quick features experiment of
    ``energynets compare``): energy_vs_backprop.png."""
    use_agg()
    from energynets import plotting
    from energynets.experiments.compare import features_experiment

    print(
        "Classifying the nudged 8 x 8 digits as scikit-learn's RBM example does: softmax "
        "regression (L-BFGS, to convergence) on raw pixels and on the features of an RBM "
        "trained without labels, and an MLP trained by backprop:"
    )
    result = features_experiment(**presets("digits", quick=True)["features"], rng=seed)
    print(result.to_text())
    fig = plotting.features_figure(result)
    return [plotting.save_figure(fig, folder / "energy_vs_backprop.png")]


#: The EP-versus-backprop scene: 8 x 8 digits, 64-100-10, ten epochs (a few seconds).
EQPROP_DEMO: dict[str, Any] = {
    "hidden": 100, "n_epochs": 10, "batch_size": 20, "learning_rate": (0.2, 0.1),
    "mlp_learning_rate": 0.5,
}  # fmt: skip


def _eqprop_scene(folder: Path, seed: int) -> list[Path]:
    """An energy network trained by equilibrium propagation and an MLP of the same shape
    trained by backprop, on the same digits and batches: eqprop_vs_backprop.png."""
    use_agg()
    from energynets import datasets, plotting
    from energynets.experiments.eqprop import backprop_experiment

    X, y = datasets.load_digits()
    print(
        "Training the same 64-100-10 network shape on the 8 x 8 digits by equilibrium "
        "propagation (relaxation and local Hebbian differences) and by backprop, on the same "
        "batches:"
    )
    result = backprop_experiment(X / 16.0, y, **EQPROP_DEMO, rng=seed)
    print(result.to_text())
    fig = plotting.eqprop_backprop_figure(result)
    return [plotting.save_figure(fig, folder / "eqprop_vs_backprop.png")]


# -- the tour ---------------------------------------------------------------------------------


def _hopfield_part(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Scenes 1 to 3: recall, the learning rules, the capacity."""
    print("== 1. Associative memory: recalling corrupted letters ==")
    recall_args = argparse.Namespace(
        letters=DEFAULT_LETTERS,
        rule="hebbian",
        dynamics="async",
        flip_fraction=0.2,
        max_sweeps=100,
        animate=None,
        seed=args.seed,
    )
    written = recall_scene(recall_args, folder)
    print()
    print("== 2. Learning rules: storing a word of similar letters ==")
    written += _rules_scene("HOPFIELD", 0.2, args.seed, folder)
    print()
    print("== 3. Storage capacity: how many random patterns fit in N units ==")
    written += capacity_scene(
        folder,
        n_units=args.n_units,
        alphas=None,
        rules=list(RULES),
        flip_fraction=0.1,
        n_trials=2,
        max_probes=20,
        seed=args.seed,
    )
    print()
    return written


def _sampling_part(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Scene 4: the Ising transition and a sampler race on a spin glass."""
    print("== 4. Sampling: the 2D Ising transition, and a spin glass that Gibbs cannot cross ==")
    written = scan_scene(
        folder, 16, None, save_json=False, n_sweeps=300, burn_in=100, n_chains=8, rng=args.seed
    )
    print()
    written += race_scene(
        folder,
        "sk",
        ["gibbs", "tempering"],
        save_json=False,
        size=64,
        temperature=0.25,
        n_chains=16,
        n_sweeps=1600,
        burn_in=320,
        n_temperatures=8,
        rng=args.seed,
    )
    print()
    return written


def run(args: argparse.Namespace) -> int:
    """Run ``energynets demo``; return the exit status."""
    start = time.perf_counter()
    with output_folder(args.output) as folder:
        written = _gallery(args, folder)
    report(written)
    print(f"Done in {time.perf_counter() - start:.1f} s; open the pictures in {folder}/")
    return 0


def _gallery(args: argparse.Namespace, folder: Path) -> list[Path]:
    """Every scene of the demo, written into ``folder``; the files written."""
    written = _hopfield_part(args, folder)
    written += _sampling_part(args, folder)
    print("== 5. Learning: a restricted Boltzmann machine on bars-and-stripes, exact likelihood ==")
    written += _rbm_scene(folder, args.seed)
    print()
    print("== 6. Dense associative memories: many correlated patterns, where Hebb fails ==")
    written += _dense_scene(folder, args.seed)
    print()
    print("== 7. Energy-based vs backprop: RBM features, raw pixels and an MLP on digits ==")
    written += _energy_vs_backprop_scene(folder, args.seed)
    print()
    print("== 8. Equilibrium propagation vs backprop: the same network shape and batches ==")
    written += _eqprop_scene(folder, args.seed)
    return written
