"""Headless Chromium for the reading page: Debian's ``chromium`` and ``chromium-driver``
through Selenium, offline (pages are opened from files).  Used by the browser tests
and by ``benchmarks/refs.py``."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1200,900",
)


class BrowserMissing(Exception):
    """Selenium, the browser or its driver is not installed (the message says which)."""


def start_chromium(
    *,
    command_timeout: float,
    page_load_timeout: float,
    script_timeout: float,
    console_log: bool = False,
) -> Any:
    """A new headless Chromium driver; the caller quits it.  ``console_log`` keeps the
    page's console messages (``driver.get_log("browser")``).  Raises
    :class:`BrowserMissing` when it cannot be started for want of a program."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise BrowserMissing("selenium is not installed") from None
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        raise BrowserMissing("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in _FLAGS:
        options.add_argument(flag)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the session request goes out before any timeout can be set on the driver: bound it
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(120)
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    finally:
        socket.setdefaulttimeout(previous)
    try:
        driver.command_executor.client_config.timeout = command_timeout
        driver.set_page_load_timeout(page_load_timeout)
        driver.set_script_timeout(script_timeout)
    except BaseException:
        driver.quit()
        raise
    return driver
