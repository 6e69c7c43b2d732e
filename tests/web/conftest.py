"""Session-scoped full stack (action server, rasa run, support site) for slow tests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness.stack import MODEL, Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not MODEL.exists():
        message = f"{MODEL} is missing: train it first (make train)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    running = Stack(tmp_path_factory.mktemp("stack"))
    try:
        running.start()
    except Exception:
        running.stop()
        raise
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    """Module scope: Playwright's sync API keeps an event loop running in this thread
    while it is open, which would break later asyncio tests in the same session."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
