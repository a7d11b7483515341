"""The playground in a real browser: headless Chromium driven by selenium.

The pages load with no console errors; on the Hopfield page three glyphs are stored, one is
corrupted by clicking cells, and after Recall the grid the page shows (its ``data-state``)
is the stored glyph. Screenshots go to a temporary folder; with ``ENERGYNETS_SCREENSHOTS``
set to a folder (``docs/_static``), the pictures of the documentation are written there too.

Skipped only when selenium, Chromium or chromedriver is not installed (``.ci/run`` installs
them on CI).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import energynets as en

from .test_api import bits, glyph_grid

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .conftest import console_errors, wait_for
from .conftest import screenshot as save_screenshot

#: The screenshots the documentation shows (docs/_static).
DOCS_PICTURES = ("playground_hopfield.png", "playground_hopfield_probe.png")
#: The cells the test flips in the first glyph: 12 of 192.
FLIPS = [(row, col) for row in (4, 6, 8, 10) for col in (3, 6, 9)]


def state(driver) -> str:
    return driver.find_element(By.ID, "grid").get_attribute("data-state")


def status(driver) -> str:
    return driver.find_element(By.ID, "status").get_attribute("data-status")


def screenshot(driver, tmp_path: Path, name: str) -> None:
    save_screenshot(driver, tmp_path, name, DOCS_PICTURES)


def click_cell(driver, row: int, col: int) -> None:
    grid = driver.find_element(By.ID, "grid")
    width, height = grid.size["width"], grid.size["height"]
    size = width // int(grid.get_attribute("data-width"))
    x, y = col * size + size // 2 - width // 2, row * size + size // 2 - height // 2
    ActionChains(driver).move_to_element_with_offset(grid, x, y).click().perform()


def thumbnails(driver) -> list:
    return driver.find_elements(By.CSS_SELECTOR, "#patterns canvas")


def sweeps(driver) -> int:
    return int(driver.find_element(By.ID, "status").get_attribute("data-sweeps") or 0)


def add_glyphs(driver, names: str) -> None:
    for k, name in enumerate(names):
        Select(driver.find_element(By.ID, "glyph")).select_by_value(name)
        driver.find_element(By.ID, "add-glyph").click()
        wait_for(driver, lambda d, k=k: len(thumbnails(d)) == k + 1)


def store(driver, n_patterns: int) -> None:
    driver.find_element(By.ID, "store").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "load").text.startswith(f"P = {n_patterns} "))


def test_the_index_lists_the_pages(browser, server_url, tmp_path):
    browser.get(server_url)
    link = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#pages a"))[0]
    assert link.text == "Hopfield network" and link.get_attribute("href").endswith("/hopfield")
    screenshot(browser, tmp_path, "playground_index.png")
    assert console_errors(browser) == []


def test_store_three_glyphs_corrupt_one_by_clicking_and_recall_it(browser, server_url, tmp_path):
    browser.get(server_url + "hopfield")
    wait_for(browser, lambda d: state(d) == "0" * 192)
    add_glyphs(browser, "AXO")
    store(browser, 3)
    glyph_a = bits(glyph_grid("A", 16, 12))
    thumbnails(browser)[0].click()
    wait_for(browser, lambda d: state(d) == glyph_a)

    for row, col in FLIPS:
        click_cell(browser, row, col)
    probe = state(browser)
    flipped = [k for k in range(192) if probe[k] != glyph_a[k]]
    assert flipped == sorted(row * 12 + col for row, col in FLIPS)
    screenshot(browser, tmp_path, "playground_hopfield_probe.png")

    browser.find_element(By.ID, "recall").click()
    wait_for(browser, lambda d: status(d) in ("converged", "stopped", "error"))
    assert status(browser) == "converged", browser.find_element(By.ID, "message").text
    assert state(browser) == glyph_a
    assert sweeps(browser) >= 1
    screenshot(browser, tmp_path, "playground_hopfield.png")
    assert console_errors(browser) == []


def test_the_noise_slider_corrupts_and_glauber_runs_until_stopped(browser, server_url, tmp_path):
    browser.get(server_url + "hopfield")
    wait_for(browser, lambda d: state(d) == "0" * 192)
    add_glyphs(browser, "TH")
    store(browser, 2)
    thumbnails(browser)[1].click()
    glyph_h = bits(glyph_grid("H", 16, 12))
    wait_for(browser, lambda d: state(d) == glyph_h)
    browser.execute_script(
        "const s = document.getElementById('noise'); s.value = '0.25';"
        "s.dispatchEvent(new Event('input'));"
    )
    browser.find_element(By.ID, "corrupt").click()
    wait_for(browser, lambda d: state(d) != glyph_h)
    assert sum(a != b for a, b in zip(state(browser), glyph_h, strict=True)) == round(0.25 * 192)

    Select(browser.find_element(By.ID, "dynamics")).select_by_value("glauber")
    browser.find_element(By.ID, "recall").click()
    wait_for(browser, lambda d: sweeps(d) >= 3)
    assert status(browser) == "running"
    browser.find_element(By.ID, "stop").click()
    wait_for(browser, lambda d: status(d) == "stopped")
    assert console_errors(browser) == []


def test_a_pattern_is_drawn_by_dragging(browser, server_url):
    browser.get(server_url + "hopfield")
    wait_for(browser, lambda d: state(d) == "0" * 192)
    grid = browser.find_element(By.ID, "grid")
    size = grid.size["width"] // 12

    def offset(row: int, col: int) -> tuple[int, int]:
        x = col * size + size // 2 - grid.size["width"] // 2
        return x, row * size + size // 2 - grid.size["height"] // 2

    chain = ActionChains(browser).move_to_element_with_offset(grid, *offset(3, 1))
    chain.click_and_hold()
    for col in range(2, 11):
        chain.move_to_element_with_offset(grid, *offset(3, col))
    chain.release().perform()
    drawn = ["0"] * 192
    for col in range(1, 11):
        drawn[3 * 12 + col] = "1"
    assert state(browser) == "".join(drawn)
    browser.find_element(By.ID, "add-drawn").click()
    assert thumbnails(browser)[0].get_attribute("data-bits") == "".join(drawn)
    assert console_errors(browser) == []


def test_a_handwritten_digit_is_added(browser, server_url):
    browser.get(server_url + "hopfield")
    wait_for(browser, lambda d: state(d) == "0" * 192)
    Select(browser.find_element(By.ID, "digit")).select_by_value("4")
    browser.find_element(By.ID, "add-digit").click()
    wait_for(browser, lambda d: len(thumbnails(d)) == 1)
    X, y = en.datasets.load_digits()
    image = en.datasets.binarize(X[np.flatnonzero(y == 4)[0]], threshold=0.25, maximum=16)
    grid = -np.ones((16, 12))
    grid[4:12, 2:10] = 2 * image.reshape(8, 8) - 1
    assert state(browser) == bits(grid) == thumbnails(browser)[0].get_attribute("data-bits")
    assert console_errors(browser) == []


def test_store_one_more_shows_the_load_beside_the_theory(browser, server_url):
    browser.get(server_url + "hopfield")
    wait_for(browser, lambda d: state(d) == "0" * 192)
    add_glyphs(browser, "A")
    store(browser, 1)
    browser.find_element(By.ID, "store-more").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "load").text.startswith("P = 2 "))
    load = browser.find_element(By.ID, "load")
    assert float(load.get_attribute("data-alpha")) == 2 / 192
    assert float(load.get_attribute("data-alpha-c")) == pytest.approx(0.138)
    # drawn on the server from the seed the page sends: seed + 1000 x (patterns so far) + 1
    expected = en.datasets.random_patterns(1, 192, rng=0 + 1000 * 1 + 1)[0]
    assert thumbnails(browser)[1].get_attribute("data-bits") == bits(expected)
    assert console_errors(browser) == []
