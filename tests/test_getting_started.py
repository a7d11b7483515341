"""The Python examples of docs/getting_started.rst run, and print what the page says."""

import contextlib
import io
import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "getting_started.rst"


def _python_blocks(text: str) -> list[str]:
    blocks = []
    for match in re.finditer(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text):
        lines = [line[3:] for line in match.group(1).splitlines()]
        blocks.append("\n".join(lines).strip() + "\n")
    return blocks


def test_the_getting_started_examples_run_and_print_what_the_page_says():
    blocks = _python_blocks(PAGE.read_text())
    assert len(blocks) == 3  # a first recall, a first RBM, a first comparison
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        for block in blocks:  # one session, as a reader would type them
            exec(compile(block, str(PAGE), "exec"), namespace)
    printed = out.getvalue().splitlines()
    assert printed[:2] == ["True 1.0", "True"]
    assert printed[2:4] == ["-2.94", "78%"]
    table = "\n".join(printed[4:])
    assert "raw pixels" in table and "RBM features" in table and "MLP" in table
    assert "softmax regression, L-BFGS, C = 6000" in table  # the table names the classifier
    result = namespace["result"]
    accuracies = [result.accuracy(m) for m in ("raw pixels", "RBM features", "MLP")]
    assert accuracies == sorted(accuracies)  # raw < RBM features < MLP
    # the numbers of the page's comment, to within the last digit it prints
    assert accuracies == pytest.approx([0.781, 0.948, 0.975], abs=1.5e-3)
