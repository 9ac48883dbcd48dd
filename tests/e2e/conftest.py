"""Browser tests: Debian's chromium (scripts/install-browser.sh) driven by
Playwright's sync API against pytest-django's live server.

Fixtures for tests in this folder (all tests here are marked `e2e`):

- `app(path="/", *, user=None, locale="en-GB", **context_options) -> Page`:
  a new browser context (360x740, Europe/London) and page, signed in as `user`
  when given, opened at `path` on the live server. `app.url(path)`,
  `app.new_context(...)` and `app.base_url` are there too. Every page opened
  through it is watched: an uncaught error, a CSP violation or a failed
  /static/ file fails the test. `app.console(page)` lists what a page logged.
- `sign_in(page_or_context, user)`: signs `user` in without the UI.
- `wait_for_screen(page, name=None, timeout=...) -> str`: waits until the app
  says a screen's data is rendered (see readiness.py) and returns its name.
- `axe_check(page, screen_name)`: fails on any serious or critical axe-core
  violation.
- `screenshot(page, name) -> Path`: a PNG under
  test-artifacts/screenshots/<test>/ for reviewers (never compared).

On failure, every open page's screenshot and console log are saved to
test-artifacts/screenshots/<test>/failure-<n>.png / .log.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.utils.crypto import get_random_string
from playwright.sync_api import expect

from tests.e2e.browser import CHROMIUM, MOBILE, TIMEZONE, launch_options
from tests.e2e.readiness import FIRST_SCREEN_JS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Waits, not delays: a passing step returns as soon as it holds, so these only
# bound how long a failing one takes. CI shares its two cores with other jobs.
DEFAULT_TIMEOUT_MS = 15_000
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)  # `expect` waits 5 s by default

# Reports securitypolicyviolation events as console errors: Chromium logs most
# violations as "Refused to …" itself, but the event also covers the ones it
# only reports (e.g. report-only policies) and says which directive it was.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  const blocked = e.blockedURI || "inline";
  console.error(
    `[securitypolicyviolation] ${e.violatedDirective} blocked ${blocked}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""

_PAGES = pytest.StashKey[list]()


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            # Under pytest-xdist (`make test`) the browser tests keep to one
            # worker: one Chromium and one live server beside the other worker.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="package")
def playwright():
    """Playwright's sync API, for the tests in this folder.

    The sync API runs an asyncio event loop in this (the main) thread, and while
    it runs Django's ORM refuses to work there (SynchronousOnlyOperation), though
    the test code is plain synchronous code. DJANGO_ALLOW_ASYNC_UNSAFE switches
    that check off; it is set only while Playwright runs. Package scope (not
    session) so both end when the last test in tests/e2e has run, and the rest
    of the suite keeps the check and runs without a stray event loop.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (scripts/install-browser.sh)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright):
    """One Chromium for all the browser tests; each test gets its own context."""
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()


@dataclass
class ConsoleEntry:
    kind: str  # a console type ("error", "warning", …), "pageerror" or "response"
    text: str
    location: str = ""

    @property
    def fatal(self) -> bool:
        """An uncaught error, a CSP violation or a missing static file."""
        if self.kind == "pageerror":
            return True
        if self.kind == "response":
            return True
        # Chromium has said "Refused to …" for CSP violations, and newer
        # versions also "Executing inline script violates the following
        # Content Security Policy directive …"; our listener's line covers both.
        return self.kind == "error" and (
            self.text.startswith(("Refused to", "[securitypolicyviolation]"))
            or "Content Security Policy" in self.text
        )

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"[{self.kind}] {self.text}{where}"


@dataclass
class WatchedPage:
    page: object
    entries: list[ConsoleEntry] = field(default_factory=list)


def _watch(page, pages: list[WatchedPage]) -> WatchedPage:
    watched = WatchedPage(page)

    def on_console(message):
        loc = message.location or {}
        where = f"{loc.get('url', '')}:{loc.get('lineNumber', '')}" if loc.get("url") else ""
        watched.entries.append(ConsoleEntry(message.type, message.text, where))

    def on_pageerror(error):
        watched.entries.append(ConsoleEntry("pageerror", f"{error.name}: {error.message}"))

    def on_response(response):
        if "/static/" in response.url and response.status >= 400:
            watched.entries.append(
                ConsoleEntry("response", f"{response.status} for {response.url}")
            )

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("response", on_response)
    pages.append(watched)
    return watched


class App:
    """Opens pages of the app on the live server; see the module docstring."""

    def __init__(self, browser, base_url: str, sign_in, pages: list[WatchedPage]):
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self._sign_in = sign_in
        self._pages = pages
        self._contexts = []

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def new_context(self, *, user=None, locale: str = "en-GB", **options):
        options = {"viewport": MOBILE, "timezone_id": TIMEZONE, "locale": locale} | options
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        context.on("page", self._on_page)
        self._contexts.append(context)
        if user is not None:
            self._sign_in(context, user)
        return context

    def open(self, path: str = "/", *, user=None, locale: str = "en-GB", **options):
        page = self.new_context(user=user, locale=locale, **options).new_page()
        if not any(w.page is page for w in self._pages):  # before the first event
            _watch(page, self._pages)
        page.goto(self.url(path))
        return page

    __call__ = open

    def _on_page(self, page):
        if not any(w.page is page for w in self._pages):
            _watch(page, self._pages)

    def console(self, page) -> list[ConsoleEntry]:
        return next(w.entries for w in self._pages if w.page is page)

    def close(self):
        for context in self._contexts:
            context.close()


@pytest.fixture
def sign_in(live_server):
    """sign_in(page_or_context, user): signs `user` in without going through
    the UI, by making a real session and giving the browser its cookies."""

    def sign_in(page_or_context, user) -> None:
        context = getattr(page_or_context, "context", page_or_context)
        client = Client()
        # Named because django-axes' backend comes first and wants a request.
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        # Any well-formed secret is a valid CSRF cookie; the app reads it for
        # the X-CSRFToken header of its writes.
        csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                },
                {
                    "name": settings.CSRF_COOKIE_NAME,
                    "value": csrf,
                    "url": live_server.url,
                    "sameSite": "Lax",
                },
            ]
        )

    return sign_in


@pytest.fixture
def app(request, browser, live_server, transactional_db, sign_in):
    pages: list[WatchedPage] = []
    request.node.stash[_PAGES] = pages
    helper = App(browser, live_server.url, sign_in, pages)
    yield helper
    helper.close()


@pytest.fixture
def wait_for_screen():
    def wait_for_screen(page, name: str | None = None, timeout: float = DEFAULT_TIMEOUT_MS) -> str:
        handle = page.wait_for_function(FIRST_SCREEN_JS, arg=True, timeout=timeout)
        shown = handle.json_value()
        if name is not None:
            assert shown == name, f"expected screen {name!r}, got {shown!r}"
        return shown

    return wait_for_screen


def _test_dir(node) -> Path:
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", node.name).strip("_")


SHOW_ALL = """(on) => {
  window.__showAll ??= new CSSStyleSheet();
  window.__showAll.replaceSync("* { content-visibility: visible !important; }");
  const others = document.adoptedStyleSheets.filter((sheet) => sheet !== window.__showAll);
  document.adoptedStyleSheets = on ? [...others, window.__showAll] : others;
}"""


@pytest.fixture
def screenshot(request):
    """screenshot(page, name) -> Path: for reviewers, never compared."""

    def screenshot(page, name: str) -> Path:
        path = _test_dir(request.node) / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        # A full-page capture does not render what content-visibility skips
        # (the register's rows out of view): turn that off while it captures.
        page.evaluate(SHOW_ALL, True)
        page.screenshot(path=str(path), full_page=True)
        page.evaluate(SHOW_ALL, False)
        return path

    return screenshot


@pytest.fixture
def axe_check(request):
    """axe_check(page, screen_name): axe-core over the page as it is now;
    fails on any violation of impact serious or critical (all violations are
    written to test-artifacts/screenshots/<test>/axe-<screen>.json)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def axe_check(page, screen_name: str) -> list[dict]:
        violations = axe.run(page).response["violations"]
        path = _test_dir(request.node) / f"axe-{screen_name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(violations, indent=2))
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            lines = [f"axe: {len(bad)} serious/critical violation(s) on {screen_name!r}:"]
            for v in bad:
                targets = ", ".join(" ".join(n["target"]) for n in v["nodes"])
                lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
                lines.append(f"  targets: {targets}")
                lines.append(f"  {v['helpUrl']}")
            pytest.fail("\n".join(lines), pytrace=False)
        return violations

    return axe_check


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    pages = item.stash.get(_PAGES, [])
    for watched in pages:  # a round trip delivers the events still on their way
        with contextlib.suppress(Exception):  # a closed page has nothing more to say
            watched.page.evaluate("0")
    fatal = [str(e) for w in pages for e in w.entries if e.fatal]
    if fatal:
        pytest.fail(
            "the page logged an uncaught error, a CSP violation or a failed static file:\n"
            + "\n".join(fatal),
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when in ("setup", "call"):
        folder = _test_dir(item)
        for n, watched in enumerate(item.stash.get(_PAGES, []), start=1):
            folder.mkdir(parents=True, exist_ok=True)
            log = "\n".join(str(e) for e in watched.entries)
            (folder / f"failure-{n}.log").write_text(f"url: {watched.page.url}\n{log}\n")
            try:
                watched.page.screenshot(path=str(folder / f"failure-{n}.png"), full_page=True)
            except Exception as exc:  # a closed or crashed page: keep the log
                (folder / f"failure-{n}.log").open("a").write(f"no screenshot: {exc}\n")
        if item.stash.get(_PAGES, None):
            report.sections.append(("e2e artifacts", str(folder)))
    return report
