"""benchmarks/slowing_down_quality.py: the checks against the published exponents, the section
of docs/quality.md it owns, and rendering a run from its JSON (a quick run, not the careful one).
"""

from __future__ import annotations

import json

import pytest

from benchmarks import slowing_down_quality as sdq
from energynets.experiments.sampling import critical_slowing_down


@pytest.fixture(scope="module")
def quick_summary():
    result = critical_slowing_down((4, 8), n_chains=2, n_updates=300, rng=0)
    summary = json.loads(json.dumps(result.summary()))
    summary.update(wall_seconds=1.0, load_average=[[0.5, 0, 0], [0.7, 0, 0]], date="2026-12-07")
    return summary


def _with_z(summary, sampler, z):
    fits = [dict(f) for f in summary["fits"]]
    for f in fits:
        if f["sampler"] == sampler and f["observable"] == "|m|":
            f["z"] = z
    return {**summary, "fits": fits}


@pytest.mark.parametrize(
    ("sampler", "z", "row", "met"),
    [
        ("heat-bath", 2.172 + 0.19, 0, True),
        ("heat-bath", 2.172 - 0.21, 0, False),
        ("wolff", 0.59, 1, True),
        ("wolff", 0.61, 1, False),
        ("swendsen-wang", 0.6, 2, False),
    ],
)
def test_each_target_is_judged_on_its_own_fit(quick_summary, sampler, z, row, met):
    rows = sdq.checks(sdq.result_of(_with_z(quick_summary, sampler, z)))
    assert len(rows) == 4
    assert rows[row][2] is met
    assert f"{z:.3f}" in rows[row][1]


def test_the_work_ratio_is_read_at_the_largest_side(quick_summary):
    result = sdq.result_of(quick_summary)
    hb = result.column("tau_abs_m_work", "heat-bath")[-1]
    wolff = result.column("tau_abs_m_work", "wolff")[-1]
    what, measured, met = sdq.checks(result)[3]
    assert what.startswith("L = 8:")
    assert measured.endswith(f"= {hb / wolff:.0f}")
    assert met is (hb / wolff >= 10)


def test_the_section_is_replaced_in_place_and_idempotent(quick_summary, tmp_path):
    page = tmp_path / "quality.md"
    page.write_text("# Title\n\nbefore\n", encoding="utf-8")
    source = tmp_path / "run.json"
    source.write_text(json.dumps(quick_summary), encoding="utf-8")
    argv = ["--from-json", str(source), "--markdown", str(page)]
    assert sdq.main(argv) == 0
    first = page.read_text(encoding="utf-8")
    assert first.startswith("# Title\n\nbefore\n\n" + sdq.START)
    assert first.rstrip().endswith(sdq.END)
    assert "heat-bath z (\\|m\\|) within 0.2 of 2.172" in first
    page.write_text(first + "\nafter\n", encoding="utf-8")
    assert sdq.main(argv) == 0
    second = page.read_text(encoding="utf-8")
    assert second == first + "\nafter\n"
    assert second.count(sdq.START) == 1
    assert not list(tmp_path.glob("*.tmp"))
