"""``python -m benchmarks``: run the benchmark cases (see :mod:`benchmarks.runner`)."""

from benchmarks.runner import main

raise SystemExit(main())
