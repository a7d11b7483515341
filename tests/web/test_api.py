"""The Hopfield page's JSON API computes what energynets computes: every answer is compared
with the same call made directly in Python (same inputs, same seeds)."""

from __future__ import annotations

import numpy as np
import pytest

import energynets as en
from energynets.experiments.capacity.theory import ALPHA_C, mceliece_capacity, storkey_capacity


def spins(bits: str) -> np.ndarray:
    return np.array([1.0 if c == "1" else -1.0 for c in bits])


def bits(spins_: np.ndarray) -> str:
    return "".join("1" if s > 0 else "0" for s in np.ravel(spins_))


def glyph_grid(name: str, height: int, width: int) -> np.ndarray:
    patterns, _ = en.datasets.glyphs(name)
    gh, gw = en.datasets.glyph_shape()
    grid = -np.ones((height, width))
    top, left = (height - gh) // 2, (width - gw) // 2
    grid[top : top + gh, left : left + gw] = patterns[0].reshape(gh, gw)
    return grid.ravel()


def test_the_index_and_the_page_are_served(client):
    status, body, response = client.request("GET", "/")
    assert status == 200 and b"/static/index.js" in body
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    status, body, _ = client.request("GET", "/hopfield")
    assert status == 200 and b"/static/hopfield.js" in body
    status, answer, _ = client.request("GET", "/api/pages")
    assert answer["pages"][0] == {"name": "hopfield", "title": "Hopfield network"}
    for name in ("playground.js", "hopfield.js", "playground.css", "index.js"):
        status, body, response = client.request("GET", f"/static/{name}")
        assert status == 200 and len(body) > 100, name


@pytest.mark.parametrize(("height", "width"), [(16, 12), (20, 20), (64, 64)])
def test_a_glyph_is_the_built_in_bitmap_centred(client, height, width):
    answer = client.ok("glyph", height=height, width=width, name="R")
    assert answer["pattern"] == bits(glyph_grid("R", height, width))


@pytest.mark.parametrize(
    ("height", "width", "k"), [(8, 8, 1), (16, 12, 1), (20, 17, 2), (64, 64, 8)]
)
def test_a_digit_is_the_embedded_image_enlarged_and_centred(client, height, width, k):
    X, y = en.datasets.load_digits()
    image = en.datasets.binarize(X[np.flatnonzero(y == 7)[5]], threshold=0.25, maximum=16)
    big = np.kron(image.reshape(8, 8), np.ones((k, k)))
    grid = -np.ones((height, width))
    top, left = (height - 8 * k) // 2, (width - 8 * k) // 2
    grid[top : top + 8 * k, left : left + 8 * k] = 2 * big - 1
    answer = client.ok("digit", height=height, width=width, digit=7, index=5)
    assert answer["pattern"] == bits(grid)
    status, answer = client.post("digit", height=7, width=12, digit=7)
    assert (status, answer["field"]) == (400, "height")
    status, answer = client.post("digit", height=8, width=8, digit=7, index=100)
    assert (status, answer["field"]) == (400, "index")


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudoinverse"])
def test_store_reports_the_load_and_the_theory(client, rule):
    xi = en.datasets.glyphs("ABC")[0]
    answer = client.ok(
        "store",
        session=f"store-{rule}",
        height=16,
        width=12,
        rule=rule,
        patterns=[bits(p) for p in xi],
        seed=3,
    )
    net = en.HopfieldNetwork.from_patterns(xi, rule=rule)
    n = xi.shape[1]
    assert answer["n_patterns"] == 3 and answer["n_units"] == n == 192
    assert answer["alpha"] == 3 / n
    expected = {"hebbian": ALPHA_C, "storkey": storkey_capacity(n) / n, "pseudoinverse": 1.0}
    assert answer["alpha_c"] == expected[rule]
    assert answer["mceliece_alpha"] == mceliece_capacity(n) / n
    assert answer["fixed_points"] == net.is_fixed_point(xi).tolist()


def test_corrupt_flips_what_energynets_corrupt_flips(client):
    xi = glyph_grid("K", 16, 12)
    answer = client.ok("corrupt", height=16, width=12, state=bits(xi), flip_fraction=0.25, seed=9)
    expected = en.corrupt(xi[None, :], 0.25, rng=9)[0]
    assert answer["state"] == bits(expected)
    assert (spins(answer["state"]) != xi).sum() == round(0.25 * 192)


@pytest.mark.parametrize(
    ("rule", "dynamics", "temperature"),
    [
        ("hebbian", "async", 0.0),
        ("storkey", "sync", 0.0),
        ("pseudoinverse", "async", 0.0),
        ("hebbian", "glauber", 0.4),
    ],
)
def test_steps_are_sweeps_of_recall_with_the_sessions_generator(
    client, rule, dynamics, temperature
):
    xi = en.datasets.random_patterns(4, 20 * 16, rng=1)
    session = f"steps-{rule}-{dynamics}"
    client.ok(
        "store",
        session=session,
        height=20,
        width=16,
        rule=rule,
        patterns=[bits(p) for p in xi],
        seed=11,
    )
    net = en.HopfieldNetwork.from_patterns(xi, rule=rule)
    rng = np.random.default_rng(11)
    state = en.corrupt(xi[:1], 0.3, rng=5)[0]
    served = bits(state)
    for _ in range(4):
        fields = {"dynamics": dynamics, "temperature": temperature or 1.0}
        answer = client.ok("step", session=session, height=20, width=16, state=served, **fields)
        result = net.recall(
            state[None, :],
            dynamics="async" if dynamics == "glauber" else dynamics,
            temperature=temperature,
            max_sweeps=1,
            rng=rng,
        )
        state = result.states[0]
        assert answer["state"] == bits(state)
        assert answer["converged"] == bool(result.converged[0])
        assert answer["energy"] == pytest.approx(float(net.energy(state[None, :])[0]), abs=1e-12)
        np.testing.assert_allclose(answer["overlaps"], en.overlap(state, xi), atol=1e-12)
        served = answer["state"]
    if temperature == 0.0 and rule != "storkey":  # a few sweeps reach the pattern
        assert answer["converged"] and answer["state"] == bits(xi[0])


def test_measure_is_the_energy_and_the_overlaps(client):
    xi = en.datasets.random_patterns(3, 64, rng=2)
    client.ok(
        "store",
        session="measure-tab-1",
        height=8,
        width=8,
        rule="hebbian",
        patterns=[bits(p) for p in xi],
    )
    probe = en.corrupt(xi[1:2], 0.2, rng=4)[0]
    answer = client.ok("measure", session="measure-tab-1", height=8, width=8, state=bits(probe))
    net = en.HopfieldNetwork.from_patterns(xi)
    assert answer["energy"] == pytest.approx(float(net.energy(probe)), abs=1e-12)
    np.testing.assert_allclose(answer["overlaps"], en.overlap(probe, xi), atol=1e-12)


def test_store_one_more_adds_the_seeded_random_pattern(client):
    xi = en.datasets.random_patterns(2, 100, rng=3)
    client.ok(
        "store",
        session="more-tab-1",
        height=10,
        width=10,
        rule="storkey",
        patterns=[bits(p) for p in xi],
    )
    answer = client.ok("add_random", session="more-tab-1", seed=42)
    extra = en.datasets.random_patterns(1, 100, rng=42)
    assert answer["pattern"] == bits(extra[0])
    assert answer["n_patterns"] == 3 and answer["alpha"] == 0.03
    net = en.HopfieldNetwork.from_patterns(xi, rule="storkey").store(extra)
    assert answer["fixed_points"] == net.is_fixed_point(net.patterns).tolist()


def test_each_tab_has_its_own_network(client):
    a, b = en.datasets.glyphs("AB")[0]
    client.ok(
        "store", session="tab-a-0001", height=16, width=12, rule="hebbian", patterns=[bits(a)]
    )
    client.ok(
        "store", session="tab-b-0001", height=16, width=12, rule="hebbian", patterns=[bits(b)]
    )
    m_a = client.ok("measure", session="tab-a-0001", height=16, width=12, state=bits(a))
    m_b = client.ok("measure", session="tab-b-0001", height=16, width=12, state=bits(a))
    assert m_a["overlaps"] == [1.0] and m_b["overlaps"] == [float(a @ b / a.size)]


def test_actions_out_of_order_are_refused_with_409(client):
    status, answer = client.post(
        "step", session="fresh-tab-01", height=4, width=4, state="0" * 16, dynamics="async"
    )
    assert status == 409 and "store" in answer["error"]
    client.ok(
        "store", session="fresh-tab-01", height=4, width=4, rule="hebbian", patterns=["0110" * 4]
    )
    status, answer = client.post(
        "step", session="fresh-tab-01", height=2, width=8, state="0" * 16, dynamics="async"
    )
    assert status == 409 and answer["field"] == "height" and "4 x 4" in answer["error"]
