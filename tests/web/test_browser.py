"""The support page and widget in a real browser (Debian's Chromium via Playwright).

Runs against the full stack (tests/web/conftest.py). Screenshots go to the test's tmp
dir; with UPDATE_SCREENSHOTS=1 they are also written to docs/screenshots/.
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TIMEOUT = 60_000  # ms; the first model call on a loaded 2-core machine can be slow
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def page(browser, stack):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(TIMEOUT)
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def shot(pg, name, tmp_path, **kw):
    path = tmp_path / name
    pg.screenshot(path=str(path), **kw)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / name)
    return path


def bot_count(pg) -> int:
    return pg.locator(".ac-msg.ac-bot").count()


def wait_bot_reply(pg, before: int) -> str:
    """Wait for a new bot message and the end of the turn; return the turn's bot text."""
    pg.wait_for_function("n => document.querySelectorAll('.ac-msg.ac-bot').length > n", arg=before)
    pg.wait_for_selector(".ac-typing:not(.ac-on)", state="attached")
    return "\n".join(pg.locator(".ac-msg.ac-bot .ac-bubble").all_text_contents()[before:])


def sign_in(pg, stack, account):
    pg.goto(stack.web_url + "/")
    pg.select_option("#demo-account", account)
    pg.click("#demo-login button[type=submit]")
    pg.wait_for_selector(f".ac-who:has-text('{account}')")


def send(pg, text):
    before = bot_count(pg)
    pg.fill("#ac-input", text)
    pg.press("#ac-input", "Enter")
    return before


def tracker(stack, sender):
    url = f"{stack.rasa_url}/conversations/{sender}/tracker?token={stack.api_token}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def test_refund_conversation_quick_reply_and_reload(page, stack, tmp_path):
    page.goto(stack.web_url + "/")
    assert page.locator(".demo-badge").text_content() == "DEMO"
    shot(page, "support-page.png", tmp_path)

    sign_in(page, stack, "C1001")
    before = send(page, "I want a refund")
    text = wait_bot_reply(page, before)
    assert "order" in text.lower()
    replies = page.locator(".ac-msg.ac-bot").nth(bot_count(page) - 1).locator("button.ac-reply")
    assert replies.count() >= 1
    choice = replies.first.text_content()
    before = bot_count(page)
    replies.first.click()
    wait_bot_reply(page, before)
    # the quick reply shows as the customer's words and its buttons are used up
    assert page.locator(".ac-msg.ac-user .ac-bubble").last.text_content() == choice
    assert replies.first.is_disabled()
    shot(page, "conversation.png", tmp_path)

    session_id = page.evaluate("JSON.parse(sessionStorage.getItem('assurance.chat.session')).id")
    log_before = page.locator(".ac-log .ac-bubble").all_text_contents()
    page.reload()
    page.wait_for_selector(".ac-who:has-text('C1001')")
    assert page.locator(".ac-log .ac-bubble").all_text_contents() == log_before
    # ... and the conversation continues on the same server-side tracker
    before = send(page, "thanks")
    wait_bot_reply(page, before)
    events = tracker(stack, f"acct:C1001:{session_id}")["events"]
    texts = [e.get("text") for e in events if e["event"] == "user"]
    assert "I want a refund" in texts and "thanks" in texts
    assert all(e["metadata"]["auth"]["customer_id"] == "C1001" for e in events if e["event"] == "user")
    assert page.errors == []


def test_markup_is_shown_as_text_and_never_run(page, stack):
    page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss += 1; };")
    page.goto(stack.web_url + "/")
    page.click("[data-open-chat]")
    before = send(page, XSS)
    wait_bot_reply(page, before)
    assert page.locator(".ac-msg.ac-user .ac-bubble").last.text_content() == XSS
    assert page.locator(".ac-log img").count() == 0
    assert page.evaluate("window.__xss") == 0 and page.dialogs == []
    # and after a reload, restored from history, still only text
    page.reload()
    page.wait_for_selector(".ac-msg.ac-user")
    assert page.locator(".ac-log img").count() == 0
    assert page.evaluate("window.__xss") == 0 and page.dialogs == []


def test_faq_page_starts_a_conversation(page, stack, tmp_path):
    page.goto(stack.web_url + "/")
    page.click("nav >> text=FAQ")
    page.wait_for_url("**/faq.html")
    assert page.locator(".faq-entry").count() >= 10
    shot(page, "faq-page.png", tmp_path)
    entry = page.locator("#contact-hotline")
    title = entry.locator("button.ask").get_attribute("data-ask-title")
    before = bot_count(page)
    entry.locator("button.ask").click()
    assert page.locator("#ac-panel").is_visible()
    assert page.locator(".ac-msg.ac-user .ac-bubble").last.text_content() == title
    reply = wait_bot_reply(page, before)
    from bot.policy import load_policy

    assert load_policy().figures()["hotline_number"] in reply


def test_keyboard_only_and_aria(page, stack):
    page.goto(stack.web_url + "/")
    launcher = page.locator(".ac-launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "ac-input"
    log = page.locator(".ac-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    before = bot_count(page)
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    wait_bot_reply(page, before)
    # Tab reaches the quick replies, Enter activates one
    page.locator(".ac-msg.ac-bot").last.locator("button.ac-reply").first.focus()
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_bot_reply(page, before)
    page.keyboard.press("Escape")
    assert page.locator("#ac-panel").is_hidden()
    assert page.evaluate("document.activeElement.className") == "ac-launcher"


def test_phone_width(browser, stack, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    context.set_default_timeout(TIMEOUT)
    pg = context.new_page()
    try:
        pg.goto(stack.web_url + "/")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 375
        pg.click(".ac-launcher")
        box = pg.locator("#ac-panel").bounding_box()
        assert box["width"] == 375
        before = bot_count(pg)
        pg.fill("#ac-input", "hi")
        pg.press("#ac-input", "Enter")
        wait_bot_reply(pg, before)
        shot(pg, "phone.png", tmp_path)
    finally:
        context.close()


def test_forged_token_is_refused_in_the_widget(page, stack):
    """A token the Rasa server did not sign: the widget says so; never a silent guest."""
    forged = {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJDMTAwMSJ9.c2lnbmF0dXJl",
              "customer_id": "C1001", "demo": True}
    page.route("**/demo/token", lambda route: route.fulfill(status=200, content_type="application/json",
                                                            body=json.dumps(forged)))
    page.goto(stack.web_url + "/")
    page.select_option("#demo-account", "C1001")
    page.click("#demo-login button[type=submit]")
    page.wait_for_selector(".ac-msg.ac-system:has-text('Sign-in refused')")
    assert "Signed in" not in page.locator(".ac-who").text_content()
