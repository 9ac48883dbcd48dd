/* Quick exit for women-only pages: one tap (or Esc twice) leaves Harbour for
   a neutral page, replacing the current history entry; for anyone who may see
   a women-only space the app never adds entries of its own (app.js), so Back
   does not return to what she was reading, and document.title is always just
   "Harbour". The shell renders a plain link in the same place before this
   script arrives. Her session is also ended (she signs in
   again later), because a shared phone left on a signed-in Harbour would show
   her bookings. The neutral page is configurable (HARBOUR_QUICK_EXIT_URL,
   rendered into data-exit-url on the button's slot). Registers saved on the
   phone for offline use go too. */
import { api } from "./api.js";
import { button } from "./dom.js";
import { gettext } from "./i18n.js";

const slot = document.getElementById("quick-exit");
let armed = false;
let lastEscape = 0;

export function leave() {
  document.getElementById("main").replaceChildren();
  document.getElementById("nav").replaceChildren();
  api("auth/sign-out/", { method: "POST", keepalive: true }).catch(() => {});
  try {
    sessionStorage.clear();
    // Everything Harbour keeps on the phone starts with "harbour." (unsent register marks too).
    for (const k of Object.keys(localStorage)) if (k.startsWith("harbour.")) localStorage.removeItem(k);
  } catch {
    /* storage may be disabled */
  }
  // Her registers saved for offline use (frontend/sw.js): the worker deletes
  // them when told (it carries on after this page has gone), and the page
  // starts the same deletion itself in case no worker is running.
  navigator.serviceWorker?.controller?.postMessage({ type: "forget" });
  globalThis.caches
    ?.keys()
    .then((keys) =>
      keys
        .filter((k) => k.startsWith("harbour-data-") || k === "harbour-public")
        .forEach((k) => {
          caches.delete(k);
        }),
    )
    .catch(() => {});
  // While she may see a women-only space the app moves between screens with
  // location.replace (app.js), so this one history entry is all there is.
  location.replace(slot.dataset.exitUrl || "about:blank");
}

document.addEventListener("keydown", (event) => {
  if (!armed || event.key !== "Escape") return;
  const now = Date.now();
  if (now - lastEscape < 1000) leave();
  lastEscape = now;
});

/* Show or hide the button; the app calls this on every screen. */
export function quickExit(on) {
  armed = on;
  if (!on) {
    slot.replaceChildren();
    return;
  }
  if (slot.querySelector("button")) return;
  slot.replaceChildren(
    button(gettext("Quick exit"), "exit", {
      class: "quick-exit",
      onclick: leave,
      title: gettext("Leave this page now (or press Esc twice)"),
    }),
  );
}
