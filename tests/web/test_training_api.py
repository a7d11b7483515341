"""The training pages' JSON API and event stream (the RBM page, the EP-against-backprop page).

Each run is the package's own training, checked against it: the RBM page's last curve point
and filters are those of :func:`energynets.fit_rbm` run directly with the same settings and
seed, and the EP page's curves those of :func:`energynets.fit_eqprop` and
:func:`energynets.fit_mlp` run epoch by epoch on the page's split with the page's generators.
A job can be cancelled, its reports can be followed as server-sent events, and hostile fields
are refused with a 4xx naming the field.
"""

from __future__ import annotations

import http.client
import json
import time

import numpy as np
import pytest

from energynets.learning.backprop import fit_mlp
from energynets.learning.contrastive import fit_rbm
from energynets.learning.eqprop import fit_eqprop
from energynets.metrics import log_likelihood, rbm_log_partition
from energynets.models.eqnet import EnergyNetwork
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM
from energynets.web._eqprop import digits_split
from energynets.web._rbm import dataset, grey_levels

from .conftest import Client

RBM_RUN = {"dataset": "bars", "side": 3, "hidden": 6, "method": "cd", "k": 1,
           "learning_rate": 0.1, "epochs": 40, "batch_size": 4, "seed": 3}  # fmt: skip
EP_RUN = {"hidden": 12, "epochs": 3, "batch_size": 64, "ep_learning_rate": 0.08,
          "bp_learning_rate": 1.0, "beta": 0.5, "n_free": 8, "n_nudged": 4, "seed": 5}  # fmt: skip


def finished(client: Client, page: str, session: str, timeout: float = 60.0) -> dict:
    """Poll the tab's job until it has stopped; its last report."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = client.ok("progress", session, page=page)
        if report["status"] != "running":
            return report
        time.sleep(0.05)
    raise AssertionError(f"the {page} job of {session} did not stop within {timeout} s")


def test_the_training_pages_are_served_and_listed(client):
    _, pages, _ = client.request("GET", "/api/pages")
    names = [page["name"] for page in pages["pages"]]
    assert names == ["hopfield", "ising", "rbm", "eqprop"]
    for name in ("rbm", "eqprop"):
        status, html, _ = client.request("GET", f"/{name}")
        assert status == 200 and f"/static/{name}.js".encode() in html


def test_the_rbm_page_trains_as_fit_rbm_does(client):
    session = "tab-rbm-same-run"
    started = client.ok("train", session, page="rbm", **RBM_RUN)
    assert started["status"] == "running"
    report = finished(client, "rbm", session)
    assert report["status"] == "done" and report["progress"] == 1.0
    assert report["epoch"] == RBM_RUN["epochs"] and report["curve"]["epoch"][-1] == 40

    data, _ = dataset("bars", 3)
    model, _ = fit_rbm(
        RBM(9, 6, rng=3), data, method="cd", k=1, n_epochs=40, batch_size=4,
        learning_rate=0.1, rng=3,
    )  # fmt: skip
    expected = log_likelihood(model, data, rbm_log_partition(model))
    assert report["monitor"] == "log_likelihood"
    assert report["curve"]["log_likelihood"][-1] == pytest.approx(expected, abs=1e-12)
    weights = model.weights.T
    assert report["filters"] == grey_levels(weights, float(np.max(np.abs(weights))))
    assert report["shape"] == [3, 3] and len(report["samples"]) == 16
    assert all(len(s) == 9 and set(s) <= {"0", "1"} for s in report["samples"])

    dream = client.ok("daydream", session, page="rbm", steps=5)
    assert len(dream["samples"]) == 16 and dream["filters"] == report["filters"]


def test_grey_levels_map_the_scale_to_black_and_white():
    rows = np.array([[-2.0, 0.0, 2.0, 1.0], [np.nan, np.inf, -np.inf, -1.0]])
    assert grey_levels(rows, 2.0) == [[0, 128, 255, 191], [128, 255, 0, 64]]


def test_the_digits_are_monitored_by_their_reconstruction_error(client):
    session = "tab-rbm-digits-1"
    run = {**RBM_RUN, "dataset": "digits", "hidden": 20, "epochs": 2, "batch_size": 100}
    client.ok("train", session, page="rbm", **run)
    report = finished(client, "rbm", session)
    assert report["monitor"] == "reconstruction_error" and report["shape"] == [8, 8]
    assert len(report["filters"]) == 20 and len(report["filters"][0]) == 64
    assert 0.0 < report["curve"]["reconstruction_error"][-1] < 0.25


def test_a_training_can_be_cancelled_and_a_running_model_cannot_daydream(client):
    session = "tab-rbm-cancel-1"
    run = {**RBM_RUN, "dataset": "digits", "hidden": 50, "epochs": 5000}
    client.ok("train", session, page="rbm", **run)
    status, answer = client.post("daydream", session, page="rbm", steps=5)
    assert status == 409 and "still training" in answer["error"]
    client.ok("cancel", session, page="rbm")
    report = finished(client, "rbm", session, timeout=30)
    assert report["status"] == "cancelled" and report["progress"] < 1.0


def test_the_events_stream_the_jobs_reports_until_it_stops(client, server_url):
    session = "tab-rbm-events-1"
    client.ok("train", session, page="rbm", **{**RBM_RUN, "epochs": 300})
    connection = http.client.HTTPConnection(client.host, client.port, timeout=60)
    try:
        connection.request("GET", f"/api/rbm/events?session={session}")
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "text/event-stream"
        lines = response.read().decode().split("\n")
    finally:
        connection.close()
    reports = [json.loads(line[len("data: ") :]) for line in lines if line.startswith('data: {"')]
    versions = [report["version"] for report in reports]
    assert versions == sorted(set(versions)) and len(reports) >= 2
    assert [r["status"] for r in reports[:-1]] == ["running"] * (len(reports) - 1)
    assert reports[-1]["status"] == "done" and reports[-1]["epoch"] == 300
    assert lines[-4:] == ["event: end", "data: {}", "", ""]


@pytest.mark.parametrize(
    ("query", "page", "status", "field"),
    [
        ("session=tab-never-trained", "rbm", 409, None),
        ("session=no", "rbm", 400, "session"),
        ("", "rbm", 400, "session"),
        ("session=tab-00000001&extra=1", "rbm", 400, "extra"),
        ("session=tab-00000001", "hopfield", 404, None),
    ],
)
def test_bad_event_requests_are_refused(client, query, page, status, field):
    got, answer, _ = client.request("GET", f"/api/{page}/events?{query}")
    assert got == status and answer["field"] == field, answer


@pytest.mark.parametrize(
    ("page", "field", "value"),
    [
        ("rbm", "dataset", "mnist"),
        ("rbm", "side", 7),
        ("rbm", "hidden", 0),
        ("rbm", "hidden", 10_000),
        ("rbm", "epochs", 10**9),
        ("rbm", "learning_rate", "0.1"),
        ("rbm", "k", 1.5),
        ("rbm", "chains", -1),
        ("rbm", "seed", True),
        ("eqprop", "hidden", 100_000),
        ("eqprop", "beta", 0.0),
        ("eqprop", "epochs", None),
        ("eqprop", "n_free", [30]),
        ("eqprop", "bp_learning_rate", 1e9),
    ],
)
def test_hostile_training_fields_are_refused_naming_the_field(client, page, field, value):
    status, answer = client.post("train", "tab-hostile-1", page=page, **{field: value})
    assert status == 400 and answer["field"] == field, answer


def test_the_ep_page_trains_as_fit_eqprop_and_fit_mlp_do(client):
    session = "tab-eqprop-same-1"
    client.ok("train", session, page="eqprop", **EP_RUN)
    report = finished(client, "eqprop", session)
    assert report["status"] == "done" and report["epoch"] == 3

    X, y, X_test, y_test = digits_split(5)
    assert report["n_train"] == y.size and report["n_test"] == y_test.size == 359
    energy = EnergyNetwork([64, 12, 10], "softmax", rng=5, dtype=np.float32)
    mlp = MLP([64, 12, 10], activation="sigmoid", output="softmax", init="xavier_uniform",
              rng=5, dtype=np.float32)  # fmt: skip
    ep_gen, bp_gen = np.random.default_rng([5, 3]), np.random.default_rng([5, 3])
    for epoch in range(3):
        energy, ep = fit_eqprop(energy, X, y, beta=0.5, n_free=8, n_nudged=4,
                                learning_rate=0.08, n_epochs=1, batch_size=64,
                                validation_data=(X_test, y_test), rng=ep_gen)  # fmt: skip
        mlp, bp = fit_mlp(mlp, X, y, optimizer="sgd", learning_rate=1.0, n_epochs=1,
                          batch_size=64, validation_data=(X_test, y_test), rng=bp_gen)  # fmt: skip
        curves = report["curves"]
        assert curves["ep"]["loss"][epoch] == pytest.approx(ep["loss"][-1], abs=1e-12)
        assert curves["backprop"]["test_error"][epoch] == pytest.approx(
            1.0 - bp["validation_accuracy"][-1], abs=1e-12
        )
        assert curves["ep"]["test_error"][epoch] == pytest.approx(
            1.0 - ep["validation_accuracy"][-1], abs=1e-12
        )
    seconds = report["curves"]["ep"]["seconds"]
    assert seconds == sorted(seconds) and seconds[0] > 0


def test_the_server_runs_at_most_two_trainings_at_once(client):
    long_run = {**RBM_RUN, "dataset": "digits", "hidden": 50, "epochs": 5000}
    sessions = ["tab-limit-0001", "tab-limit-0002", "tab-limit-0003"]
    try:
        client.ok("train", sessions[0], page="rbm", **long_run)
        client.ok("train", sessions[1], page="eqprop", **{**EP_RUN, "epochs": 200})
        status, answer = client.post("train", sessions[2], page="rbm", **long_run)
        assert status == 429 and "at most 2 trainings" in answer["error"]
    finally:
        client.ok("cancel", sessions[0], page="rbm")
        client.ok("cancel", sessions[1], page="eqprop")
    assert finished(client, "rbm", sessions[0])["status"] == "cancelled"
    assert finished(client, "eqprop", sessions[1])["status"] == "cancelled"
    client.ok("train", sessions[2], page="rbm", **{**RBM_RUN, "epochs": 2})
    assert finished(client, "rbm", sessions[2])["status"] == "done"


def test_event_streams_are_bounded_and_a_client_that_leaves_frees_its_stream(client):
    from energynets.web._limits import MAX_STREAMS

    session = "tab-streams-0001"
    client.ok("train", session, page="rbm", **{**RBM_RUN, "dataset": "digits", "epochs": 5000})
    streams = []
    try:
        for _ in range(MAX_STREAMS):
            connection = http.client.HTTPConnection(client.host, client.port, timeout=30)
            connection.request("GET", f"/api/rbm/events?session={session}")
            response = connection.getresponse()  # it holds the socket ("Connection: close")
            assert response.status == 200
            streams.append((connection, response))
        status, answer, _ = client.request("GET", f"/api/rbm/events?session={session}")
        assert status == 429 and f"at most {MAX_STREAMS} event streams" in answer["error"]
    finally:
        for connection, response in streams:
            response.close()
            connection.close()
    # the streams end at the job's next reports, when their writes find the client gone
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(client.host, client.port, timeout=30)
        connection.request("GET", f"/api/rbm/events?session={session}")
        status = connection.getresponse().status
        connection.close()
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200
    client.ok("cancel", session, page="rbm")
    assert finished(client, "rbm", session)["status"] == "cancelled"
