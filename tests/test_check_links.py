"""The internal-link checker of the documentation build (docs/check_links.py)."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "docs" / "check_links.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_links", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site(root: Path, pages: dict[str, str]) -> Path:
    for name, body in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{body}</body></html>")
    return root


def test_a_site_whose_links_resolve(tmp_path, checker, capsys):
    site = _site(tmp_path, {
        "index.html": '<a href="guide/rbm.html#training">x</a><img src="_images/a.png">'
                      '<a href="#top">t</a><h1 id="top">T</h1><a href="https://example.org/">e</a>',
        "guide/rbm.html": '<section id="training"></section><a href="../index.html">up</a>',
        "_images/a.png": "",
    })  # fmt: skip
    assert checker.check(site) == (4, [])
    assert checker.main([str(site)]) == 0
    assert "all 4 internal links resolve" in capsys.readouterr().out


def test_missing_pages_and_anchors_are_reported(tmp_path, checker, capsys):
    site = _site(tmp_path, {
        "index.html": '<a href="missing.html">m</a><a href="other.html#nowhere">n</a>'
                      '<a href="#gone">g</a>',
        "other.html": '<p id="somewhere"></p>',
    })  # fmt: skip
    checked, broken = checker.check(site)
    assert checked == 3
    assert broken == [
        "index.html: missing.html (no such file)",
        "index.html: other.html#nowhere (no anchor 'nowhere')",
        "index.html: #gone (no anchor 'gone')",
    ]
    assert checker.main([str(site)]) == 1
    assert "3 broken internal links out of 3" in capsys.readouterr().err
    assert checker.main([str(tmp_path / "nope")]) == 2
