"""The Ising page in a real browser: headless Chromium driven by selenium.

The page loads with no console errors and animates a 128 x 128 lattice from all spins up. At
T = 1 the magnetisation per spin stays near 1 (the infinite lattice's is 0.9993); with the
temperature slider moved to T = 5, well above T_c = 2.269, the order melts and after 20
frames of one sweep |m| is below 0.3 (for 16384 spins at T = 5 its equilibrium spread is a few
hundredths). The lattice is read from the canvas's data attributes. The screenshot goes to a
temporary folder and, with ``ENERGYNETS_SCREENSHOTS`` set to a folder (``docs/_static``), the
documentation's picture is written there too.

Skipped only when selenium, Chromium or chromedriver is not installed, as the Hopfield page's
browser tests.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from energynets.models.boltzmann import ising_2d

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .conftest import console_errors, wait_for
from .conftest import screenshot as save_screenshot

#: The screenshot the documentation shows (docs/_static).
DOCS_PICTURE = "playground_ising.png"
SIDE = 128


def lattice(driver, name: str) -> str:
    return driver.find_element(By.ID, "lattice").get_attribute(f"data-{name}")


def snapshot(driver) -> dict:
    """The lattice's data attributes, read at once (the animation goes on between reads)."""
    return driver.execute_script(
        "return Object.assign({}, document.getElementById('lattice').dataset);"
    )


def from_spins(spins: str) -> float:
    assert len(spins) == SIDE * SIDE
    return (2 * spins.count("1") - len(spins)) / len(spins)


def frames(driver) -> int:
    return int(lattice(driver, "frames") or 0)


def status(driver) -> str:
    return driver.find_element(By.ID, "status").get_attribute("data-status")


def screenshot(driver, tmp_path: Path, name: str) -> None:
    save_screenshot(driver, tmp_path, name, (DOCS_PICTURE,))


def set_temperature(driver, value: float) -> None:
    driver.execute_script(
        "const s = document.getElementById('temperature'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));",
        str(value),
    )


def test_the_lattice_melts_when_the_slider_crosses_the_critical_temperature(
    browser,
    server_url,
    tmp_path,
):
    browser.get(server_url + "ising")
    wait_for(browser, lambda d: lattice(d, "spins") == "1" * SIDE * SIDE)
    assert browser.find_element(By.ID, "temperature").get_attribute("value") == "1"
    critical = browser.find_element(By.CSS_SELECTOR, "#critical option").get_attribute("value")
    assert float(critical) == pytest.approx(2.269, abs=1e-3)
    assert console_errors(browser) == []

    browser.find_element(By.ID, "start").click()
    seen = []
    while len(seen) < 20:  # every frame at T = 1, read as it comes
        count = len(seen)
        wait_for(browser, lambda d, n=count: frames(d) > n)
        now = snapshot(browser)
        seen.append((int(now["frames"]), float(now["magnetisation"]), from_spins(now["spins"])))
    assert status(browser) == "running"
    assert all(m == pytest.approx(counted) for _, m, counted in seen)
    assert min(abs(m) for _, m, _ in seen) > 0.9, seen

    slider = browser.find_element(By.ID, "temperature")
    slider.send_keys(Keys.END)  # the slider's top: T = 5
    assert slider.get_attribute("value") == "5"
    wait_for(browser, lambda d: lattice(d, "temperature") == "5")
    moved = frames(browser)
    wait_for(browser, lambda d: frames(d) >= moved + 20)
    now = snapshot(browser)
    assert now["temperature"] == "5"
    assert abs(float(now["magnetisation"])) < 0.3
    assert float(now["magnetisation"]) == pytest.approx(from_spins(now["spins"]))

    browser.find_element(By.ID, "stop").click()
    wait_for(browser, lambda d: status(d) == "stopped")
    stopped = frames(browser)
    time.sleep(0.5)  # no frame is asked for after Stop
    assert frames(browser) == stopped
    assert console_errors(browser) == []

    # the picture of the documentation: near T_c, domains of every size
    set_temperature(browser, 2.3)
    browser.find_element(By.ID, "all-up").click()
    wait_for(browser, lambda d: frames(d) == 0 and lattice(d, "spins") == "1" * SIDE * SIDE)
    browser.find_element(By.ID, "start").click()
    wait_for(browser, lambda d: frames(d) >= 150, timeout=60)
    browser.find_element(By.ID, "stop").click()
    wait_for(browser, lambda d: status(d) == "stopped")
    screenshot(browser, tmp_path, DOCS_PICTURE)
    assert console_errors(browser) == []


def test_randomise_draws_the_seeded_random_lattice(browser, server_url):
    browser.get(server_url + "ising")
    wait_for(browser, lambda d: lattice(d, "spins") == "1" * SIDE * SIDE)
    side = browser.find_element(By.ID, "side")
    side.clear()
    side.send_keys("16")
    browser.find_element(By.ID, "randomise").click()
    wait_for(browser, lambda d: lattice(d, "side") == "16")
    expected = ising_2d(16).random_states(1, rng=np.random.default_rng(0))[0]
    assert lattice(browser, "spins") == "".join("1" if s > 0 else "0" for s in expected)
    side.clear()
    side.send_keys("15")
    browser.find_element(By.ID, "randomise").click()
    wait_for(browser, lambda d: "even" in d.find_element(By.ID, "message").text)
    assert console_errors(browser) == []


def test_the_index_links_the_ising_page(browser, server_url):
    browser.get(server_url)
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#pages a")) >= 2)
    links = {
        a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#pages a")
    }
    assert links["Ising and Boltzmann"].endswith("/ising")
    assert console_errors(browser) == []


def test_the_field_slider_reaches_the_sampler(browser, server_url):
    browser.get(server_url + "ising")
    wait_for(browser, lambda d: lattice(d, "spins") == "1" * SIDE * SIDE)
    browser.execute_script(
        "const s = document.getElementById('field'); s.value = '-1';"
        "s.dispatchEvent(new Event('input'));"
    )
    set_temperature(browser, 1.5)
    browser.find_element(By.ID, "start").click()
    # all up against a field h = -1 at T = 1.5: the lattice turns over to the field's side
    wait_for(browser, lambda d: float(lattice(d, "magnetisation")) < -0.9, timeout=60)
    browser.find_element(By.ID, "stop").click()
    wait_for(browser, lambda d: status(d) == "stopped")
    assert lattice(browser, "field") == "-1"
    assert "exact values for h = 0 only" in browser.find_element(By.ID, "readout").text
    assert console_errors(browser) == []
