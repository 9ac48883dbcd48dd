"""When is a screen "shown"? One definition for the browser tests and for
scripts/measure_first_screen.py.

The contract the app follows: once a screen's data has been rendered, the app
sets data-screen="<name>" and aria-busy="false" on <main id="main">.
"""

from __future__ import annotations

# LEGACY_STATUS_FALLBACK: the timetable page from before the app screens does
# not follow the contract yet; it says it is done by changing #status away from
# "Loading…". Remove this (and the branch in FIRST_SCREEN_JS) once the app sets
# data-screen / aria-busy on <main id="main">.
LEGACY_STATUS_FALLBACK = True
LEGACY_SCREEN_NAME = "legacy-timetable"

# A JS function for page.wait_for_function / page.evaluate: the name of the
# screen that is shown, or null while it is still loading.
FIRST_SCREEN_JS = """
(legacyFallback) => {
  const main = document.querySelector("main#main");
  if (main && main.dataset.screen && main.getAttribute("aria-busy") === "false") {
    return main.dataset.screen;
  }
  if (legacyFallback) {
    const status = document.getElementById("status");
    const text = status ? status.textContent.trim() : "";
    if (text && text !== "Loading…" && !text.startsWith("Could not load")) {
      return "__LEGACY_SCREEN_NAME__";
    }
  }
  return null;
}
""".replace("__LEGACY_SCREEN_NAME__", LEGACY_SCREEN_NAME)
