"""A user's own account in a real browser: from the menu to the account page, a refused and an
accepted new password, and their other browser logged out by it."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, screenshot

NEW_PASSWORD = "monsoon ferries cross at dawn"


def test_user_changes_their_password_and_their_other_browser_is_logged_out(
    page: Any, browser: Any, live_server: str, make_user: Any
) -> None:
    make_user("staff", email="sam@example.org", name="Sam Staff")
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        log_in(other, live_server, "sam@example.org")
        log_in(page, live_server, "sam@example.org")

        page.get_by_role("link", name=re.compile("Sam Staff")).click()
        page.wait_for_url(re.compile(r"/account$"))
        assert page.get_by_text("1 other browser or device is logged in as you.").count()

        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill("password12")
        page.get_by_label("Repeat the new password").fill("password12")
        page.get_by_role("button", name="Change my password").click()
        refusal = page.locator(".invalid-feedback")
        assert "This password is too easy to guess." in refusal.inner_text()
        assert "This is a very common password." in refusal.inner_text()
        screenshot(page, "account-weak-password")

        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change my password").click()
        page.wait_for_url(re.compile(r"/account$"))
        assert page.get_by_text("Your password is changed.").count()
        assert page.get_by_text("No other browser or device is logged in as you.").count()
        screenshot(page, "account-password-changed")

        other.goto(f"{live_server}/")
        other.wait_for_url(re.compile(r"/login"))
        assert other.get_by_role("button", name="Log in").count()
    finally:
        other.context.close()
