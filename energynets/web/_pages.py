"""The pages of the playground, in the order of its index: one module per page."""

from __future__ import annotations

from energynets.web import _eqprop, _hopfield, _ising, _rbm
from energynets.web._page import Page

__all__ = ["PAGES"]

PAGES: tuple[Page, ...] = (_hopfield.PAGE, _ising.PAGE, _rbm.PAGE, _eqprop.PAGE)
