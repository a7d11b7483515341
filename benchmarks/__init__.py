"""Side-by-side timings of energynets against the peers a user would otherwise pick.

Run from the repository root::

    python -m benchmarks                 # every case, table on stdout
    python -m benchmarks --quick --repeat 1
    python -m benchmarks --filter recall --markdown docs/benchmarks.md

Each module of this package (other than the runner itself) that defines a list ``CASES`` of
:class:`benchmarks.runner.Case` is picked up automatically; see :mod:`benchmarks.runner` for
what a case holds and how it is timed. This package is not part of the installed library and
is not collected by the test suite.
"""
