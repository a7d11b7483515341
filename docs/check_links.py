"""Check the internal links of a built HTML site: every page, image and anchor they name exists.

``python docs/check_links.py BUILD_DIR`` reads every ``.html`` file under ``BUILD_DIR`` (the
output of ``sphinx -b html``), collects the ``id`` (and ``name``) attributes of each page, and
checks every ``href`` and ``src`` that points inside the site: the file must exist and, when
the link has a ``#fragment``, the target page must have that id. Links with a scheme
(``https:``, ``mailto:``, ...) are external and not checked. Exits 1 and lists the broken
links if there is any, else prints how many links it checked.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: folders of a Sphinx build that hold templates and sources, not pages
_NOT_PAGES = {"_static", "_sources", "_downloads", "_images"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append(value)


def check(root: Path) -> tuple[int, list[str]]:
    """(number of internal links checked, the broken ones as 'page: link (why)')."""
    pages: dict[Path, _Page] = {}
    for path in sorted(root.rglob("*.html")):
        if path.relative_to(root).parts[0] in _NOT_PAGES:
            continue
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.resolve()] = page
    checked, broken = 0, []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # external
            if not parts.path and not parts.fragment:
                continue
            checked += 1
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            where = f"{path.relative_to(root.resolve())}: {link}"
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{where} (no such file)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if fragment not in ids:
                    broken.append(f"{where} (no anchor '{fragment}')")
    return checked, broken


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python docs/check_links.py BUILD_DIR (a built HTML site)", file=sys.stderr)
        return 2
    checked, broken = check(Path(args[0]))
    if broken:
        print(f"{len(broken)} broken internal links out of {checked}:", file=sys.stderr)
        for line in broken:
            print(f"  {line}", file=sys.stderr)
        return 1
    if checked == 0:
        print("no internal links found: is this a built HTML site?", file=sys.stderr)
        return 1
    print(f"all {checked} internal links resolve")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
