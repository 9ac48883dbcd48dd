"""How Chromium is launched, for tests/e2e and scripts/measure_first_screen.py."""

from __future__ import annotations

# Debian's package, installed by scripts/install-browser.sh (`make browser`).
CHROMIUM = "/usr/bin/chromium"
# Exactly these. Playwright adds --headless, --no-sandbox and the
# --disable-*/--no-first-run ones itself as well; repeating them is harmless
# (the same switch twice), and none of its own defaults contradicts them
# (test_harness.py checks the real command line).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MOBILE = {"width": 360, "height": 740}  # mobile first: a cheap Android phone
TIMEZONE = "Europe/London"


def launch_options() -> dict:
    """Keyword arguments for playwright's chromium.launch()."""
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
