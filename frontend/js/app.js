/* Harbour's browser app: a hash router over screens that are loaded on demand
   (only the first screen's code travels on a slow connection), the signed-in
   person (GET /api/v1/me/), the menu for her roles, and the screen contract:
   while a screen loads, <main> has aria-busy="true"; when its data is shown,
   <main> gets data-screen="<name>" and aria-busy="false" (the Slow 3G script
   waits for exactly that; the server renders the timetable that way into the
   shell). <html data-app="ready"> says the app itself has drawn a screen:
   browser tests wait for both before they touch anything. */
import { api, ApiError, csrfToken, errorText } from "./api.js";
import { h, heading, link, notice } from "./dom.js";
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
  ["space", /^\/space\/([\w-]+)$/, () => import("./screens/space.js")],
  ["queue", /^\/queue\/([\w-]+)$/, () => import("./screens/queue.js")],
  ["course", /^\/course\/([\w-]+)$/, () => import("./screens/course.js")],
  ["class-list", /^\/class-list\/([\w-]+)$/, () => import("./screens/class-list.js")],
  ["figures", /^\/figures$/, () => import("./screens/figures.js")],
  ["learners", /^\/learners$/, () => import("./screens/learners.js")],
  ["activities", /^\/activities$/, () => import("./screens/activities.js")],
  ["activity-form", /^\/activity\/new$/, () => import("./screens/activity-form.js")],
  ["activity-form", /^\/activity\/([\w-]+)$/, () => import("./screens/activity-form.js")],
  ["closures", /^\/closures$/, () => import("./screens/closures.js")],
  ["venues", /^\/venues$/, () => import("./screens/venues.js")],
  ["reply", /^\/reply\/([\w.-]+)$/, () => import("./screens/reply.js")],
  ["progress", /^\/progress$/, () => import("./screens/progress.js")],
  ["fair-list", /^\/fair\/([\w-]+)$/, () => import("./screens/fair-list.js")],
  ["learner-progress", /^\/learner-progress$/, () => import("./screens/learner-progress.js")],
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
  const before = app.me?.id;
  try {
    app.me = await api("me/");
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 403 && error.status !== 401)) throw error;
    app.me = null;
  }
  if (app.me?.id !== before) document.dispatchEvent(new CustomEvent("harbour:person"));
  drawNav();
  // Register marks queued on this phone are hers only (register-queue.js).
  if (app.me || localStorageHasMarks()) {
    import("./register-queue.js").then((queue) => queue.setOwner(app.me?.id));
  }
  return app.me;
}

function localStorageHasMarks() {
  try {
    return Object.keys(localStorage).some((k) => k.startsWith("harbour.register-marks."));
  } catch {
    return false;
  }
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
  nav.replaceChildren(
    h(
      "ul",
      null,
      items.map((item) => h("li", null, item)),
    ),
  );
  markCurrent();
}

function markCurrent() {
  for (const a of nav.querySelectorAll("a")) {
    const here = a.getAttribute("href") === (location.hash || "#/");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

/* Someone who may see a women-only space gets no history entries from the app:
   every move replaces the current one, so after a quick exit Back cannot
   return to what she was reading. */
const noTrace = () => roles.inSpace();

export function navigate(path) {
  if (noTrace()) location.replace(`#${path}`);
  else location.hash = `#${path}`;
}

document.addEventListener("click", (event) => {
  const a = event.target.closest?.('a[href^="#/"]');
  if (!a || !noTrace() || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  location.replace(a.getAttribute("href"));
});

let generation = 0;
let firstRender = true;
// Where she was in each screen (window.scrollY by route path), for Back.
const scrolled = new Map();
let lastPath = null;

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
      content = h("section", null, heading(gettext("Page not found")), link(gettext("Back to the timetable"), "#/", "back"));
    } else {
      const [routeName, pattern, load] = route;
      name = routeName;
      const screen = (await load()).default;
      const result = await screen({
        params: path.match(pattern).slice(1),
        app,
        navigate,
        loadMe,
        refresh,
        query: new URLSearchParams(location.hash.split("?")[1] || ""),
      });
      content = result.node;
      sensitive = sensitive || Boolean(result.sensitive);
    }
  } catch (error) {
    if (mine !== generation) return; // an answer for a screen she has left
    if (error instanceof ApiError && error.status === 403 && !app.me) {
      navigate(`/sign-in?next=${encodeURIComponent(path)}`);
      return;
    }
    if (!(error instanceof ApiError) && navigator.onLine && !navigator.serviceWorker?.controller && !sessionStorage.getItem("harbour.reloaded")) {
      // A screen's code failed to load: after an upgrade, an open tab can hold
      // last release's modules. Start afresh, once. (Not offline: that would
      // land in the browser's offline page; and not under the service worker,
      // which keeps each tab on the release it started with.)
      sessionStorage.setItem("harbour.reloaded", "1");
      location.reload();
      return;
    }
    console.warn(error);
    if (prerendered) {
      // Keep the readable timetable the server sent; say what went wrong above it.
      main.prepend(notice(errorText(error), "error"));
      document.documentElement.dataset.app = "ready";
      firstRender = false;
      return;
    }
    content = h("section", null, heading(gettext("Sorry")), notice(errorText(error), "error"));
    name = "error";
  }
  if (mine !== generation) return; // she moved on while this loaded
  sessionStorage.removeItem("harbour.reloaded");
  const focused = keepFocus && document.activeElement?.getAttribute("name");
  if (lastPath && lastPath !== path) scrolled.set(lastPath, window.scrollY);
  main.replaceChildren(content);
  main.dataset.screen = name;
  main.setAttribute("aria-busy", "false");
  document.documentElement.dataset.app = "ready";
  quickExit(sensitive);
  const again = focused && main.querySelector(`[name="${focused}"]`);
  // Back to a list she left: the same place in it, not the top (nor the menu).
  const back = !keepFocus && lastPath !== path && scrolled.get(path);
  if (again) again.focus();
  else if (back) {
    window.scrollTo(0, back);
    main.querySelector("h1")?.focus({ preventScroll: true });
  } else if (!firstRender && !keepFocus) (main.querySelector("h1") || main).focus();
  lastPath = path;
  if (firstRender) import("./offline.js").then((offline) => offline.startOffline(roles.tutor)).catch(() => {});
  firstRender = false;
}

/* Screens ask the app to draw them again after a change. */
export const refresh = () => render({ keepFocus: true });

/* The language switch: a tap on the list switches at once; from the keyboard
   (where arrow keys change the value) she picks, then presses its OK button. */
const languageForm = document.getElementById("language");
let pickedWithPointer = false;
languageForm.language.addEventListener("pointerdown", () => {
  pickedWithPointer = true;
});
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
(document.body.dataset.signedIn ? loadMe().catch(() => drawNav()) : Promise.resolve(drawNav())).then(() => render());
