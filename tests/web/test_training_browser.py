"""The training pages in a real browser: headless Chromium driven by selenium.

The RBM page loads with no console errors, trains on bars-and-stripes with the settings typed
in, follows the run to its end (server-sent events), draws one filter per hidden unit and the
daydreaming chains, and daydreams on; a long run on the digits is cancelled from the page. The
EP page trains both networks and shows both test errors. Screenshots go to a temporary folder
and, with ``ENERGYNETS_SCREENSHOTS`` set to a folder (``docs/_static``), the documentation's
pictures are written there too.

Skipped only when selenium, Chromium or chromedriver is not installed, as the Hopfield page's
browser tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .conftest import console_errors, wait_for
from .conftest import screenshot as save_screenshot

DOCS_PICTURES = ("playground_rbm.png", "playground_eqprop.png")


def attribute(driver, element: str, name: str) -> str:
    return driver.find_element(By.ID, element).get_attribute(f"data-{name}") or ""


def type_into(driver, values: dict[str, object]) -> None:
    for element, value in values.items():
        box = driver.find_element(By.ID, element)
        box.clear()
        box.send_keys(str(value))


def screenshot(driver, tmp_path: Path, name: str) -> None:
    save_screenshot(driver, tmp_path, name, DOCS_PICTURES)


def loaded(driver, url: str) -> None:
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return typeof playground") == "object")


def test_the_rbm_page_trains_shows_filters_and_daydreams(browser, server_url, tmp_path):
    loaded(browser, server_url + "rbm")
    type_into(browser, {"side": 4, "hidden": 12, "epochs": 300, "batch-size": 5})
    browser.find_element(By.ID, "train").click()
    wait_for(browser, lambda d: attribute(d, "status", "status") == "done", timeout=90)
    assert attribute(browser, "status", "epoch") == "300"
    filters = browser.find_elements(By.CSS_SELECTOR, "#filters canvas")
    samples = browser.find_elements(By.CSS_SELECTOR, "#samples canvas")
    assert len(filters) == 12 and len(samples) == 16
    assert "epoch 300 of 300" in browser.find_element(By.ID, "readout").text
    before = attribute(browser, "samples", "samples").split(",")
    assert len(before) == 16 and all(len(s) == 16 and set(s) <= {"0", "1"} for s in before)
    screenshot(browser, tmp_path, "playground_rbm.png")

    type_into(browser, {"steps": 200})
    browser.find_element(By.ID, "daydream").click()
    wait_for(browser, lambda d: attribute(d, "samples", "samples").split(",") != before)
    assert console_errors(browser) == []


def test_a_long_rbm_run_is_cancelled_from_the_page(browser, server_url):
    loaded(browser, server_url + "rbm")
    Select(browser.find_element(By.ID, "dataset")).select_by_value("digits")
    assert browser.find_element(By.ID, "hidden").get_attribute("value") == "64"
    type_into(browser, {"epochs": 5000})
    browser.find_element(By.ID, "train").click()
    wait_for(browser, lambda d: int(attribute(d, "status", "epoch") or 0) >= 1)
    browser.find_element(By.ID, "cancel").click()
    wait_for(browser, lambda d: attribute(d, "status", "status") == "cancelled")
    assert int(attribute(browser, "status", "epoch")) < 5000
    assert browser.find_element(By.ID, "train").is_enabled()
    assert console_errors(browser) == []


def test_the_ep_page_trains_both_networks(browser, server_url, tmp_path):
    loaded(browser, server_url + "eqprop")
    type_into(browser, {"hidden": 32, "epochs": 4, "n-free": 10, "n-nudged": 4})
    browser.find_element(By.ID, "train").click()
    wait_for(browser, lambda d: attribute(d, "status", "status") == "done", timeout=90)
    assert attribute(browser, "status", "epoch") == "4"
    ep_error = float(attribute(browser, "status", "ep-error"))
    backprop_error = float(attribute(browser, "status", "backprop-error"))
    # 10 classes: guessing errs 90% of the time; four epochs of either rule do far better
    assert 0.0 <= ep_error < 0.6 and 0.0 <= backprop_error < 0.6
    assert "test error: equilibrium propagation" in browser.find_element(By.ID, "readout").text
    screenshot(browser, tmp_path, "playground_eqprop.png")
    assert console_errors(browser) == []
