"""Saving and loading models (placeholder, being written)."""
