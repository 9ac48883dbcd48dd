/* The one way the app talks to the API: JSON over fetch, the session cookie,
   Django's CSRF header on writes, and errors as ApiError {status, code,
   detail, fields} (the API's stable error shape). A 503 `busy` (the server
   wrote nothing: many people are booking that session, or its row is held) is
   tried again by itself, after Retry-After, then a pause that doubles each
   time, with jitter so a crowd spreads out (docs/reliability.md). */
import { gettext, pgettext } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || (status === 0 ? "offline" : "http_error");
    this.detail = body?.detail || "";
    this.fields = body?.fields || {};
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Tries after the first 503 busy, and the longest pause between them (seconds).
const BUSY_RETRIES = 5;
const BUSY_CAP = 8;
const pause = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export async function api(path, options = {}) {
  for (let busy = 1; ; busy += 1) {
    try {
      return await once(path, options);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "busy" || busy > BUSY_RETRIES) throw error;
      const grown = Math.min(BUSY_CAP, (error.retryAfter || 1) * 2 ** (busy - 1));
      await pause(grown * (0.5 + Math.random() / 2));
    }
  }
}

async function once(path, { method = "GET", body, params, headers = {}, keepalive = false } = {}) {
  const url = new URL(path.startsWith("/") ? path : `/api/v1/${path}`, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== "" && value != null && value !== false) url.searchParams.set(key, value);
  }
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin", keepalive };
  if (method !== "GET") {
    init.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const error = new ApiError(response.status, typeof data === "object" ? data : null);
    error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw error;
  }
  return data;
}

/* Every page of a list endpoint. */
export async function apiAll(path, params = {}) {
  const results = [];
  let page = 1;
  for (;;) {
    const body = await api(path, { params: { ...params, page, page_size: 100 } });
    results.push(...body.results);
    if (!body.next) return results;
    page += 1;
  }
}

/* What to tell her about a refusal: the catalogue's words for the error code
   (msgctxt "error-code", msgid = the code) in her language, else the API's own
   detail, which is English. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (error.code === "offline") return gettext("No connection. Please try again when you are back online.");
  const translated = pgettext("error-code", error.code);
  return translated !== error.code ? translated : error.detail || gettext("Something went wrong. Please try again.");
}

/* Field messages, for forms: {field: "first message"}. */
export function fieldErrors(error) {
  const out = {};
  for (const [field, messages] of Object.entries(error?.fields || {})) out[field] = messages[0];
  return out;
}

/* What her service worker saved of an answer (frontend/sw.js keeps her
   registers, in her own cache), to draw at once on a slow connection while
   the network answers. null when there is none. */
export async function savedAnswer(path, me) {
  try {
    if (!me?.id || !("caches" in window)) return null;
    const saved = await caches.match(`/api/v1/${path}`, { cacheName: `harbour-data-${me.id}` });
    return saved ? await saved.json() : null;
  } catch {
    return null;
  }
}
