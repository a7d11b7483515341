"""The pages ship inside the package: every static file is package data, has a content type,
and is what a server made from an installed package serves."""

from __future__ import annotations

import fnmatch
import socket
import sys
import time
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

import pytest

from energynets.web import make_server
from energynets.web._server import CONTENT_TYPES, Handler, static_files

from .conftest import serving

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "energynets" / "web" / "static"


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_every_static_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["energynets"]
    files = sorted(p.relative_to(ROOT / "energynets").as_posix() for p in STATIC.iterdir())
    assert files, "no static files"
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_every_static_file_is_served_with_its_type():
    served = static_files()
    assert sorted(served) == sorted(p.name for p in STATIC.iterdir())
    for name in served:
        assert Path(name).suffix in CONTENT_TYPES


def test_the_pages_load_nothing_from_elsewhere():
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path.name
        if path.suffix == ".html":
            assert "<script>" not in text and "onclick" not in text, path.name  # no inline code


def test_a_stalled_connection_is_closed(monkeypatch):
    monkeypatch.setattr(Handler, "timeout", 0.5)
    with serving(make_server("127.0.0.1", 0)) as server:
        port = server.server_address[1]
        for start in (b"POST /api/hopfield/step HTTP/1.1\r\nContent-Length: 100\r\n\r\n{", b"GE"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(start)
                begin = time.monotonic()
                while sock.recv(65536):  # an answer, if any, then the close
                    pass
                assert time.monotonic() - begin < 5
