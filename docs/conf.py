"""Sphinx configuration of the energynets documentation.

Build the site from the repository root with

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-W`` turns every warning into an error. The gallery (``examples/``) runs while the site is
built; set ``ENERGYNETS_DOCS_FAST=1`` to skip the slow examples listed in ``SLOW_EXAMPLES``
(they still appear, with their code, but without output), or pass ``-D plot_gallery=0`` to
run none of them.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))  # gallery_order, the example order of the gallery

import energynets

# -- project ---------------------------------------------------------------------------------

project = "energynets"
author = "The energynets developers"
copyright = "The energynets developers"
release = energynets.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "_ext"]
default_role = "math"  # `x` in reST means inline maths

# -- autodoc, autosummary, numpydoc ----------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False  # the class template lists the members instead
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- MyST (Markdown pages such as benchmarks.md) ---------------------------------------------

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# -- sphinx-gallery --------------------------------------------------------------------------

#: Examples that take more than a few seconds; ENERGYNETS_DOCS_FAST=1 skips running them.
SLOW_EXAMPLES = (
    "plot_capacity.py",
    "plot_capacity_phase_diagram.py",
    "plot_glauber_exact.py",
    "plot_ising_transition.py",
)

DOCS_FAST = os.environ.get("ENERGYNETS_DOCS_FAST", "").strip().lower() not in ("", "0", "false")
if DOCS_FAST:
    _slow = "|".join(re.escape(name) for name in SLOW_EXAMPLES)
    EXECUTE_PATTERN = rf"[\\/](?!(?:{_slow})$)plot_[^\\/]*\.py$"
else:
    EXECUTE_PATTERN = r"[\\/]plot_[^\\/]*\.py$"

sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": EXECUTE_PATTERN,
    "within_subsection_order": "gallery_order.example_order",
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "matplotlib_animations": True,
    "doc_module": ("energynets",),
    "reference_url": {"energynets": None},
    "backreferences_dir": "generated/backreferences",
    "show_memory": False,
    "show_signature": False,
}

# -- HTML ------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"energynets {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
