/* Harbour's service worker (served at /sw.js by backend/common/offline.py,
   which puts VERSION and ASSETS above this line). What it keeps, and why:

   - The app's static files (modules, CSS, icons), in a cache named after the
     release: they hold no personal data. A new release installs beside the
     old one and waits; an open tab keeps the release it started with (no
     forced reload, no module of one release importing another's), and the
     old cache goes when the new worker takes over.
   - For a signed-in tutor only (someone who takes registers), in a cache
     named after her: the shell page, /api/v1/me/ and her registers (the list
     and each register she opened, kept fresh by every mark sent), so she can
     open them with no connection. Always asked of the network first; the
     saved copy is used when the network fails, and for the shell and /me/
     also when it has not answered in 4 s (a weak signal). Nobody else's
     pages or answers are kept.
   - Her cache is deleted when /me/ says someone else (or nobody) is signed
     in, on sign-in and sign-out, and on quick exit (the page posts "forget").

   With no saved page, a navigation offline (the shell or any other page of
   the site) gets a small page of ours, never the browser's own offline page. */

const STATIC = `harbour-static-${VERSION}`;
const DATA = "harbour-data-";
const PUBLIC = "harbour-public";
const SAVED = /^\/api\/v1\/(me|registers|registers\/[\w-]+)\/$/;
const WRITES = /^\/api\/v1\/registers\/([\w-]+)\/(marks|mark-all|walk-ins|reopen)\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(ASSETS)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("harbour-static-") && key !== STATIC) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function dataCache() {
  const key = (await caches.keys()).find((k) => k.startsWith(DATA));
  return key ? caches.open(key) : null;
}

async function forget(keep = "") {
  for (const key of await caches.keys()) {
    if ((key.startsWith(DATA) && key !== keep) || key === PUBLIC) await caches.delete(key);
  }
}

const takesRegisters = (me) => Boolean(me && (me.tutors_for?.length || me.coordinates?.length || me.coordinates_spaces?.length));

/* /me/ says who is signed in: only a tutor gets a cache, and only hers is kept. */
async function learnWho(response) {
  if (response.status === 401 || response.status === 403) return forget();
  if (!response.ok) return;
  const me = await response
    .clone()
    .json()
    .catch(() => null);
  if (!takesRegisters(me)) return forget();
  const key = DATA + me.id;
  await forget(key);
  const cache = await caches.open(key);
  await cache.put("/api/v1/me/", response.clone());
}

function savedCopy(response) {
  const headers = new Headers(response.headers);
  headers.set("X-Harbour-Saved", "1");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/* A weak signal that neither answers nor fails: after PATIENCE_MS, her saved
   copy if there is one; the network's answer, when it comes, still refreshes
   what is saved. For the shell and /me/, which every start of the app waits
   for (a register and her list are drawn from what is saved by the page
   itself, and want the network's answer). */
const PATIENCE_MS = 4000;
async function patiently(event, network, saved) {
  if (!saved) return network;
  event.waitUntil(network.catch(() => {}));
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, PATIENCE_MS, null);
  });
  const first = await Promise.race([network.catch(() => null), late]);
  clearTimeout(timer);
  return first || saved;
}

async function networkFirst(event, request, path) {
  const network = fetch(request).then(async (response) => {
    if (path === "/api/v1/me/") await learnWho(response);
    else if (response.ok) {
      const cache = await dataCache();
      if (cache) await cache.put(path, response.clone());
    }
    return response;
  });
  const cache = await dataCache();
  const saved = cache && (await cache.match(path));
  if (path === "/api/v1/me/") return patiently(event, network, saved && savedCopy(saved));
  try {
    return await network;
  } catch (error) {
    if (saved) return savedCopy(saved);
    throw error;
  }
}

const OFFLINE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Harbour</title></head>
<body style="font-family:system-ui,sans-serif;padding:1rem"><h1>Harbour</h1><p>No connection. Please try again when you are back online.</p>
<p dir="rtl" lang="ar">لا يوجد اتصال. يرجى المحاولة مرة أخرى عند عودة الاتصال.</p><p dir="rtl" lang="fa">اتصال برقرار نیست. وقتی دوباره آنلاین شدید، دوباره امتحان کنید.</p>
<p><a href="/">Try again</a></p></body></html>`;

const offlinePage = () => new Response(OFFLINE_PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });

async function shell(event, request) {
  const network = fetch(request).then(async (response) => {
    if (response.ok) {
      const text = await response.clone().text();
      // Her own shell goes in her cache; an anonymous one (the public timetable) may be kept.
      const cache = text.includes('data-signed-in="1"') ? await dataCache() : await caches.open(PUBLIC);
      if (cache) await cache.put("/", response.clone());
    }
    return response;
  });
  const cache = await dataCache();
  const saved = (cache && (await cache.match("/"))) || (await caches.match("/", { cacheName: PUBLIC }));
  try {
    return await patiently(event, network, saved);
  } catch {
    return offlinePage();
  }
}

async function fromStatic(request) {
  const cache = await caches.open(STATIC);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function write(request, path) {
  if (/^\/api\/v1\/auth\/sign-(in|in-code|out)\/$/.test(path)) await forget();
  const response = await fetch(request);
  const register = path.match(WRITES);
  if (register && response.ok && register[2] !== "reopen") {
    const cache = await dataCache();
    // The answer is the whole register: keep it as the register's saved copy.
    if (cache) await cache.put(`/api/v1/registers/${register[1]}/`, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  const path = url.pathname;
  if (request.method === "POST" && path.startsWith("/api/v1/")) {
    event.respondWith(write(request, path));
  } else if (request.method !== "GET") {
    return;
  } else if (path === "/") {
    if (request.mode === "navigate" || request.headers.get("Accept")?.includes("text/html")) event.respondWith(shell(event, request));
  } else if (request.mode === "navigate") {
    // Any other page she opens (the register's CSV, the API docs): ours when offline.
    event.respondWith(fetch(request).catch(offlinePage));
  } else if (path.startsWith("/static/")) {
    event.respondWith(fromStatic(request));
  } else if (SAVED.test(path) && !url.search) {
    event.respondWith(networkFirst(event, request, path));
  } else if (path === "/jsi18n/") {
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) await (await caches.open(STATIC)).put(path, response.clone());
          return response;
        })
        .catch(async () => (await caches.match(path, { cacheName: STATIC })) || Response.error()),
    );
  }
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "forget") event.waitUntil(forget());
});
