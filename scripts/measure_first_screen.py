"""How long a learner on a slow phone connection waits for the first useful
screen of "/". Run with `make slow3g`. A measurement that prints figures, not a
test: it exits 0 on MISS and non-zero only when it could not measure.

It serves the app the way production does (gunicorn + whitenoise, DEBUG off,
collectstatic's compressed files) from a throwaway SQLite database with the
demo data, opens "/" in Debian's chromium (same flags as tests/e2e) with the
cache disabled under DevTools' Slow 3G preset, three times from cold, and
prints the bytes and requests of a load and the median time until the app says
its first screen's data is rendered (tests/e2e/readiness.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.browser import CHROMIUM, MOBILE, TIMEZONE, launch_options  # noqa: E402
from tests.e2e.readiness import FIRST_SCREEN_JS  # noqa: E402

GOAL_SECONDS = 3.0
RUNS = 3

# DevTools' "Slow 3G" preset, as Chromium's DevTools define it today
# (devtools-frontend, front_end/core/sdk/NetworkManager.ts, Slow3GConditions;
# since 2024 the menu calls it "3G", and the old "Fast 3G" became "Slow 4G"):
#   download: 500 * 1000 / 8 * .8   (~500 kbit/s, bytes per second)
#   upload:   500 * 1000 / 8 * .8
#   latency:  slow3GTargetLatency * 5 = 400 * 5   (ms, added to every request)
SLOW_3G = {
    "offline": False,
    "latency": 400 * 5,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}

# Records the moment (ms since navigation start) the first screen is shown,
# checked on every DOM change, so the figure does not depend on polling.
# Records when the screen is in the page (in a window variable); with appReady, only
# once the JavaScript app has drawn it, not just the server-rendered shell.
FIRST_SCREEN_OBSERVER = """
(() => {
  const shown = %s;
  const check = () => {
    if (window.%s) return;
    const name = shown(%s);
    if (name) window.%s = { name, at: performance.now() };
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(workdir: Path, allowed_hosts: str = "127.0.0.1") -> tuple[subprocess.Popen, str]:
    """Migrate a new SQLite database, load the demo, collect static files, and
    start gunicorn on a free port. Returns the process and the base URL."""
    # The demo has known passwords, hence load_demo --force: the database is
    # thrown away and the server listens on loopback only.
    # Settings of our own only to keep collectstatic's output out of the repo.
    (workdir / "slow3g_settings.py").write_text(
        "from backend.config.settings import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "slow3g_settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'harbour.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "slow3g-measurement-only-" + "x" * 40,
        "ALLOWED_HOSTS": allowed_hosts,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_FORMAT": "text",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput"],
        ["load_demo", "--force"],
        ["collectstatic", "--noinput"],
    ):
        done = subprocess.run(manage + command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {command[0]} failed:\n{done.stdout}{done.stderr}")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "backend.config.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "gunicorn.log").open("w"),
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return server, base_url
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.terminate()
            sys.exit("gunicorn did not become ready:\n" + (workdir / "gunicorn.log").read_text())
        time.sleep(0.2)


def cold_load(browser, base_url: str) -> dict:
    """One load of "/" in a new context (empty cache, no cookies)."""
    context = browser.new_context(viewport=MOBILE, timezone_id=TIMEZONE, locale="en-GB")
    for variable, app_ready in (("__firstScreen", "false"), ("__appReady", "true")):
        context.add_init_script(
            FIRST_SCREEN_OBSERVER % (FIRST_SCREEN_JS, variable, app_ready, variable)
        )
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    requests: dict[str, dict] = {}

    def sent(event):
        url = event["request"]["url"].removeprefix(base_url)
        requests[event["requestId"]] = {"url": url, "bytes": 0, "encoding": ""}

    def received(event):
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        if event["requestId"] in requests:
            requests[event["requestId"]]["encoding"] = headers.get("content-encoding", "")

    def finished(event):
        if event["requestId"] in requests:
            requests[event["requestId"]]["bytes"] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    try:
        page.goto(base_url + "/", wait_until="commit", timeout=60_000)
        page.wait_for_function("() => window.__firstScreen", timeout=60_000)
        page.wait_for_function("() => window.__appReady", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        first, ready, painted = page.evaluate(
            """() => [window.__firstScreen, window.__appReady, (performance
                      .getEntriesByName("first-contentful-paint")[0] || {}).startTime]"""
        )
        return {
            "screen": first["name"],
            # Useful once it is both in the page and painted.
            "seconds": max(first["at"], painted or 0) / 1000,
            "app_ready": ready["at"] / 1000,
            "bytes": sum(r["bytes"] for r in requests.values()),
            "requests": len(requests),
            "detail": list(requests.values()),
        }
    finally:
        context.close()


def main() -> int:
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is missing: run `make browser`")
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="harbour-slow3g-"))
    server = None
    try:
        print("serving: gunicorn + whitenoise, DEBUG off, SQLite with the demo data", flush=True)
        server, base_url = serve(workdir)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options())
            loads = [cold_load(browser, base_url) for _ in range(RUNS)]
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)

    kbps = SLOW_3G["downloadThroughput"] * 8 / 1000
    print(
        f"network: DevTools Slow 3G ({SLOW_3G['latency']:.0f} ms latency, "
        f"{kbps:.0f} kbit/s down and up), cache disabled, {MOBILE['width']}x{MOBILE['height']}"
    )
    for n, load in enumerate(loads, start=1):
        print(
            f"cold load {n}: first screen {load['screen']!r} after {load['seconds']:.2f} s, "
            f"the app ready after {load['app_ready']:.2f} s; "
            f"{load['bytes']:,} bytes in {load['requests']} requests"
        )
    print("cold load 1, request by request (bytes on the wire, headers included):")
    for request in loads[0]["detail"]:
        print(f"  {request['bytes']:>8,}  {request['encoding'] or 'identity':<8}  {request['url']}")
    median = statistics.median(load["seconds"] for load in loads)
    print(f"transferred: {statistics.median(load['bytes'] for load in loads):,.0f} bytes")
    print(f"requests: {statistics.median(load['requests'] for load in loads):.0f}")
    print(f"time to first useful screen (median of {RUNS}): {median:.2f} s")
    app_ready = statistics.median(load["app_ready"] for load in loads)
    print(f"time until the app is ready to book (median of {RUNS}): {app_ready:.2f} s")
    verdict = "PASS" if median < GOAL_SECONDS else "MISS"
    print(f"goal: < {GOAL_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
