"""The browser-test fixtures themselves: signing in without the UI works for
reads and CSRF-checked writes, and the console watch sees what it must."""

from __future__ import annotations

from tests import factories
from tests.e2e.browser import CHROMIUM_ARGS

FETCH_JSON = """async ([url, init]) => {
  const response = await fetch(url, init);
  return [response.status, await response.json()];
}"""


def test_sign_in_gives_the_browser_a_session_and_a_csrf_cookie(app):
    user = factories.UserFactory(username="learner.fatima")
    page = app("/", user=user)

    status, body = page.evaluate(FETCH_JSON, ["/api/v1/me/", {}])
    assert (status, body["username"]) == (200, "learner.fatima")

    # A write, as the app will make it: the CSRF token read from its cookie.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    init = {"method": "POST", "headers": {"X-CSRFToken": csrf}}
    status, body = page.evaluate(FETCH_JSON, ["/api/v1/feed/rotate/", init])
    assert status == 201, body
    init["headers"] = {}
    status, body = page.evaluate(FETCH_JSON, ["/api/v1/feed/rotate/", init])
    assert status == 403, body  # the token is really checked


def test_anonymous_pages_are_not_signed_in(app):
    page = app("/")
    status, _ = page.evaluate(FETCH_JSON, ["/api/v1/me/", {}])
    assert status in (401, 403)


def test_console_watch_catches_uncaught_errors_and_csp_violations(app):
    page = app("/")
    page.evaluate("setTimeout(() => { throw new Error('boom'); })")
    # Our policy allows no inline script: this one must be refused and reported.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(100)
    entries = app.console(page)
    fatal = [str(e) for e in entries if e.fatal]
    assert any("boom" in e for e in fatal), entries
    assert any("Content Security Policy" in e for e in fatal), entries
    assert any("[securitypolicyviolation] script-src" in e for e in fatal), entries
    assert page.evaluate("window.inlineRan") is None
    entries.clear()  # expected here; anywhere else they fail the test


def test_chromium_runs_with_our_flags_and_none_that_contradict_them(browser):
    # Playwright adds its own defaults (several the same as ours) and Debian's
    # launcher adds some from /etc/chromium.d; an upgrade of either must not
    # bring a different headless mode or switch the sandbox back on.
    page = browser.new_page()
    try:
        page.goto("chrome://version")
        switches = page.locator("#command_line").inner_text().split()
    finally:
        page.close()
    assert set(CHROMIUM_ARGS) <= set(switches)
    assert not [s for s in switches if s.startswith("--headless=")]
    assert not {"--enable-sandbox", "--enable-gpu", "--no-headless"} & set(switches)
