"""The playground: energynets live in the browser, served from this computer.

``energynets serve`` starts a small web server (the standard library's ``http.server``) and
opens its pages: on the Hopfield page one draws or picks patterns, stores them with a
learning rule, corrupts a probe and watches it recall, its energy and overlaps plotted live;
on the Ising page a periodic lattice animates under the checkerboard sampler while a slider
moves the temperature across T_c, with the magnetisation and the energy traced beside
Onsager's exact values.
Every number comes from the package's own functions behind a JSON API; the pages (static
HTML, JavaScript and CSS shipped in the package, no CDN, no build step) only draw.

The parts, one module each: the server (``_server``), the limits on every request
(``_limits``), the validation of the fields of a request (``_fields``), the sessions, one per
browser tab (``_sessions``), what a page is (``_page``), the list of pages (``_pages``) and
one module per page (``_hopfield``, ``_ising``).
"""

from __future__ import annotations

from energynets.web._server import make_server

__all__ = ["make_server"]
