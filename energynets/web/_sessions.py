"""Sessions: the state of each browser tab, bounded in number and dropped when unused.

A page creates a random session id when it loads and sends it with every request; the
server keeps one :class:`Session` per id, holding one state object per page. At most
``max_sessions`` are kept: a session unused for ``ttl`` seconds is dropped, and when the store
is full the least recently used session makes room. A dropped session is closed: each state
with a ``close()`` method (a page running a training job) is told to stop. A session's lock
serialises the requests of its tab, so that two requests never touch one state (or its random
generator) at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["SESSION_ID", "Session", "SessionStore"]

#: What a session id looks like: 8 to 64 letters, digits, '-' or '_'.
SESSION_ID = "[A-Za-z0-9_-]{8,64}"


class Session:
    """One browser tab: a lock and a state object per page, made on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: dict[str, Any] = {}
        self.last_used = time.monotonic()

    def state(self, page: str, make: Callable[[], Any]) -> Any:
        """The state of ``page`` in this session, made by ``make()`` the first time."""
        if page not in self.states:
            self.states[page] = make()
        return self.states[page]

    def close(self) -> None:
        """Tell each state that has a ``close()`` (a running job, say) to stop."""
        for state in list(self.states.values()):
            close = getattr(state, "close", None)
            if callable(close):
                close()


class SessionStore:
    """At most ``max_sessions`` sessions by id, each dropped after ``ttl`` seconds unused."""

    def __init__(
        self, max_sessions: int, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_sessions = max_sessions
        self.ttl = ttl
        self._clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def get(self, session_id: str) -> Session:
        """The session ``session_id``, made (and the store pruned) when it is not held."""
        now = self._clock()
        with self._lock:
            while self._sessions:  # oldest first: drop the expired ones
                oldest_id, oldest = next(iter(self._sessions.items()))
                if now - oldest.last_used <= self.ttl:
                    break
                self._sessions.pop(oldest_id).close()
            session = self._sessions.pop(session_id, None)
            if session is None:
                session = Session()
                while len(self._sessions) >= self.max_sessions:
                    self._sessions.popitem(last=False)[1].close()  # the least recently used
            session.last_used = now
            self._sessions[session_id] = session  # now the most recently used
            return session
