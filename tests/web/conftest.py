"""A playground server on an ephemeral loopback port, served from a thread, and a client."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from energynets.web import make_server


class Client:
    """Requests to one server, each on a fresh connection: (status, decoded JSON or bytes)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, Any, http.client.HTTPResponse]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(raw) if kind == "application/json" else raw, response

    def post(
        self, action: str, session: str = "tab-00000001", *, page: str = "hopfield", **fields: Any
    ) -> tuple[int, Any]:
        """POST the fields (and the session) to /api/<page>/<action>."""
        body = json.dumps({"session": session, **fields}).encode()
        status, answer, _ = self.request(
            "POST", f"/api/{page}/{action}", body, {"Content-Type": "application/json"}
        )
        return status, answer

    def ok(
        self, action: str, session: str = "tab-00000001", *, page: str = "hopfield", **fields: Any
    ) -> dict:
        """POST and assert a 200 answer; return it."""
        status, answer = self.post(action, session, page=page, **fields)
        assert status == 200, answer
        return answer


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def client(server_url: str) -> Client:
    return Client(server_url)
