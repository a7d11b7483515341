"""``python -m energynets`` runs the command line."""

from energynets.cli import main

raise SystemExit(main())
