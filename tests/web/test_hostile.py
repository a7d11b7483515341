"""Hostile requests to the playground's server: each is answered with a clear 4xx JSON error
naming the field (or served), nothing reaches the file system, a failing handler becomes a
500, and after two thousand concurrent requests the server is alive and still correct."""

from __future__ import annotations

import http.client
import json
import socket
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import energynets as en
from energynets.web._fields import ApiError
from energynets.web._limits import MAX_BODY_BYTES, MAX_PATTERNS
from energynets.web._page import Action, Page
from energynets.web._server import PlaygroundServer
from energynets.web._sessions import SessionStore

from .conftest import Client, serving
from .test_api import bits

GOOD_STEP = {"height": 4, "width": 4, "state": "0" * 16, "dynamics": "async"}


def raw_request(client: Client, data: bytes) -> bytes:
    """Send raw bytes on a socket; return all that comes back until the server closes."""
    with socket.create_connection((client.host, client.port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def post_raw(client: Client, body: bytes, action: str = "corrupt") -> tuple[int, dict]:
    status, answer, _ = client.request(
        "POST", f"/api/hopfield/{action}", body, {"Content-Type": "application/json"}
    )
    return status, answer


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[1, 2",
        b"",
        b"\xff\xfe{}",
        b'{"session": "tab-00000001",}',
        b"[" * 100_000,
        b"1" * 5000,
    ],
    ids=["open-brace", "open-list", "empty", "bad-utf8", "trailing-comma", "deep", "huge-int"],
)
def test_malformed_json_is_a_400(client, body):
    status, answer = post_raw(client, body)
    assert status == 400 and answer["field"] is None
    assert "JSON" in answer["error"] or "object" in answer["error"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client, constant):
    body = (
        '{"session": "tab-00000001", "height": 4, "width": 4, "state": "0000000000000000", '
        f'"flip_fraction": {constant}}}'
    ).encode()
    status, answer = post_raw(client, body)
    assert status == 400 and constant.lstrip("-") in answer["error"]


def test_a_number_too_large_for_a_float_is_refused_by_its_field(client):
    body = (
        b'{"session": "tab-00000001", "height": 4, "width": 4, "state": "0000000000000000", '
        b'"flip_fraction": 1e999}'
    )
    status, answer = post_raw(client, body)
    assert (status, answer["field"]) == (400, "flip_fraction") and "inf" in answer["error"]


CORRUPT = {"height": 4, "width": 4, "state": "0" * 16, "flip_fraction": 0.5, "seed": 1}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("height", 65, "[2, 64]"),
        ("width", 10**9, "[2, 64]"),
        ("height", -1, "[2, 64]"),
        ("height", 0, "[2, 64]"),
        ("height", "4", "integer"),
        ("height", True, "integer"),
        ("height", 4.5, "integer"),
        ("height", None, "integer"),
        ("height", [4], "integer"),
        ("flip_fraction", 1.5, "number in [0.0, 1.0]"),
        ("flip_fraction", -0.1, "number in [0.0, 1.0]"),
        ("flip_fraction", "0.5", "number"),
        ("seed", -5, "integer"),
        ("seed", True, "integer"),
        ("flip_fraction", False, "number"),
        ("seed", 2**64, "integer"),
        ("state", "0" * 15, "16 characters"),
        ("state", "2" * 16, "'0' or '1'"),
        ("state", [0] * 16, "16 characters"),
        ("state", "../../etc/passwd", "16 characters"),
    ],
)
def test_every_field_is_checked_and_named(client, field, value, expected):
    status, answer = client.post("corrupt", **{**CORRUPT, field: value})
    assert status == 400, answer
    assert answer["field"] == field
    assert answer["error"].startswith(f"{field}: expected") and expected in answer["error"]
    assert ", got " in answer["error"]


def test_unknown_and_missing_fields_are_named(client):
    status, answer = client.post("corrupt", **CORRUPT, path="/etc/passwd")
    assert (status, answer["field"]) == (400, "path") and "unknown field" in answer["error"]
    fields = dict(CORRUPT)
    del fields["state"]
    status, answer = client.post("corrupt", **fields)
    assert (status, answer["field"]) == (400, "state") and "required" in answer["error"]


@pytest.mark.parametrize("session", ["short", "../../../etc/passwd", "a" * 65, 12345678, ""])
def test_bad_session_ids_are_refused(client, session):
    status, answer = client.post("corrupt", session=session, **CORRUPT)
    assert (status, answer["field"]) == (400, "session")


def test_patterns_are_bounded_and_checked_one_by_one(client):
    grid = {"height": 2, "width": 2, "rule": "hebbian"}
    status, answer = client.post("store", **grid, patterns=["0101"] * (MAX_PATTERNS + 1))
    assert (status, answer["field"]) == (400, "patterns") and str(MAX_PATTERNS) in answer["error"]
    status, answer = client.post("store", **grid, patterns=["0101", "01x1"])
    assert (status, answer["field"]) == (400, "patterns") and "item 1" in answer["error"]
    status, answer = client.post("store", **grid, patterns=[])
    assert status == 400
    status, answer = client.post("store", **{**grid, "rule": "../hebbian"}, patterns=["0101"])
    assert (status, answer["field"]) == (400, "rule") and "hebbian" in answer["error"]


def test_the_storkey_rules_work_is_bounded(client):
    grid = {"height": 64, "width": 64, "rule": "storkey"}
    patterns = [bits(p) for p in en.datasets.random_patterns(17, 4096, rng=0)]
    status, answer = client.post("store", **grid, patterns=patterns)
    assert (status, answer["field"]) == (400, "patterns")
    assert "at most 16 patterns of 4096 cells" in answer["error"] and "got 17" in answer["error"]


def test_oversized_bodies_are_refused_before_they_are_read(client):
    head = (
        "POST /api/hopfield/corrupt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {10**12}\r\n\r\n"
    ).encode()
    answer = raw_request(client, head)
    assert answer.startswith(b"HTTP/1.1 413") and str(MAX_BODY_BYTES).encode() in answer
    for size in (MAX_BODY_BYTES + 1, 10 * MAX_BODY_BYTES):  # sent in full, then answered
        status, answer = post_raw(client, b" " * size)
        assert status == 413 and answer["error"].endswith(f"got {size}")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ("", 411),
        ("Transfer-Encoding: chunked\r\n", 411),
        ("Content-Length: -3\r\n", 400),
        ("Content-Length: ten\r\n", 400),
        ("Content-Length: \u0661\u0662\r\n", 400),  # Arabic-Indic digits are not ASCII ones
        ("Content-Length: " + "9" * 5000 + "\r\n", 413),
    ],
)
def test_a_body_must_state_its_length(client, headers, status):
    request = f"POST /api/hopfield/corrupt HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()
    assert raw_request(client, request).startswith(f"HTTP/1.1 {status}".encode())


@pytest.mark.parametrize(
    "path",
    [
        "/static/../_server.py",
        "/static/..%2f_server.py",
        "/static/%2e%2e/__init__.py",
        "/static/../../../../etc/passwd",
        "/static//etc/passwd",
        "/static/_server.py",
        "/static/",
        "/static/hopfield.html/",
        "/../../etc/passwd",
        "//etc/passwd",
        "/hopfield/../../pyproject.toml",
        "/static/HOPFIELD.HTML",
        "/static/hopfield.js%00.html",
        "/etc/passwd",
    ],
)
def test_no_path_reaches_outside_the_static_files(client, path):
    answer = raw_request(
        client, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    assert answer.startswith(b"HTTP/1.1 404"), answer[:200]
    assert b"import" not in answer and b"root:" not in answer


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"hello there\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\n\r\n", 505),
    ],
    ids=["unknown-method", "long-line", "garbage", "bad-version"],
)
def test_malformed_http_is_a_json_4xx_or_5xx(client, request_, status):
    answer = raw_request(client, request_)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status}".encode()), head[:100]
    assert json.loads(body)["field"] is None


def test_other_methods_and_unknown_routes(client):
    status, answer, _ = client.request("PUT", "/api/hopfield/store", b"{}")
    assert status == 405 and "POST" in answer["error"]
    status, answer = client.post("nothing", **CORRUPT)
    assert status == 404
    status, answer, _ = client.request("POST", "/api/ising/step", b"{}")
    assert status == 404


def test_a_connection_stays_in_step_after_an_error(client):
    connection = http.client.HTTPConnection(client.host, client.port, timeout=30)
    try:
        for body in (b"{", json.dumps({"session": "keepalive-1", **CORRUPT}).encode()) * 2:
            connection.request("POST", "/api/hopfield/corrupt", body)
            response = connection.getresponse()
            answer = json.loads(response.read())
            assert response.status == (400 if body == b"{" else 200), answer
    finally:
        connection.close()


def _boom(state, values):
    raise RuntimeError("a bug in a handler")


def test_a_failing_handler_is_a_500_and_the_server_goes_on():
    page = Page("broken", "Broken", "hopfield.html", dict, {"boom": Action({}, _boom)})
    with serving(PlaygroundServer(("127.0.0.1", 0), [page])) as server:
        client = Client(server.url)
        for _ in range(3):
            status, answer, _ = client.request(
                "POST", "/api/broken/boom", json.dumps({"session": "tab-00000001"}).encode()
            )
            assert status == 500 and "RuntimeError: a bug in a handler" in answer["error"]
        assert client.request("GET", "/broken")[0] == 200


def test_two_thousand_concurrent_requests_and_the_server_still_correct(client):
    xi = en.datasets.glyphs("H")[0][0]
    expected = bits(en.corrupt(xi[None, :], 0.1, rng=7)[0])
    good = {"height": 16, "width": 12, "state": bits(xi), "flip_fraction": 0.1, "seed": 7}

    def one(i: int) -> tuple[str, int, bool]:
        kind = i % 5
        session = f"crowd-{i % 40:04d}"  # more tabs than the store keeps: some are evicted
        if kind == 0:
            status, answer = client.post("corrupt", session=session, **good)
            return "corrupt", status, status == 200 and answer["state"] == expected
        if kind == 1:
            status, answer = client.post("corrupt", session=session, **{**good, "height": -i})
            return "bad", status, status == 400 and answer["field"] == "height"
        if kind == 2:
            status, answer = post_raw(client, b"{" * (i % 50 + 1))
            return "malformed", status, status == 400
        if kind == 3:
            status, answer = client.post(
                "store",
                session=session,
                height=4,
                width=4,
                rule="hebbian",
                patterns=["0110011001100110"],
            )
            return "store", status, status == 200 and answer["n_patterns"] == 1
        status, body, _ = client.request("GET", "/static/hopfield.js")
        return "static", status, status == 200 and b"hopfield" in body

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, range(2000)))
    wrong = [r for r in results if not r[2]]
    assert wrong == [], wrong[:10]
    # alive and correct afterwards
    patterns = en.datasets.random_patterns(3, 64, rng=8)
    client.ok(
        "store",
        session="after-crowd",
        height=8,
        width=8,
        rule="hebbian",
        patterns=[bits(p) for p in patterns],
        seed=2,
    )
    probe = en.corrupt(patterns[:1], 0.2, rng=3)[0]
    answer = client.ok(
        "step", session="after-crowd", height=8, width=8, state=bits(probe), dynamics="async"
    )
    net = en.HopfieldNetwork.from_patterns(patterns)
    result = net.recall(probe[None, :], max_sweeps=1, rng=np.random.default_rng(2))
    assert answer["state"] == bits(result.states[0])


def test_the_session_store_is_bounded_and_expires():
    now = [0.0]
    store = SessionStore(max_sessions=3, ttl=10.0, clock=lambda: now[0])
    first = store.get("tab-aaaaaaaa")
    for name in ("tab-bbbbbbbb", "tab-cccccccc"):
        store.get(name)
    assert store.get("tab-aaaaaaaa") is first  # used again: now the most recent
    store.get("tab-dddddddd")  # full: the least recently used (b) goes
    assert len(store) == 3
    assert store.get("tab-aaaaaaaa") is first
    now[0] = 100.0  # all expired
    assert store.get("tab-aaaaaaaa") is not first and len(store) == 1


def test_api_errors_carry_status_message_and_field():
    error = ApiError(400, "height: expected an integer", "height")
    assert error.body() == {"error": "height: expected an integer", "field": "height"}
