"""Reusable experiment functions; the command line calls them."""
