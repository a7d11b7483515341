"""``energynets serve``: prints its address, serves, warns off the loopback, opens the
browser unless told not to, refuses bad options in one line, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from energynets.cli import main
from energynets.web._server import PlaygroundServer

from ..cli_helpers import one_line_error

ROOT = Path(__file__).resolve().parents[2]


def _start(*options: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": os.fspath(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "energynets", "serve", "--port", "0", "--no-browser", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "the playground is at http://" in line, line + process.stderr.read()
    return process, line.split(" is at ")[1].split()[0]


def _stop(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


def test_serve_prints_its_address_serves_and_stops_on_ctrl_c():
    process, url = _start()
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/pages", timeout=30) as response:
            assert json.load(response)["pages"][0]["name"] == "hopfield"
    finally:
        status, out, err = _stop(process)
    assert status == 0 and "stopped" in out
    assert "Traceback" not in err and "warning" not in err


def test_another_host_only_when_asked_and_with_a_warning():
    process, url = _start("--host", "0.0.0.0")
    status, _, err = _stop(process)
    assert status == 0 and url.startswith("http://0.0.0.0:")
    assert "warning: listening on 0.0.0.0" in err and "other computers" in err


def test_the_browser_opens_unless_told_not_to(monkeypatch, capsys):
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url))

    def interrupted(self, poll_interval=0.5):
        raise KeyboardInterrupt

    monkeypatch.setattr(PlaygroundServer, "serve_forever", interrupted)
    assert main(["serve", "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert len(opened) == 1 and opened[0] in out and "stopped" in out
    assert main(["serve", "--port", "0", "--no-browser"]) == 0
    assert len(opened) == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--port", "70000"], "expected an integer <= 65535, got 70000"),
        (["--port", "-1"], "expected an integer >= 0, got -1"),
        (["--port", "http"], "expected an integer, got 'http'"),
        (["--host", "a b"], "expected an IP address or a host name, got 'a b'"),
        (["--host", ""], "expected an IP address or a host name"),
        (["--host", "../x"], "expected an IP address or a host name"),
        (["--host", "-1"], "expected an IP address or a host name"),
        (["--host", "300.1.2.3"], "expected an IP address or a host name"),
    ],
)
def test_bad_options_are_one_line_errors(capsys, options, message):
    assert main(["serve", "--no-browser", *options]) == 2
    assert message in one_line_error(capsys, "energynets serve")


def test_a_port_in_use_is_a_one_line_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--no-browser"]) == 2
    assert "Address already in use" in one_line_error(capsys, "energynets serve")
