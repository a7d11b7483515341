"""The Ising page's JSON API: every frame is the package's checkerboard sampler run with the
tab's generator, the measured values are the model's own, and hostile fields are refused
with a 4xx JSON error naming the field, the server alive and correct after them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from energynets.experiments.sampling import onsager_energy, onsager_magnetisation
from energynets.models.boltzmann import ising_2d
from energynets.sampling.gibbs import checkerboard
from energynets.web._fields import ApiError, parse
from energynets.web._ising import PAGE
from energynets.web._limits import MAX_LATTICE_SIDE, MAX_SWEEPS_PER_FRAME

from .conftest import Client

TAB = "tab-ising-0001"


def post(client: Client, action: str, session: str = TAB, **fields) -> tuple[int, dict]:
    body = json.dumps({"session": session, **fields}).encode()
    status, answer, _ = client.request(
        "POST", f"/api/ising/{action}", body, {"Content-Type": "application/json"}
    )
    return status, answer


def ok(client: Client, action: str, session: str = TAB, **fields) -> dict:
    status, answer = post(client, action, session, **fields)
    assert status == 200, answer
    return answer


def spins(bits: str) -> np.ndarray:
    return np.array([1.0 if c == "1" else -1.0 for c in bits], dtype=np.float32)


def test_the_page_is_served(client):
    status, html, response = client.request("GET", "/ising")
    assert status == 200 and response.getheader("Content-Type").startswith("text/html")
    assert b"/static/ising.js" in html
    _, pages, _ = client.request("GET", "/api/pages")
    assert {"name": "ising", "title": "Ising and Boltzmann"} in [
        {"name": p["name"], "title": p["title"]} for p in pages["pages"]
    ]


@pytest.mark.parametrize(
    ("initial", "rule", "temperature", "sweeps", "field"),
    [
        ("up", "gibbs", 1.5, 3, 0.0),
        ("random", "gibbs", 2.269, 1, 0.0),
        ("random", "metropolis", 4.0, 5, 0.0),
        ("random", "gibbs", 3.0, 2, -0.4),
        ("up", "metropolis", 2.0, 4, 0.25),
    ],
)
def test_frames_are_the_packages_checkerboard_sampler(
    client, initial, rule, temperature, sweeps, field
):
    side, seed = 16, 11
    first = ok(client, "reset", side=side, initial=initial, seed=seed)
    model = ising_2d(side, field=field, dtype=np.float32)
    gen = np.random.default_rng(seed)
    if initial == "up":
        state = np.ones(side * side, dtype=np.float32)
    else:
        state = model.random_states(1, rng=gen)[0]
    assert first["spins"] == "".join("1" if s > 0 else "0" for s in state)
    for frame_temperature in (temperature, 0.8):  # the generator carries over between frames
        answer = ok(
            client, "frame", temperature=frame_temperature, sweeps=sweeps, rule=rule, field=field
        )
        state = checkerboard(
            model.tempered(1 / frame_temperature), state, sweeps, rng=gen, rule=rule
        ).states[0]
        assert answer["spins"] == "".join("1" if s > 0 else "0" for s in state)
    assert answer["sweeps"] == 2 * sweeps


def test_a_frame_depends_on_the_seed(client):
    frames = []
    for seed in (1, 2, 1):
        ok(client, "reset", side=32, initial="random", seed=seed)
        frames.append(ok(client, "frame", temperature=2.0, sweeps=2)["spins"])
    assert frames[0] == frames[2] != frames[1]


def test_the_measurements_are_the_models_own(client):
    ok(client, "reset", side=32, initial="random", seed=5)
    answer = ok(client, "frame", temperature=2.0, sweeps=4)
    s = spins(answer["spins"])
    model = ising_2d(32)
    assert answer["magnetisation"] == pytest.approx(float(np.mean(s)), abs=1e-12)
    assert answer["energy"] == pytest.approx(float(model.energy(s)) / 1024, abs=1e-12)
    assert answer["exact_energy"] == float(onsager_energy(2.0))
    assert answer["exact_magnetisation"] == float(onsager_magnetisation(2.0))
    assert answer["temperature"] == 2.0 and answer["side"] == 32


def test_in_a_field_the_energy_is_the_models_and_no_exact_value_is_claimed(client):
    ok(client, "reset", side=16, initial="random", seed=3)
    answer = ok(client, "frame", temperature=1.5, sweeps=30, field=1.0)
    s = spins(answer["spins"])
    assert answer["energy"] == pytest.approx(
        float(ising_2d(16, field=1.0).energy(s)) / 256, abs=1e-12
    )
    assert answer["exact_energy"] is None and answer["exact_magnetisation"] is None
    assert answer["magnetisation"] > 0.9  # the field orders the lattice along it


def test_all_up_is_the_ground_state(client):
    answer = ok(client, "reset", side=8, initial="up")
    assert answer["spins"] == "1" * 64
    assert answer["magnetisation"] == 1.0 and answer["energy"] == -2.0


def test_the_theory_marks_onsagers_critical_temperature(client):
    answer = ok(client, "theory")
    assert answer["critical_temperature"] == pytest.approx(2 / np.log(1 + np.sqrt(2)))
    t = np.array(answer["temperatures"])
    assert t[0] == 0.5 and t[-1] == 5.0
    assert answer["magnetisation"] == onsager_magnetisation(t).tolist()
    assert answer["energy"] == onsager_energy(t).tolist()


def test_each_tab_has_its_own_lattice_and_a_frame_needs_one(client):
    status, answer = post(client, "frame", session="tab-ising-fresh", temperature=1.0)
    assert status == 409 and "reset" in answer["error"]
    ok(client, "reset", session="tab-ising-a", side=8, initial="up")
    ok(client, "reset", session="tab-ising-b", side=4, initial="up")
    assert ok(client, "frame", session="tab-ising-a", temperature=1.0)["side"] == 8


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("reset", "side", 15),
        ("reset", "side", MAX_LATTICE_SIDE + 2),
        ("reset", "side", 10**12),
        ("reset", "side", -8),
        ("reset", "side", 0),
        ("reset", "side", 2),
        ("reset", "side", 8.5),
        ("reset", "side", True),
        ("reset", "side", "8"),
        ("reset", "side", None),
        ("reset", "initial", "down"),
        ("reset", "seed", -1),
        ("reset", "seed", 2**64),
        ("frame", "temperature", 0),
        ("frame", "temperature", -1.0),
        ("frame", "temperature", 1e300),
        ("frame", "temperature", False),
        ("frame", "temperature", [1.0]),
        ("frame", "sweeps", MAX_SWEEPS_PER_FRAME + 1),
        ("frame", "sweeps", 0),
        ("frame", "sweeps", 1.5),
        ("frame", "rule", "wolff"),
        ("frame", "field", 2.5),
        ("frame", "field", -1e9),
        ("frame", "field", "0.1"),
        ("frame", "field", True),
    ],
)
def test_hostile_fields_are_refused_naming_the_field(client, action, field, value):
    good = {"reset": {"side": 8, "initial": "up"}, "frame": {"temperature": 1.0}}[action]
    ok(client, "reset", side=8, initial="up")
    status, answer = post(client, action, **{**good, field: value})
    assert status == 400, answer
    assert answer["field"] == field and answer["error"].startswith(f"{field}: ")
    # the server is alive, and the tab's lattice untouched by the refused request
    assert ok(client, "frame", temperature=1.0, sweeps=1)["side"] == 8


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_temperature_and_side_are_refused(client, constant):
    for action, body in (
        ("frame", b'{"session": "%s", "temperature": %s}' % (TAB.encode(), constant)),
        ("reset", b'{"session": "%s", "side": %s, "initial": "up"}' % (TAB.encode(), constant)),
    ):
        status, answer, _ = client.request(
            "POST", f"/api/ising/{action}", body, {"Content-Type": "application/json"}
        )
        # not JSON (the server's strict decoder refuses it before the fields are read)
        assert status == 400 and constant.decode().lstrip("-") in answer["error"], answer
    assert ok(client, "reset", side=4, initial="up")["spins"] == "1" * 16


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_nan_that_reaches_the_fields_is_refused_naming_the_field(value):
    # a decoded body holding NaN (as a lenient client library might send) is checked too
    for action, body, field in (
        ("frame", {"temperature": value}, "temperature"),
        ("reset", {"side": value, "initial": "up"}, "side"),
        ("frame", {"temperature": 1.0, "field": value}, "field"),
    ):
        with pytest.raises(ApiError) as caught:
            parse(body, PAGE.actions[action].fields)
        assert caught.value.status == 400 and caught.value.field == field


def test_unknown_and_missing_fields_are_named(client):
    status, answer = post(client, "reset", side=8, initial="up", lattice="x")
    assert status == 400 and answer["field"] == "lattice"
    status, answer = post(client, "reset", initial="up")
    assert status == 400 and answer["field"] == "side"
    status, answer = post(client, "frame", sweeps=1)
    assert status == 400 and answer["field"] == "temperature"
    status, answer = post(client, "theory", temperature=1.0)
    assert status == 400 and answer["field"] == "temperature"
