"""The 2D Ising model against its exact solution (Onsager 1944; Yang 1952).

One temperature scan of a 32 x 32 periodic lattice, T = 1.8, 1.9, ..., 2.8 (grid step 0.1),
16 independent chains per temperature started with all spins up, 600 checkerboard Gibbs
sweeps each of which the first 150 are discarded. Seed and sizes were fixed before the test
was run. What must hold:

1. The transition is at Onsager's T_c = 2 / ln(1 + sqrt 2) = 2.2692, within the resolution of
   the grid: the steepest drop of <|m|> lies in the grid cell that contains T_c,
   [2.2, 2.3], or in a neighbouring cell, and so does the peak of the heat capacity (a grid
   point in [2.1, 2.4]). On a lattice of side L the transition is rounded and shifted by
   O(T_c / L) ~ 0.07 (the pseudo-critical temperature of the heat-capacity peak lies above
   T_c by about 0.4 / L for periodic lattices; Ferdinand & Fisher 1969), which is why the
   neighbouring cells are allowed.
2. |m| is large below T_c and small above: <|m|> > 0.8 at T <= 2.1 and < 0.3 at T >= 2.5
   (above T_c, <|m|> ~ sqrt(chi T / N) -> 0 as the lattice grows).
3. Below T_c, away from it (T <= 2.1, where the correlation length is a few lattice spacings,
   much less than L = 32), <|m|> equals Yang's exact M(T) = (1 - sinh(2/T)^-4)^(1/8) within
   4 standard errors (the errors come from the spread of the 16 independent chains) plus
   0.005 for the finite lattice: <|m|> - M ~ Var(m) / (2 M) = chi T / (2 N M) <= 0.002 here
   (chi <= 1.7 at T <= 2.1, N = 1024), the rest of the finite-size effect being exponentially
   small in L / xi.
4. The energy per spin equals Onsager's exact u(T) within 4 standard errors plus 0.005 at
   every temperature at least 0.2 from T_c (finite-size corrections to the energy of a
   periodic lattice are exponentially small in L / xi there).

References
----------
Onsager, L. (1944). Phys. Rev. 65, 117-149. Yang, C. N. (1952). Phys. Rev. 85, 808-816.
Ferdinand, A. E. & Fisher, M. E. (1969). Bounded and inhomogeneous Ising models. I. Specific
heat anomaly of a finite lattice. Phys. Rev. 185, 832-846.
"""

import numpy as np
import pytest

from energynets.experiments.sampling import (
    ONSAGER_TC,
    ising_temperature_scan,
    onsager_energy,
    onsager_magnetisation,
)

TEMPERATURES = np.round(np.arange(1.8, 2.8 + 1e-9, 0.1), 1)
STEP = 0.1


@pytest.fixture(scope="module")
def scan():
    return ising_temperature_scan(
        32, TEMPERATURES, n_sweeps=600, burn_in=150, n_chains=16, initial="ordered", rng=2024
    )


def test_the_grid_brackets_onsagers_temperature():
    assert ONSAGER_TC == pytest.approx(2.2692, abs=1e-4)
    assert 2.2 < ONSAGER_TC < 2.3


def test_transition_at_onsagers_critical_temperature(scan):
    low, high = scan.steepest_drop()
    assert high - low == pytest.approx(STEP)
    # the cell containing T_c is [2.2, 2.3]; its neighbours [2.1, 2.2] and [2.3, 2.4]
    assert 2.1 - 1e-9 <= low and high <= 2.4 + 1e-9, (low, high)
    peak = scan.heat_capacity_peak()
    assert 2.1 - 1e-9 <= peak <= 2.4 + 1e-9, peak


def test_magnetisation_large_below_small_above(scan):
    t, m = scan.temperatures, scan.column("abs_magnetisation")
    assert np.all(m[t <= 2.1 + 1e-9] > 0.8), m
    assert np.all(m[t >= 2.5 - 1e-9] < 0.3), m
    # and it falls: every point below T_c above every point above it
    assert m[t < ONSAGER_TC].min() > m[t > ONSAGER_TC].max()


def test_magnetisation_matches_yangs_exact_value_below_tc(scan):
    t = scan.temperatures
    below = t <= 2.1 + 1e-9
    m = scan.column("abs_magnetisation")[below]
    err = scan.column("abs_magnetisation_err")[below]
    exact = onsager_magnetisation(t[below])
    np.testing.assert_array_less(np.abs(m - exact), 4 * err + 0.005)


def test_energy_matches_onsagers_exact_value_away_from_tc(scan):
    t = scan.temperatures
    away = np.abs(t - ONSAGER_TC) >= 0.2
    e = scan.column("energy")[away]
    err = scan.column("energy_err")[away]
    np.testing.assert_array_less(np.abs(e - onsager_energy(t[away])), 4 * err + 0.005)
