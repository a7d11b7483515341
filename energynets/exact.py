"""Exact enumeration oracle (placeholder, being written)."""
