"""A page of the playground: its static HTML, its per-session state and its JSON actions.

Each page is one module that builds a :class:`Page`; the server serves ``/<name>`` from the
page's HTML file in ``static/`` and answers ``POST /api/<name>/<action>`` by checking the body
against the action's fields (:mod:`energynets.web._fields`) and calling its handler with the
tab's state for this page and the checked values. A handler returns a JSON-ready dict, or
raises :class:`~energynets.web._fields.ApiError` for a request that cannot be served (an
action out of order, say). A new page is a new module and one line in
:mod:`energynets.web._pages`; the server does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from energynets.web._fields import Field

__all__ = ["Action", "Page"]


@dataclass(frozen=True)
class Action:
    """One JSON endpoint: the fields of its body (besides ``session``) and its handler
    ``handle(state, values) -> dict``."""

    fields: Mapping[str, Field]
    handle: Callable[[Any, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """A page: URL name, title, HTML file in ``static/``, state factory and actions."""

    name: str
    title: str
    html: str
    new_state: Callable[[], Any]
    actions: Mapping[str, Action]
