"""The playground's HTTP server: static pages and a JSON API, on the standard library.

A :class:`PlaygroundServer` is a :class:`http.server.ThreadingHTTPServer` (one thread per
connection, daemon threads, so that stopping the server never waits for an idle browser). It
answers

- ``GET /``: the index of the pages; ``GET /<page>``: a page's HTML; ``GET /static/<name>``:
  a file of the package's ``static`` folder, looked up by name among the files read when the
  server starts (a name with a '/' or '..' names none of them, so no path reaches the disk);
- ``GET /api/pages``: the pages' names and titles;
- ``POST /api/<page>/<action>``: a JSON object with the tab's ``session`` id and the action's
  fields (:mod:`energynets.web._page`), answered with a JSON object;
- ``GET /api/<page>/events?session=<id>``, on a page that trains: the reports of the tab's job
  as server-sent events (one ``data:`` line of JSON per change, a comment every few seconds
  while nothing changes, then an ``end`` event when the job has stopped), at most
  :data:`~energynets.web._limits.MAX_STREAMS` streams at once.

Every request is bounded (:mod:`energynets.web._limits`): a body must state its length and
stay under the limit, and a connection that stalls is closed. A refused request is answered
with a 4xx status and ``{"error": ..., "field": ...}``; an exception in a handler becomes a
500 answer of the same shape and the server goes on serving.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from energynets.web import _limits as limits
from energynets.web._fields import ApiError, parse, text
from energynets.web._jobs import Job, JobState
from energynets.web._page import Page
from energynets.web._sessions import SESSION_ID, SessionStore

__all__ = ["PlaygroundServer", "make_server"]

#: The static files served, by extension: the content type.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
_STATIC_NAME = re.compile(r"[a-z0-9_-]+\.(html|js|css|png|svg)")
_API = re.compile(r"/api/([a-z0-9_]+)/([a-z0-9_]+)")
_EVENTS = re.compile(r"/api/([a-z0-9_]+)/events")
_DIGITS = re.compile("[0-9]+")
#: Pages may load scripts, styles and images from this server only (no CDN, no inline code).
_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
SESSION = text(SESSION_ID, "a session id of 8 to 64 letters, digits, '-' or '_'")


def static_files() -> dict[str, bytes]:
    """The files of the package's ``static`` folder by name, read once."""
    folder = resources.files("energynets.web").joinpath("static")
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.is_file() and _STATIC_NAME.fullmatch(entry.name)
    }


def _refuse_constant(name: str) -> Any:
    raise ApiError(400, f"the body is not valid JSON: {name} is not a number in JSON")


def decode_json(raw: bytes) -> Any:
    """The JSON value of a request body (strict: no NaN or Infinity), or ApiError 400."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge integers
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ApiError(400, f"the body is not valid JSON: {message}") from None


class Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests (HTTP/1.1, kept alive until idle too long)."""

    protocol_version = "HTTP/1.1"
    server_version = "energynets-playground"
    sys_version = ""
    timeout = limits.REQUEST_TIMEOUT_SECONDS
    # an answer's headers and body are two writes: without this the second waits for the
    # client's delayed acknowledgement of the first (about 40 ms on Linux)
    disable_nagle_algorithm = True
    server: PlaygroundServer

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged (the command prints the address; the page shows errors)."""

    # -- answers ------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", _POLICY)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, value: Any, close: bool = False) -> None:
        body = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json", close)

    def _send_error(self, error: ApiError, close: bool = False) -> None:
        self._send_json(error.status, error.body(), close)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request the HTTP layer refuses (a malformed request line, a line too long, an
        unknown method) is answered in JSON too, and the connection closed."""
        short = self.responses.get(code, ("error",))[0]
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            # a request line that did not parse leaves HTTP/0.9, which has no status line
            self.request_version = self.protocol_version
        self._send_error(ApiError(code, message or short), close=True)

    def _guarded(self, answer: Any) -> None:
        """Run ``answer()``; turn a refusal into its 4xx and any other failure into a 500."""
        try:
            answer()
        except ApiError as exc:
            self._send_error(exc, close=exc.close)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except MemoryError:
            self._send_error(ApiError(503, "out of memory; use a smaller grid"))
        except Exception as exc:  # a bug must not take the server down
            message = f"internal error: {type(exc).__name__}: {str(exc)[:200]}"
            self._send_error(ApiError(500, message))

    # -- GET ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        """Serve the index, a page, a static file or the list of pages."""
        self._guarded(self._get)

    def do_HEAD(self) -> None:
        """Like GET, without the body."""
        self._guarded(self._get)

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        pages = self.server.pages
        events = _EVENTS.fullmatch(path)
        if events is not None and events.group(1) in pages:
            self._stream(self._job(pages[events.group(1)], url.query))
            return
        if path == "/api/pages":
            listing = [{"name": p.name, "title": p.title} for p in pages.values()]
            self._send_json(200, {"pages": listing})
            return
        if path == "/":
            name = "index.html"
        elif path.startswith("/static/"):
            name = path[len("/static/") :]
        elif path[1:] in pages:
            name = pages[path[1:]].html
        else:
            raise ApiError(404, f"no page or file at {path[:100]!r}", None)
        content = self.server.static.get(name)
        if content is None:
            raise ApiError(404, f"no static file named {name[:100]!r}", None)
        self._send(200, content, CONTENT_TYPES[name[name.rindex(".") :]])

    # -- server-sent events -------------------------------------------------------------
    def _job(self, page: Page, query: str) -> Job:
        """The job of the tab named by the query's ``session``, on a page that trains."""
        fields = parse_qs(query, max_num_fields=4)
        values = parse({k: v[0] for k, v in fields.items()}, {"session": SESSION})
        session = self.server.sessions.get(values["session"])
        with session.lock:
            state = session.state(page.name, page.new_state)
        if not isinstance(state, JobState):
            raise ApiError(404, f"the page {page.name!r} has no events", None)
        return state.current()

    def _stream(self, job: Job) -> None:
        """Send ``job``'s reports as server-sent events until it has stopped."""
        if not self.server.streams.acquire(blocking=False):
            raise ApiError(429, f"at most {limits.MAX_STREAMS} event streams at once")
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            version = -1
            while True:
                report = job.wait(version, limits.STREAM_KEEPALIVE_SECONDS)
                if report["version"] == version:
                    self.wfile.write(b": still running\n\n")
                else:
                    data = json.dumps(report, allow_nan=False, separators=(",", ":"))
                    self.wfile.write(f"data: {data}\n\n".encode())
                    version = report["version"]
                if report["status"] != "running":
                    self.wfile.write(b"event: end\ndata: {}\n\n")
                    return
                self.wfile.flush()
        finally:
            self.server.streams.release()

    # -- POST ---------------------------------------------------------------------------
    def do_POST(self) -> None:
        """Answer an action of a page's JSON API."""
        self._guarded(self._post)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise ApiError(411, "send the body with a Content-Length, not chunked", close=True)
        length = self.headers.get("Content-Length")
        if length is None:
            raise ApiError(411, "a request body needs a Content-Length header", close=True)
        if _DIGITS.fullmatch(length.strip()) is None:
            raise ApiError(400, f"Content-Length must be a number, got {length[:40]!r}", close=True)
        digits = length.strip().lstrip("0") or "0"
        if len(digits) > 18 or int(digits) > limits.MAX_BODY_BYTES:
            if len(digits) <= 18 and int(digits) <= limits.MAX_DRAINED_BYTES:
                self._drop(int(digits))
            raise ApiError(
                413,
                f"the body must be at most {limits.MAX_BODY_BYTES} bytes, got {digits[:40]}",
                close=True,
            )
        raw = self.rfile.read(int(digits))
        if len(raw) != int(digits):
            raise ConnectionError("the body ended early")
        return raw

    def _drop(self, n_bytes: int) -> None:
        """Read and forget ``n_bytes`` of the body, a chunk at a time."""
        while n_bytes > 0:
            chunk = self.rfile.read(min(n_bytes, 1 << 16))
            if not chunk:
                break
            n_bytes -= len(chunk)

    def _post(self) -> None:
        match = _API.fullmatch(urlsplit(self.path).path)
        page = self.server.pages.get(match.group(1)) if match else None
        action = page.actions.get(match.group(2)) if page and match else None
        raw = self._body()  # read before answering, so that the connection stays in step
        if page is None or action is None:
            raise ApiError(404, f"no action at {self.path[:100]!r}", None)
        values = parse(decode_json(raw), {"session": SESSION, **action.fields})
        session = self.server.sessions.get(values.pop("session"))
        with session.lock:
            state = session.state(page.name, page.new_state)
            result = action.handle(state, values)
        self._send_json(200, result)

    def _not_allowed(self) -> None:
        raise ApiError(405, f"method {self.command} is not allowed; use GET or POST", None)

    def do_PUT(self) -> None:
        """Refused: 405."""
        self._guarded(self._not_allowed)

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT


class PlaygroundServer(ThreadingHTTPServer):
    """The playground's server: its pages, their sessions and the static files."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pages: Sequence[Page]) -> None:
        self.pages = {page.name: page for page in pages}
        self.sessions = SessionStore(limits.MAX_SESSIONS, limits.SESSION_TTL_SECONDS)
        self.streams = threading.BoundedSemaphore(limits.MAX_STREAMS)
        self.static = static_files()
        missing = [page.html for page in pages if page.html not in self.static]
        if missing:
            raise ValueError(f"pages name static files that are not there: {missing}")
        super().__init__(address, Handler)

    @property
    def url(self) -> str:
        """The address of the index page."""
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that failed outside a handler (the client went away) is dropped."""


def make_server(host: str = "127.0.0.1", port: int = 0) -> PlaygroundServer:
    """A playground server bound to ``host:port``, ready for ``serve_forever()``.

    Parameters
    ----------
    host : str
        The address to listen on; the loopback address by default, so that only this
        computer can reach the server.
    port : int
        The TCP port, 0 for any free one (read it back from ``server.url``).

    Returns
    -------
    PlaygroundServer
        A :class:`http.server.ThreadingHTTPServer`; ``serve_forever()`` serves until
        ``shutdown()`` is called from another thread, ``server_close()`` frees the port.

    Raises
    ------
    OSError
        If the address cannot be bound (the port is taken, say).

    References
    ----------
    Fielding, R., Nottingham, M. & Reschke, J. (2022). HTTP Semantics. RFC 9110 (the status
    codes of the answers).

    Examples
    --------
    >>> server = make_server(port=0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    from energynets.web._pages import PAGES

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer in [0, 65535], got {port!r}")
    return PlaygroundServer((host, port), PAGES)
