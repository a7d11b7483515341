"""The playground's answer time: one recall step of a 64 x 64 Hopfield grid over HTTP, and
one animation frame of a 128 x 128 Ising lattice.

``energynets serve`` animates recall by the page asking for one sweep at a time
(``POST /api/hopfield/step``); for the animation to feel live, a step on the largest grid the
page allows (64 x 64 = 4096 units) must come back within 30 ms, request and answer included.

- ``web-hopfield-step-async``: 10 random patterns stored (Hebbian, float64) in a 64 x 64
  grid, a probe with 20% of its cells flipped; one asynchronous zero-temperature sweep from
  it, through a playground server on the loopback in this process, over one kept-alive HTTP
  connection (JSON encoding and decoding included). Floor: the same sweep,
  ``net.recall(probe, max_sweeps=1)``, called directly.
- ``web-hopfield-step-sync``: the same with the synchronous dynamics.

Target: at most 30 ms per step, round trip. The floor says how much of it is the sweep itself
(the package's asynchronous dynamics, one probe: a loop over the flips) and how much the
server (validation, JSON, HTTP). ``--quick`` runs the same sizes (the target is
about this size), with fewer steps per timed run.

- ``web-ising-frame``: the Ising page's animation, one frame of one checkerboard Gibbs sweep
  of the 128 x 128 periodic lattice at T = 2.269 (``POST /api/ising/frame``), the answer
  carrying the lattice as a string of 16384 '0'/'1' and its magnetisation and energy per
  spin. Floor: the same sweep, ``checkerboard(model.tempered(1 / T), spins, 1)`` on
  :func:`~energynets.models.lattice.ising_lattice`, called directly. Target: 20 frames per
  second, at most 50 ms per frame round trip, on the largest lattice the page offers.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchmarks.runner import SECONDS, Case, Job, Target
from energynets.datasets import random_patterns
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.lattice import ising_lattice
from energynets.sampling.gibbs import checkerboard
from energynets.states import corrupt
from energynets.web import make_server

SIDE = 64
N_PATTERNS = 10
FLOOR = "net.recall (no HTTP)"
SESSION = "benchmark-tab"


def _bits(spins: np.ndarray) -> str:
    return "".join("1" if s > 0 else "0" for s in spins)


@dataclass(frozen=True)
class Inputs:
    connection: http.client.HTTPConnection  # kept alive to the server on the loopback
    net: HopfieldNetwork
    probe: np.ndarray  # (4096,) spins
    pattern: str  # the pattern the probe was made from, as the API writes a grid
    n_steps: int  # steps per timed run


_SERVER: list[Any] = []  # one server per benchmark process, started on first use


def _server_url() -> str:
    if not _SERVER:
        server = make_server("127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _SERVER.append(server)
    return str(_SERVER[0].url)


def _post(
    connection: http.client.HTTPConnection, action: str, fields: dict, page: str = "hopfield"
) -> dict:
    body = json.dumps({"session": SESSION, **fields}).encode()
    connection.request("POST", f"/api/{page}/{action}", body)
    response = connection.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        raise RuntimeError(f"{action} answered {response.status}: {answer}")
    return answer


def _setup(quick: bool) -> Inputs:
    port = int(_server_url().rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    patterns = random_patterns(N_PATTERNS, SIDE * SIDE, rng=0)
    grid = {"height": SIDE, "width": SIDE}
    _post(
        connection, "store", {**grid, "rule": "hebbian", "patterns": [_bits(p) for p in patterns]}
    )
    probe = corrupt(patterns[:1], 0.2, rng=1)[0]
    # the floor runs on the server's own network: the dynamics cache the zero-field tolerance
    # of the last weights they saw (one N x N pass to compute), and two networks taking turns
    # would recompute it on every call of both
    net = _SERVER[0].sessions.get(SESSION).states["hopfield"].net
    assert isinstance(net, HopfieldNetwork) and np.array_equal(net.patterns, patterns)
    return Inputs(connection, net, probe, _bits(patterns[0]), 3 if quick else 10)


def _ours(dynamics: str) -> Any:
    def prepare(inputs: Inputs) -> Job:
        fields = {"height": SIDE, "width": SIDE, "state": _bits(inputs.probe), "dynamics": dynamics}

        def run() -> str:
            for _ in range(inputs.n_steps):
                answer = _post(inputs.connection, "step", fields)
            return str(answer["state"])

        return Job(run, n_items=inputs.n_steps, note="POST /api/hopfield/step, kept-alive")

    return prepare


def _floor(dynamics: str) -> Any:
    def prepare(inputs: Inputs) -> Job:
        rng = np.random.default_rng(0)
        probe = inputs.probe[None, :]

        def run() -> str:
            for _ in range(inputs.n_steps):
                result = inputs.net.recall(probe, dynamics=dynamics, max_sweeps=1, rng=rng)
            return _bits(result.states[0])

        return Job(run, n_items=inputs.n_steps, note="one sweep in Python, no server")

    return prepare


def _check(name: str, result: Any, inputs: Inputs) -> None:
    # at a load of 10 / 4096 one sweep from a 20% corruption reaches the pattern
    assert result == inputs.pattern, f"{name}: the step did not reach the stored pattern"


def _case(dynamics: str, words: str) -> Case:
    return Case(
        name=f"web-hopfield-step-{dynamics}",
        description=f"One {words} recall sweep of a 64 x 64 Hopfield grid (10 Hebbian "
        "patterns, 20% of the probe flipped, float64) through the playground's HTTP API, "
        "round trip on the loopback; time per step. --quick: 3 steps per run, not 10.",
        setup=_setup,
        ours=_ours(dynamics),
        floor=(FLOOR, _floor(dynamics)),
        unit="per step",
        check=_check,
        targets=(Target(SECONDS, 0.030, "a step answered within 30 ms round trip"),),
    )


CASES = [_case("async", "asynchronous"), _case("sync", "synchronous")]


# -- the Ising page: one frame of the animation ------------------------------------------
LATTICE_SIDE = 128
T_C = 2.269


@dataclass(frozen=True)
class IsingInputs:
    connection: http.client.HTTPConnection  # kept alive to the server on the loopback
    n_frames: int  # frames per timed run


def _ising_setup(quick: bool) -> IsingInputs:
    port = int(_server_url().rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    fields = {"side": LATTICE_SIDE, "initial": "random", "seed": 0}
    _post(connection, "reset", fields, page="ising")
    _post(connection, "frame", {"temperature": T_C}, page="ising")  # the model made, cached
    return IsingInputs(connection, 10 if quick else 50)


def _ising_ours(inputs: IsingInputs) -> Job:
    fields = {"temperature": T_C, "sweeps": 1, "rule": "gibbs"}

    def run() -> tuple[str, float]:
        for _ in range(inputs.n_frames):
            answer = _post(inputs.connection, "frame", fields, page="ising")
        return str(answer["spins"]), float(answer["energy"])

    return Job(run, n_items=inputs.n_frames, note="POST /api/ising/frame, kept-alive")


def _ising_floor(inputs: IsingInputs) -> Job:
    model = ising_lattice(LATTICE_SIDE, dtype=np.float32)
    tempered = model.tempered(1 / T_C)
    rng = np.random.default_rng(0)
    state = [model.random_states(1, rng=rng)[0]]

    def run() -> tuple[str, float]:
        for _ in range(inputs.n_frames):
            state[0] = checkerboard(tempered, state[0], 1, rng=rng).states[0]
        spins = state[0]
        return _bits(spins), float(model.energy(spins)) / spins.size

    return Job(run, n_items=inputs.n_frames, note="one sweep in Python, no server")


def _ising_check(name: str, result: Any, inputs: IsingInputs) -> None:
    bits, energy = result
    spins = np.array([1.0 if c == "1" else -1.0 for c in bits])
    assert spins.size == LATTICE_SIDE**2, f"{name}: the lattice has {spins.size} spins"
    expected = float(ising_lattice(LATTICE_SIDE).energy(spins)) / spins.size
    assert abs(energy - expected) < 1e-9, f"{name}: energy {energy} is not the lattice's"
    # near T_c the energy per spin of a 128 x 128 lattice is about -1.4
    assert -1.8 < energy < -1.0, f"{name}: energy per spin {energy} is far from T_c's"


CASES.append(
    Case(
        name="web-ising-frame",
        description="One animation frame of the Ising page: one checkerboard Gibbs sweep of a "
        "128 x 128 periodic lattice at T = 2.269 (float32) through the playground's HTTP "
        "API, the lattice sent back as 16384 '0'/'1'; time per frame. --quick: 10 frames per run, "
        "not 50.",
        setup=_ising_setup,
        ours=_ising_ours,
        floor=("checkerboard (no HTTP)", _ising_floor),
        unit="per frame",
        check=_ising_check,
        targets=(Target(SECONDS, 0.050, "20 frames per second: a frame within 50 ms"),),
    )
)
