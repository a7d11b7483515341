"""Batches in chunks: the rows of a large batch go through a model a few at a time.

The dense associative memory and the modern Hopfield network compare every row of a batch
with every stored pattern; taking the rows in chunks of about :data:`CHUNK_ELEMENTS` numbers
(rows x patterns) keeps the per-row arrays a few tens of MB whatever the batch, with the
same results as one pass.
"""

from __future__ import annotations

__all__ = ["CHUNK_ELEMENTS", "row_chunks"]

#: About how many numbers (rows x row size) one chunk holds.
CHUNK_ELEMENTS = 1 << 21


def row_chunks(n_rows: int, row_size: int) -> list[slice]:
    """Consecutive slices covering ``range(n_rows)``, each of about CHUNK_ELEMENTS /
    ``row_size`` rows (at least one)."""
    size = max(1, CHUNK_ELEMENTS // max(row_size, 1))
    return [slice(a, min(a + size, n_rows)) for a in range(0, n_rows, size)]
