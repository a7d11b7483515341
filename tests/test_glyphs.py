"""The built-in alphabet: 36 distinct bold bitmaps, and datasets.glyphs reading them."""

import re
import string

import numpy as np
import pytest

import energynets as en
from energynets._glyphs import GLYPHS, HEIGHT, WIDTH


def _bitmap(char):
    return np.array([[c == "#" for c in row] for row in GLYPHS[char]])


def test_thirty_six_glyphs_letters_then_digits():
    assert list(GLYPHS) == list(string.ascii_uppercase + string.digits)


@pytest.mark.parametrize("char", list(GLYPHS))
def test_every_glyph_has_the_same_shape_and_only_ink_and_background(char):
    rows = GLYPHS[char]
    assert len(rows) == HEIGHT
    for row in rows:
        assert len(row) == WIDTH
        assert re.fullmatch(r"[#.]+", row)


@pytest.mark.parametrize("char", list(GLYPHS))
def test_strokes_are_bold_and_inside_a_margin(char):
    img = _bitmap(char)
    # every run of ink along a row is at least two pixels long
    for row in GLYPHS[char]:
        assert all(len(run) >= 2 for run in re.findall(r"#+", row)), (char, row)
    # a one-pixel margin all round, and enough ink to be seen
    assert not img[0].any() and not img[-1].any()
    assert not img[:, 0].any() and not img[:, -1].any()
    assert 0.2 < img.mean() < 0.6


def test_glyphs_are_distinct_even_after_a_few_pixels():
    flat = np.array([_bitmap(c).ravel() for c in GLYPHS])
    distance = (flat[:, None, :] != flat[None, :, :]).sum(axis=2)
    np.fill_diagonal(distance, HEIGHT * WIDTH)
    # the closest pair (e.g. O and 0, which has a slash) still differs in several pixels
    assert distance.min() >= 6


def test_datasets_glyphs_returns_the_rows_asked_for():
    patterns, labels = en.datasets.glyphs("AB")
    assert labels == ["A", "B"]
    assert patterns.shape == (2, HEIGHT * WIDTH)
    assert en.datasets.glyph_shape() == (HEIGHT, WIDTH)
    for row, char in zip(patterns, "AB", strict=True):
        assert np.array_equal(row, np.where(_bitmap(char).ravel(), 1.0, -1.0))
    everything, all_labels = en.datasets.glyphs()
    assert everything.shape == (36, HEIGHT * WIDTH)
    assert all_labels == list(GLYPHS)
    assert np.array_equal(everything[:2], patterns)


def test_default_demo_letters_are_recalled_by_the_hebbian_rule():
    # the demo promises that Hebbian storage recalls its default letters: they must be fixed
    # points and come back exactly from 20% flipped pixels
    from energynets.cli._hopfield_scenes import DEFAULT_LETTERS

    patterns, _ = en.datasets.glyphs(DEFAULT_LETTERS)
    net = en.HopfieldNetwork.from_patterns(patterns, rule="hebbian")
    assert net.is_fixed_point(patterns).all()
    gen = np.random.default_rng(0)
    for _ in range(5):
        probes = en.corrupt(patterns, 0.2, rng=gen)
        res = net.recall(probes, rng=gen)
        assert np.array_equal(res.states, patterns)
