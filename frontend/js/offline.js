/* The tutor's day offline (see frontend/sw.js and docs/registers.md): the
   app registers its service worker once a screen is drawn, and for someone
   who takes registers, fills the worker's cache with what she would open
   offline: the shell, her registers list and each of those registers.
   <html data-offline="ready"> says that is done (the browser tests wait for it). */
import { api } from "./api.js";

let warming = null;

async function warm(takesRegisters) {
  if (!takesRegisters() || !navigator.onLine) return;
  await api("me/"); // first: it tells the worker whose cache this is
  await fetch("/", { headers: { Accept: "text/html" }, credentials: "same-origin" });
  const items = await api("registers/");
  await Promise.all(items.map((i) => api(`registers/${i.session.id}/`)));
  document.documentElement.dataset.offline = "ready";
}

/* takesRegisters: () => boolean, asked again whenever the signed-in person changes. */
export function startOffline(takesRegisters) {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  const sw = navigator.serviceWorker;
  const run = () => {
    if (!warming)
      warming = warm(takesRegisters)
        .catch(() => {})
        .finally(() => {
          warming = null;
        });
  };
  if (sw.controller) run();
  else sw.addEventListener("controllerchange", run, { once: true });
  document.addEventListener("harbour:person", () => {
    if (sw.controller) run();
  });
  sw.register("/sw.js").catch(() => {});
}
