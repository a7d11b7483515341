r"""
Capacity phase diagram on a local Dask cluster
==============================================

Where does recall break down, as a function of the load `\alpha = P / N` *and* of the size
`N`? One point of the diagram is one call of
:func:`~energynets.experiments.capacity.run_capacity`; the diagram is thousands of them
(three rules, five sizes up to `N = 4000`, fifteen loads, ten seeds each), which is what
:func:`energynets.sweep` is for. It runs a function over the product of a parameter grid and
seeds on any :class:`concurrent.futures.Executor`: here a Dask ``LocalCluster`` on this
machine; the same code runs on a cluster of many machines by giving the address of its
scheduler to ``Client``. Each task's seed is spawned from one
:class:`numpy.random.SeedSequence` and the task's position in the grid, so the diagram does
not depend on which worker ran what. Every finished task is appended to a JSON-lines file, so
an interrupted run (Ctrl-C, a lost worker, a reboot) picks up where it stopped when run
again.

This example is long (2,250 tasks; the largest networks store 1,600 patterns of 4,000
units), so the fast documentation build (``ENERGYNETS_DOCS_FAST=1``, as in CI) does not run
it. ``energynets sweep`` runs the same diagram from the shell, with ``--workers`` or
``--scheduler``.
"""

# %%
# The task: one point of the diagram
# ----------------------------------
# The function must be picklable, so it is defined at the top level of the script. It gets
# the grid's parameters as keyword arguments and the task's seed as ``rng``, and returns a
# dict of numbers (the columns of the final table).
import matplotlib.pyplot as plt
import numpy as np

import energynets as en
from energynets.experiments.capacity import ALPHA_C, run_capacity, storkey_capacity

RULES = ["hebbian", "storkey", "pseudoinverse"]
SIZES = [250, 500, 1000, 2000, 4000]
ALPHAS = np.round(np.linspace(0.02, 0.4, 15), 3).tolist()
SEEDS = 10


def capacity_point(rule, n_units, alpha, rng):
    """Fraction of noisy probes (10% of bits flipped) recalled exactly, and the fraction of
    stored patterns that are fixed points, for one rule, size, load and seed."""
    result = run_capacity(
        n_units=n_units, alphas=[alpha], rules=[rule], flip_fraction=0.1, max_probes=50, rng=rng
    )
    record = result.records[0]
    return {
        "fraction_recalled": record["fraction_recalled"],
        "fraction_fixed": record["fraction_fixed"],
        "one_step_error": record["one_step_error"],
    }


# %%
# Run the sweep on a local Dask cluster
# -------------------------------------
# One worker process per core, one thread each (the tasks are numpy code that holds the GIL
# between its matrix products). ``results=`` makes the sweep resumable: run the script again
# after an interruption and only the missing tasks run.


def run_sweep():
    from distributed import Client, LocalCluster

    grid = {"rule": RULES, "n_units": SIZES, "alpha": ALPHAS}
    with LocalCluster(threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            return en.sweep(
                capacity_point,
                grid,
                seeds=SEEDS,
                rng=2024,
                executor=client.get_executor(),
                results="capacity_phase_diagram.jsonl",
                progress=True,
            )


# %%
# The tidy table and the mean over seeds
# --------------------------------------
# :meth:`~energynets.sweep.SweepResult.to_rows` gives one dict per task (the grid's
# parameters, the replicate, its seed and the returned columns); averaging over the seeds
# gives one value per (rule, N, alpha).


def mean_over_seeds(result, column="fraction_recalled"):
    values = {}
    for row in result.to_rows():
        values.setdefault((row["rule"], row["n_units"], row["alpha"]), []).append(row[column])
    return {key: float(np.mean(v)) for key, v in values.items()}


# %%
# The phase diagram
# -----------------
# One panel per rule: the load on the horizontal axis, the size on the vertical axis, the
# colour the fraction of probes recalled. The Hebbian network loses recall near
# `\alpha_c = 0.138` at every size (the transition sharpens as `N` grows, Amit et al.
# 1985); Storkey's capacity `N / \sqrt{2 \ln N}` grows faster than linearly, so its
# boundary (dashed) moves to higher loads with `N`; the pseudo-inverse rule stores every
# pattern as a fixed point but its basins shrink with the load.


def phase_diagram(mean):
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True, layout="constrained")
    half = (ALPHAS[1] - ALPHAS[0]) / 2
    edges_a = np.concatenate([[ALPHAS[0] - half], np.add(ALPHAS[:-1], ALPHAS[1:]) / 2])
    edges_a = np.append(edges_a, ALPHAS[-1] + half)
    edges_n = np.geomspace(SIZES[0] / np.sqrt(2), SIZES[-1] * np.sqrt(2), len(SIZES) + 1)
    for ax, rule in zip(axes, RULES, strict=True):
        image = np.array([[mean[(rule, n, a)] for a in ALPHAS] for n in SIZES])
        mesh = ax.pcolormesh(edges_a, edges_n, image, vmin=0, vmax=1, cmap="viridis")
        ax.set_yscale("log")
        ax.set_yticks(SIZES, [str(n) for n in SIZES])
        ax.minorticks_off()
        ax.set_title(rule)
        ax.set_xlabel("load α = P / N")
        if rule == "hebbian":
            ax.axvline(ALPHA_C, color="w", ls="--", lw=1, label="α_c = 0.138")
            ax.legend(loc="upper right", fontsize=8)
        if rule == "storkey":
            n_line = np.geomspace(SIZES[0], SIZES[-1], 50)
            ax.plot([storkey_capacity(int(n)) / n for n in n_line], n_line, "w--", lw=1)
    axes[0].set_ylabel("units N")
    fig.colorbar(mesh, ax=axes, label="fraction of probes recalled")
    return fig


# %%
# Putting it together
# -------------------
# The guard keeps the worker processes, which may import this script, from starting clusters
# of their own.
if __name__ == "__main__":
    result = run_sweep()
    print(result)
    phase_diagram(mean_over_seeds(result))
    plt.show()
