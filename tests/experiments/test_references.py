"""References checked against their sources (issue 21), and the one formula implemented from them.

Oracles: the noisy-probe condition of Demircigil et al. (2017), a < I(1 - 2 rho) / 2 with
I(x) = ((1 + x) ln(1 + x) + (1 - x) ln(1 - x)) / 2, evaluated by hand below (the logarithms
written out as literals), and the bibliographic data of each paper as verified against its
abstract page (journal, volume, pages): every full citation in the package and its documents
must carry exactly those.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest

from energynets.experiments.capacity import demircigil_capacity
from energynets.sampling import geometric_ladder

ROOT = Path(__file__).resolve().parents[2]

# I(x) by hand: ln 1.8 = 0.5877866649, ln 0.2 = -1.6094379124, so
# I(0.8) = (1.8 * 0.5877866649 + 0.2 * (-1.6094379124)) / 2 = 0.3680642072;
# ln 1.5 = 0.4054651081, ln 0.5 = -0.6931471806: I(0.5) = 0.1308120359;
# ln 1.2 = 0.1823215568, ln 0.8 = -0.2231435513: I(0.2) = 0.0201355136;
# I(1) = (2 ln 2 + 0) / 2 = ln 2 = 0.6931471806.
HAND_EXPONENTS = {  # rho -> I(1 - 2 rho) / 2, the largest a in P = exp(a N)
    0.0: 0.3465735903,
    0.1: 0.1840321036,
    0.25: 0.0654060180,
    0.4: 0.0100677568,
}


@pytest.mark.parametrize("rho", sorted(HAND_EXPONENTS))
@pytest.mark.parametrize("n_units", [10, 100, 1000])
def test_demircigil_exponent_matches_the_papers_formula(rho, n_units):
    capacity = demircigil_capacity(n_units, rho)
    assert math.log(capacity) / n_units == pytest.approx(HAND_EXPONENTS[rho], abs=1e-9)


def test_demircigil_without_noise_is_two_to_the_half_n():
    # a < ln(2) / 2 without noise: exp(N ln 2 / 2) = 2^(N / 2), exactly for even N
    assert demircigil_capacity(40) == 2.0**20
    assert demircigil_capacity(41) == pytest.approx(2.0**20 * math.sqrt(2.0), rel=1e-15)
    # continuous at rho -> 0
    assert demircigil_capacity(60, 1e-12) == pytest.approx(2.0**30, rel=1e-9)


def test_demircigil_decreases_with_noise_towards_one():
    rhos = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.49]
    values = [demircigil_capacity(200, r) for r in rhos]
    assert all(a > b for a, b in itertools.pairwise(values))
    # I(0) = 0: at rho -> 1/2 no exponential load is covered any more
    assert demircigil_capacity(200, 0.4999) == pytest.approx(1.0, abs=1e-4)


def test_demircigil_beyond_the_float_range_is_inf():
    # 2^(N/2) overflows a float from N = 2048 on: inf, as documented (today's main raised
    # OverflowError without noise)
    assert demircigil_capacity(2046) == 2.0**1023
    assert demircigil_capacity(2048) == math.inf
    assert demircigil_capacity(100_000) == math.inf
    assert demircigil_capacity(100_000, 0.1) == math.inf


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_units": 0}, "n_units"),
        ({"n_units": 10, "flip_fraction": 0.5}, "flip_fraction must be < 0.5"),
        ({"n_units": 10, "flip_fraction": -0.1}, "flip_fraction"),
    ],
)
def test_demircigil_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        demircigil_capacity(**kwargs)


# -- bibliographic data --------------------------------------------------------------------
# (first words of a full citation, what must follow it), as verified against the sources:
# arXiv 1702.01929 and Springer doi:10.1007/s10955-017-1806-y (Demircigil et al.); the
# reference lists citing Commun. Phys. 2:115 (Toulouse); the J. Chem. Phys. abstract pages
# (Kofke; Predescu et al., doi:10.1063/1.1644093).
CITATIONS = [
    (
        r"Demircigil, M\.",
        "On a model of associative memory with huge storage capacity. J. Stat. Phys. 168, 288-299",
    ),
    (
        r"Toulouse, G\. \(1977\)\.",
        "Theory of the frustration effect in spin glasses: I. Commun. Phys. 2, 115-119",
    ),
    (
        r"(Kofke, D\. A\.|D\. A\. Kofke) \(2002\)\.",
        "On the acceptance probability of replica-exchange Monte Carlo trials. "
        "J. Chem. Phys. 117, 6911-6914",
    ),
    (
        r"(Predescu, C\.|C\. Predescu),",
        "The incomplete beta function law for parallel tempering sampling of classical "
        "canonical systems. J. Chem. Phys. 120, 4119",
    ),
]


def _normalised_sources() -> dict[str, str]:
    files = [*ROOT.joinpath("energynets").rglob("*.py"), *ROOT.joinpath("docs").rglob("*.rst")]
    texts = {}
    for path in files:
        text = path.read_text(encoding="utf-8").replace("\u2013", "-").replace("*", "")
        texts[str(path.relative_to(ROOT))] = " ".join(text.split())
    return texts


@pytest.mark.parametrize(("start", "expected"), CITATIONS)
def test_every_full_citation_carries_the_verified_data(start, expected):
    found = 0
    for name, text in _normalised_sources().items():
        for hit in re.finditer(start, text):
            found += 1
            window = text[hit.end() : hit.end() + 400]
            assert expected in window, f"{name}: {text[hit.start() : hit.end() + 200]!r}"
    assert found >= 1


def test_geometric_ladder_cites_predescu_for_the_progression_and_kofke_for_the_overlap():
    doc = " ".join((geometric_ladder.__doc__ or "").split())
    assert "Predescu, Predescu & Ciobanu 2004" in doc
    assert re.search(r"overlap of the two replicas' energy distributions \(Kofke 2002", doc)
