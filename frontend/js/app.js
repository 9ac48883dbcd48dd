/* Harbour's browser app: a hash router over screens that are loaded on demand
   (only the first screen's code travels on a slow connection), the signed-in
   person (GET /api/v1/me/), the menu for her roles, and the screen contract:
   while a screen loads, <main> has aria-busy="true"; when its data is shown,
   <main> gets data-screen="<name>" and aria-busy="false" (the Slow 3G script
   waits for exactly that; the server renders the timetable that way into the
   shell). <html data-app="ready"> says the app itself has drawn a screen:
   browser tests wait for both before they touch anything. */
import { api, ApiError, csrfToken, errorText } from "./api.js";
import { h, link, notice } from "./dom.js";
import { gettext } from "./i18n.js";
import { quickExit } from "./quick-exit.js";

const routes = [
  ["timetable", /^\/$/, () => import("./screens/timetable.js")],
  ["session", /^\/session\/([\w-]+)$/, () => import("./screens/session.js")],
  ["sign-in", /^\/sign-in$/, () => import("./screens/sign-in.js")],
  ["code", /^\/code\/([\w-]+)$/, () => import("./screens/sign-in.js")],
  ["bookings", /^\/bookings$/, () => import("./screens/bookings.js")],
  ["calendar", /^\/calendar$/, () => import("./screens/calendar.js")],
  ["settings", /^\/settings$/, () => import("./screens/settings.js")],
  ["spaces", /^\/spaces$/, () => import("./screens/spaces.js")],
  ["today", /^\/today$/, () => import("./screens/today.js")],
  ["register", /^\/register\/([\w-]+)$/, () => import("./screens/register.js")],
  ["coordinate", /^\/coordinate$/, () => import("./screens/coordinate.js")],
  ["line", /^\/line\/([\w-]+)$/, () => import("./screens/line.js")],
  ["figures", /^\/figures$/, () => import("./screens/figures.js")],
  ["learners", /^\/learners$/, () => import("./screens/learners.js")],
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
export const app = { me: null };

export const roles = {
  signedIn: () => Boolean(app.me),
  tutor: () => Boolean(app.me && (app.me.tutors_for.length || app.me.coordinates.length || app.me.coordinates_spaces.length)),
  coordinator: () => Boolean(app.me && (app.me.coordinates.length || app.me.coordinates_spaces.length)),
  inSpace: () => Boolean(app.me && (app.me.spaces.length || app.me.coordinates_spaces.length)),
};

export async function loadMe() {
  try {
    app.me = await api("me/");
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 403 && error.status !== 401)) throw error;
    app.me = null;
  }
  drawNav();
  return app.me;
}

function drawNav() {
  const items = [link(gettext("Timetable"), "#/", "calendar")];
  if (roles.signedIn()) {
    items.push(link(gettext("My bookings"), "#/bookings", "ticket"), link(gettext("My calendar"), "#/calendar", "list"));
  }
  if (roles.tutor()) items.push(link(gettext("Registers"), "#/today", "clipboard"));
  if (roles.coordinator()) {
    items.push(link(gettext("Coordinate"), "#/coordinate", "people"), link(gettext("Figures"), "#/figures", "chart"));
  }
  items.push(roles.signedIn() ? link(gettext("Settings"), "#/settings", "settings") : link(gettext("Sign in"), "#/sign-in", "key"));
  nav.replaceChildren(h("ul", null, items.map((item) => h("li", null, item))));
  markCurrent();
}

function markCurrent() {
  for (const a of nav.querySelectorAll("a")) {
    const here = a.getAttribute("href") === (location.hash || "#/");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

export function navigate(path) {
  location.hash = `#${path}`;
}

let generation = 0;
let firstRender = true;

async function render({ keepFocus = false } = {}) {
  const path = (location.hash.replace(/^#/, "") || "/").split("?")[0];
  if (!path.startsWith("/")) return; // an in-page anchor, not a route
  const mine = ++generation;
  const route = routes.find(([, pattern]) => pattern.test(path));
  // The shell may already show this screen, rendered by the server: keep it
  // on view (not busy) until the app's own version is ready.
  const prerendered = firstRender && route && main.dataset.screen === route[0];
  if (!prerendered) {
    main.setAttribute("aria-busy", "true");
    delete main.dataset.screen;
  }
  markCurrent();
  let name = "not-found";
  let content;
  let sensitive = roles.inSpace();
  try {
    if (!route) {
      content = h("section", null, h("h1", null, gettext("Page not found")), link(gettext("Back to the timetable"), "#/", "back"));
    } else {
      const [routeName, pattern, load] = route;
      name = routeName;
      const screen = (await load()).default;
      const result = await screen({
        params: path.match(pattern).slice(1), app, navigate, loadMe, refresh,
        query: new URLSearchParams(location.hash.split("?")[1] || ""),
      });
      content = result.node;
      sensitive = sensitive || Boolean(result.sensitive);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 403 && !app.me) {
      navigate(`/sign-in?next=${encodeURIComponent(path)}`);
      return;
    }
    console.warn(error);
    content = h("section", null, h("h1", null, gettext("Sorry")), notice(errorText(error), "error"));
    name = "error";
  }
  if (mine !== generation) return; // she moved on while this loaded
  const focused = keepFocus && document.activeElement?.getAttribute("name");
  main.replaceChildren(content);
  main.dataset.screen = name;
  main.setAttribute("aria-busy", "false");
  document.documentElement.dataset.app = "ready";
  quickExit(sensitive);
  const again = focused && main.querySelector(`[name="${focused}"]`);
  if (again) again.focus();
  else if (!firstRender && !keepFocus) (main.querySelector("h1") || main).focus();
  firstRender = false;
}

/* Screens ask the app to draw them again after a change. */
export const refresh = () => render({ keepFocus: true });

/* The language switch: a tap on the list switches at once; from the keyboard
   (where arrow keys change the value) she picks, then presses its OK button. */
const languageForm = document.getElementById("language");
let pickedWithPointer = false;
languageForm.language.addEventListener("pointerdown", () => { pickedWithPointer = true; });
languageForm.addEventListener("change", () => {
  if (pickedWithPointer) languageForm.requestSubmit();
});
languageForm.addEventListener("submit", () => {
  languageForm.elements.next.value = `/${location.hash}`;
  // Signing in since the page loaded rotated the CSRF token: send the current one.
  languageForm.elements.csrfmiddlewaretoken.value = csrfToken();
});
window.addEventListener("hashchange", () => render());

// The shell says whether a session exists, so an anonymous visitor's first
// screen costs no /me/ round trip (and no 403 in the console).
(document.body.dataset.signedIn ? loadMe().catch(() => null) : Promise.resolve(drawNav())).then(() => render());
