"""Glyph bitmaps (placeholder, being written)."""

HEIGHT = 2
WIDTH = 2
GLYPHS = {"A": ["#.", ".#"], "B": ["##", ".."]}
