"""Determinism: the key experiments, run twice with the same seeds, agree bit for bit.

Each run is a fresh Python process with the BLAS threads fixed to one, a different
``PYTHONHASHSEED`` and a different seed of numpy's global random state, so a result that
depended on that global state, on the iteration order of a set of strings, or on the thread
schedule would show up as a difference. Every result is reduced to a SHA-256 of its exact
bytes (dtype, shape and data).
"""

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    import numpy as np
    import energynets as en
    from energynets import sampling
    from energynets.cli._cluster import capacity_cell
    from energynets.experiments import capacity, compare
    from energynets.models.boltzmann import sherrington_kirkpatrick

    np.random.seed(int(sys.argv[1]))  # numpy's global state differs: it must not matter
    out = {}

    def digest(*arrays):
        h = hashlib.sha256()
        for a in arrays:
            a = np.ascontiguousarray(np.asarray(a))
            h.update(f"{a.dtype}{a.shape}".encode() + a.tobytes())
        return h.hexdigest()

    patterns, _ = en.datasets.glyphs()
    net = en.HopfieldNetwork.from_patterns(patterns[:4], rule="storkey")
    out["hopfield recall"] = digest(net.recall(en.corrupt(patterns[:4], 0.2, rng=1), rng=2).states)
    table = capacity.run_capacity(
        n_units=60, alphas=[0.05, 0.15], rules=["hebbian", "pseudoinverse"], n_trials=2,
        max_probes=5, rng=3,
    )
    out["capacity"] = digest([[r[k] for k in sorted(r) if k != "rule"] for r in table.records])
    bm = sherrington_kirkpatrick(12, rng=4)
    start = np.ones((8, 12))
    out["gibbs"] = digest(sampling.gibbs(bm, start, n_sweeps=50, rng=5).states)
    X = en.datasets.bars_and_stripes(3).reshape(-1, 9).astype(float)
    rbm, hist = en.fit_rbm(
        en.RBM(9, 6, rng=6), X, method="pcd", n_epochs=20, batch_size=7, rng=7
    )
    out["fit_rbm"] = digest(rbm.weights, rbm.visible_bias, rbm.hidden_bias,
                            hist["pseudo_likelihood"])
    forward = en.ais(rbm, n_runs=20, n_betas=200, rng=8)
    backward = en.reverse_ais(rbm, X, n_betas=200, rng=9)
    out["ais"] = digest(forward.log_weights, backward.log_weights)
    Xd, yd = en.datasets.load_digits()
    Xd = (Xd[:400] / 16).astype(np.float32)
    mlp, mh = en.fit_mlp(
        en.MLP([64, 32, 10], rng=10, dtype=np.float32), Xd, yd[:400], n_epochs=3, rng=11
    )
    out["fit_mlp"] = digest(*mlp.weights, *mlp.biases, mh["loss"])
    dbn, _ = en.fit_dbn([64, 20, 10], Xd, n_epochs=2, batch_size=20, rng=12)
    fine, _ = en.fit_mlp(dbn.to_mlp(10, rng=13), Xd, yd[:400], n_epochs=2, rng=14)
    out["fit_dbn + fine-tuning"] = digest(*fine.weights, *fine.biases)
    result = compare.pretraining_experiment(
        hidden=(16,), n_labels=(50,), seeds=(0, 1), pretrain_epochs=2, finetune_epochs=2,
        min_updates=0, batch_size=20,
    )
    out["pretraining experiment"] = digest(result.column("mean_accuracy"))
    swept = en.sweep(
        capacity_cell,
        {"rule": ["hebbian", "storkey"], "n_units": [40], "n_patterns": [3, 6],
         "flip_fraction": [0.1], "n_trials": [1], "dynamics": ["async"], "max_sweeps": [20],
         "max_probes": [4]},
        seeds=2, rng=15, workers=1,
    )
    out["sweep"] = digest([[r[k] for k in sorted(r) if isinstance(r[k], float | int)]
                           for r in swept.to_rows()])
    print(json.dumps(out))
    """
)

KEYS = {
    "hopfield recall", "capacity", "gibbs", "fit_rbm", "ais", "fit_mlp",
    "fit_dbn + fine-tuning", "pretraining experiment", "sweep",
}  # fmt: skip


def _run(hash_seed: str, global_seed: int) -> dict:
    env = dict(os.environ)
    env.update(
        PYTHONHASHSEED=hash_seed, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(global_seed)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_key_experiments_are_bit_identical_across_processes():
    first = _run("1", 123)
    second = _run("2", 456)
    assert set(first) == KEYS
    different = sorted(k for k in KEYS if first[k] != second[k])
    assert different == []
