/* Register marks that survive a dropped connection. Each mark is kept on the
   phone (localStorage, ids and marks only, never names) until the API has it;
   only the latest mark per person is kept, and the API's marks are
   idempotent, so sending again after a lost reply never duplicates anything.
   Marks are sent at once when online, and again whenever the browser says the
   connection is back. */
import { api, ApiError } from "./api.js";

const KEY = "harbour.register-marks.v1";
const listeners = new Set();
const sending = new Set();

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}
function save(all) {
  localStorage.setItem(KEY, JSON.stringify(all));
  for (const listener of listeners) listener();
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
  const mine = (all[sessionId] ||= {});
  for (const { participant, mark } of marks) mine[participant] = { mark, error: null };
  save(all);
  return flush(sessionId);
}

/* Send what is waiting for one session. Resolves to the fresh register when
   the API took the marks, or null when they stay queued. */
export async function flush(sessionId) {
  if (sending.has(sessionId) || !navigator.onLine) return null;
  const sent = pending(sessionId);
  const marks = Object.entries(sent).map(([participant, { mark }]) => ({ participant, mark }));
  if (!marks.length) return null;
  sending.add(sessionId);
  try {
    const register = await api(`registers/${sessionId}/marks/`, { method: "POST", body: { marks } });
    const all = load();
    const mine = all[sessionId] || {};
    // Keep any mark changed while this request was in flight.
    for (const [participant, entry] of Object.entries(sent)) {
      if (mine[participant]?.mark === entry.mark) delete mine[participant];
    }
    if (!Object.keys(mine).length) delete all[sessionId];
    save(all);
    return register;
  } catch (error) {
    if (error instanceof ApiError && error.status !== 0) {
      // Refused (the register locked, say): keep them, visibly, so nothing is lost silently.
      const all = load();
      for (const participant of Object.keys(sent)) if (all[sessionId]?.[participant]) all[sessionId][participant].error = error.code;
      save(all);
    }
    return null;
  } finally {
    sending.delete(sessionId);
  }
}

export function discard(sessionId) {
  const all = load();
  delete all[sessionId];
  save(all);
}

export function flushAll() {
  return Promise.all(Object.keys(load()).map(flush));
}

window.addEventListener("online", flushAll);
