# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report consumers for `make reports`: Debian's chromium driven headless by selenium through
Debian's chromedriver (never a downloaded browser or driver), and the artefact directory."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import runpy
import shutil
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
# Makes ansible_collections.secure_endpoint.linux importable, as for the unit tests.
runpy.run_path(os.path.join(TOP, "tests", "unit", "conftest.py"))

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = os.path.join(TOP, ".testbed", "artifacts", "reports")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--window-size=1400,1000"]


@pytest.fixture(scope="session")
def artifacts():
    if os.path.isdir(ARTIFACTS):
        shutil.rmtree(ARTIFACTS)
    os.makedirs(ARTIFACTS)
    return ARTIFACTS


def _driver(profile, scripts):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never fetch a browser or driver: both are given, and it is offline.
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + ["--user-data-dir=" + profile]:
        options.add_argument(flag)
    if not scripts:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # Every network request the page makes is in the performance log (the test asserts none).
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(profile, "chromedriver.log"))
    return webdriver.Chrome(service=service, options=options)


def _browser(scripts):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail("%s is missing: `make deps` installs chromium and chromium-driver "
                        "(tests/testbed/apt-packages.d/reports.list)" % path)
    profile = tempfile.mkdtemp(prefix="rep-chromium-")
    driver = _driver(profile, scripts)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    yield from _browser(scripts=True)


@pytest.fixture(scope="session")
def browser_noscript():
    yield from _browser(scripts=False)
