/* Register marks that survive a dropped connection. Each mark is kept on the
   phone (localStorage: session and person ids and the mark, never names), per
   signed-in person, until the API has it; only the latest mark per person is
   kept, and the API's marks are idempotent, so sending again after a lost
   reply never duplicates anything. A mark of null takes hers back (undo).

   Marks are sent at once; while any wait, they are sent again when the
   browser says the connection is back, when the app comes to the front, and
   on a backoff timer (a weak signal often still says "online"). A refusal
   (4xx) is pinned to the person it concerns, by sending one mark at a time,
   so one person who left the register never holds back the others; only those
   refused marks wait for the tutor's "Discard". Quick exit clears every
   "harbour." key in localStorage, this queue included. */
import { api, ApiError } from "./api.js";

const PREFIX = "harbour.register-marks.v2.";
const listeners = new Set();
const sending = new Set();
let owner = "";
let retryTimer = null;
let retryDelay = 5000;

const key = () => PREFIX + owner;

function load() {
  if (!owner) return {};
  try {
    return JSON.parse(localStorage.getItem(key())) || {};
  } catch {
    return {};
  }
}
function save(all) {
  if (!owner) return;
  if (Object.keys(all).length) localStorage.setItem(key(), JSON.stringify(all));
  else localStorage.removeItem(key());
  for (const listener of listeners) listener();
}

/* Whose marks these are: the app calls this with her user id (or "" when
   nobody is signed in), so one person's marks are never sent as another's. */
export function setOwner(userId) {
  owner = userId || "";
  if (owner) flushAll();
}

export function pending(sessionId) {
  return load()[sessionId] || {};
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function queueMarks(sessionId, marks) {
  const all = load();
  all[sessionId] ||= {};
  const mine = all[sessionId];
  for (const { participant, mark } of marks) mine[participant] = { mark, error: null };
  save(all);
  return flush(sessionId);
}

const temporary = (error) =>
  !(error instanceof ApiError) || error.status === 0 || error.status >= 500 || [408, 429].includes(error.status);

function settle(sessionId, sent, errors) {
  // Drop what the API took, unless she changed it meanwhile; pin refusals.
  const all = load();
  const mine = all[sessionId] || {};
  for (const [participant, entry] of Object.entries(sent)) {
    if (mine[participant]?.mark !== entry.mark) continue;
    if (errors[participant]) mine[participant].error = errors[participant];
    else if (!(participant in errors)) delete mine[participant];
  }
  if (Object.keys(mine).length) all[sessionId] = mine;
  else delete all[sessionId];
  save(all);
}

function scheduleRetry() {
  if (retryTimer) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    retryDelay = Math.min(retryDelay * 2, 60000);
    flushAll();
  }, retryDelay);
}

/* Send what is waiting for one session. Resolves to the fresh register when
   the API took marks, or null. */
export async function flush(sessionId) {
  if (sending.has(sessionId) || !navigator.onLine) return null;
  const sent = Object.fromEntries(Object.entries(pending(sessionId)).filter(([, e]) => !e.error));
  const marks = Object.entries(sent).map(([participant, { mark }]) => ({ participant, mark }));
  if (!marks.length) return null;
  sending.add(sessionId);
  let register = null;
  const errors = {}; // participant -> refusal code; null = try again later
  try {
    register = await api(`registers/${sessionId}/marks/`, { method: "POST", body: { marks } });
  } catch (error) {
    if (temporary(error)) {
      for (const m of marks) errors[m.participant] = null;
    } else {
      // Refused: find whose mark it is, one at a time.
      for (const m of marks) {
        try {
          register = await api(`registers/${sessionId}/marks/`, { method: "POST", body: { marks: [m] } });
        } catch (single) {
          errors[m.participant] = temporary(single) ? null : single.code;
        }
      }
    }
  } finally {
    sending.delete(sessionId);
  }
  settle(sessionId, sent, errors);
  if (Object.values(errors).some((e) => e === null)) scheduleRetry();
  else retryDelay = 5000;
  // Marks made while this was in flight go now.
  if (Object.values(pending(sessionId)).some((e) => !e.error)) flush(sessionId);
  return register;
}

/* Drop the marks the API refused (the rest keep waiting). */
export function discardRefused(sessionId) {
  const all = load();
  const mine = all[sessionId] || {};
  for (const [participant, entry] of Object.entries(mine)) if (entry.error) delete mine[participant];
  if (!Object.keys(mine).length) delete all[sessionId];
  save(all);
}

export function flushAll() {
  return Promise.all(Object.keys(load()).map(flush));
}

window.addEventListener("online", flushAll);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") flushAll();
});
