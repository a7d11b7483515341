"""The worked examples of docs/architecture.rst run and their checks pass.

Every ``code-block`` of the page named ``example-...`` is executed on its own; the examples
end with the test a contributor would write (an exact oracle, a chi-square test against the
exact distribution, a command run), so a page that drifts from the code fails here.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "architecture.rst"
BLOCK = re.compile(
    r"^\.\. code-block:: python\n   :name: (example-[\w-]+)\n\n((?:   .*\n|\n)+)", re.M
)


def _examples() -> dict[str, str]:
    return {name: textwrap.dedent(body) for name, body in BLOCK.findall(PAGE.read_text())}


def test_the_page_has_its_examples():
    assert sorted(_examples()) == ["example-command", "example-model", "example-sampler"]


@pytest.mark.parametrize("name", sorted(_examples()))
def test_a_worked_example_runs(name, capsys):
    exec(compile(_examples()[name], f"{PAGE.name}:{name}", "exec"), {"__name__": name})
