"""A playground server on an ephemeral loopback port, served from a thread, a client, and
headless Chromium for the browser tests (skipped only where selenium, Chromium or chromedriver
is not installed; ``.ci/run`` installs them on CI)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from energynets.web import make_server
from energynets.web._server import PlaygroundServer


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


@contextlib.contextmanager
def serving(server: PlaygroundServer) -> Iterator[PlaygroundServer]:
    """Serve ``server`` from a thread for the ``with`` block; then stop it and free its port."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with serving(make_server("127.0.0.1", 0)) as server:
        yield server.url


@pytest.fixture
def client(server_url: str) -> Client:
    return Client(server_url)


# -- the browser ----------------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through selenium, one per test module."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(
            "Chromium and chromedriver are not installed (Debian: apt-get install chromium "
            "chromium-driver)"
        )
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1300,1000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> list[str]:
    """The page's console messages of level SEVERE (errors, policy violations)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver: Any, condition: Callable[[Any], Any], timeout: float = 30) -> Any:
    """Wait until ``condition(driver)`` is true; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def screenshot(driver: Any, folder: Path, name: str, docs_pictures: tuple[str, ...]) -> None:
    """Save a screenshot to ``folder``; with ``ENERGYNETS_SCREENSHOTS`` set, the pictures of
    the documentation named in ``docs_pictures`` go to that folder too."""
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.fspath(folder / name))
    assert (folder / name).stat().st_size > 10_000
    docs = os.environ.get("ENERGYNETS_SCREENSHOTS")
    if docs and name in docs_pictures:
        driver.save_screenshot(os.fspath(Path(docs) / name))
