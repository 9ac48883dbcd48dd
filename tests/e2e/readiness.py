"""When is a screen "shown"? One definition for the browser tests and for
scripts/measure_first_screen.py.

The contract (frontend/js/app.js): once a screen's data has been rendered,
<main id="main"> has data-screen="<name>" and aria-busy="false". The server
renders the timetable into the shell that way, so a slow phone shows a useful
screen before any JavaScript arrives; <html data-app="ready"> then says the
app itself has drawn a screen, which is what tests wait for before they
touch anything.
"""

from __future__ import annotations

# A JS function for page.wait_for_function / page.evaluate: the name of the
# screen that is shown, or null while it is still loading. With appReady, only
# once the app (not just the server-rendered shell) has drawn it.
FIRST_SCREEN_JS = """
(appReady) => {
  if (appReady && document.documentElement.dataset.app !== "ready") return null;
  const main = document.querySelector("main#main");
  if (main && main.dataset.screen && main.getAttribute("aria-busy") === "false") {
    return main.dataset.screen;
  }
  return null;
}
"""
