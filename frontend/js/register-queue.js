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
   "harbour." key in localStorage, this queue included.

   Walk-ins wait here too, and are sent before the marks (a mark for someone
   added offline needs her on the register first). Each has an id made on the
   phone (crypto.randomUUID()) that the API records once however often it is
   sent; the server makes the person's own id and says it in its answer. Until
   then the phone knows her only by that id: her mark waits inside the walk-in,
   and goes as a mark once she is on the register. A new person's name and
   phone wait on the phone with her (they have to: nothing else can add her),
   and go as soon as she is sent, or on quick exit. */
import { api, ApiError } from "./api.js";

const PREFIX = "harbour.register-marks.v2.";
const WALK_INS = "harbour.register-walk-ins.v1.";
const added = new Map(); // walk-in id -> the person's id the server made
const listeners = new Set();
const sending = new Map(); // session -> the send on its way
const queued = new Map(); // session -> the send after it
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
function save(all, store = key()) {
  if (!owner) return;
  if (Object.keys(all).length) localStorage.setItem(store, JSON.stringify(all));
  else localStorage.removeItem(store);
  for (const listener of listeners) listener();
}

function loadWalkIns() {
  if (!owner) return {};
  try {
    return JSON.parse(localStorage.getItem(WALK_INS + owner)) || {};
  } catch {
    return {};
  }
}
const saveWalkIns = (all) => save(all, WALK_INS + owner);

const newId = () =>
  globalThis.crypto?.randomUUID?.() || "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16));

/* Walk-ins waiting for one session, oldest first: {id, participant?, known_as,
   phone, mark, error}. */
export function pendingWalkIns(sessionId) {
  return loadWalkIns()[sessionId] || [];
}

/* The person's id the server made for a walk-in sent from this page. */
export const addedAs = (walkInId) => added.get(walkInId);

/* Queue a walk-in (a known person {participant} or a new one {known_as,
   phone}) and send it. Returns {walkIn, sent} at once: the screen shows her
   straight away; `sent` resolves when this try is over, to {added, error}
   (added: the person's id the server made; both null while she waits). */
export function queueWalkIn(sessionId, person) {
  const walkIn = { id: newId(), participant: person.participant || null, known_as: person.known_as || "", phone: person.phone || "", mark: "present", error: null };
  const all = loadWalkIns();
  all[sessionId] ||= [];
  all[sessionId].push(walkIn);
  saveWalkIns(all);
  const sent = flush(sessionId).then(() => {
    const left = pendingWalkIns(sessionId).find((w) => w.id === walkIn.id);
    return { added: added.get(walkIn.id) || null, error: left?.error || null, detail: left?.detail || "" };
  });
  return { walkIn, sent };
}

/* Her mark for someone not sent yet (null: she was never here, undo). */
export function markWalkIn(sessionId, walkInId, mark) {
  const all = loadWalkIns();
  const mine = all[sessionId] || [];
  const at = mine.findIndex((w) => w.id === walkInId);
  if (at < 0) return;
  if (mark === null) mine.splice(at, 1);
  else mine[at].mark = mark;
  if (mine.length) all[sessionId] = mine;
  else delete all[sessionId];
  saveWalkIns(all);
}

/* Send the walk-ins waiting for a session, one by one, in order. Returns the
   last register the API gave back, and whether any must wait for later. */
async function sendWalkIns(sessionId) {
  let register = null;
  for (const walkIn of pendingWalkIns(sessionId).filter((w) => !w.error)) {
    const body = walkIn.participant ? { walk_in_id: walkIn.id, participant: walkIn.participant } : { walk_in_id: walkIn.id, known_as: walkIn.known_as, phone: walkIn.phone };
    let refusal = null;
    let detail = "";
    try {
      register = await api(`registers/${sessionId}/walk-ins/`, { method: "POST", body });
      added.set(walkIn.id, register.added);
    } catch (error) {
      if (temporary(error)) return { register, later: true };
      refusal = error.code;
      detail = error.detail;
    }
    const all = loadWalkIns();
    const mine = all[sessionId] || [];
    const at = mine.findIndex((w) => w.id === walkIn.id);
    if (at < 0) {
      // Undone while it was on its way: take the mark back.
      if (!refusal) queueMarksOnly(sessionId, [{ participant: register.added, mark: null }]);
      continue;
    }
    const entry = mine[at];
    if (refusal) Object.assign(entry, { error: refusal, detail });
    else {
      mine.splice(at, 1);
      if (entry.mark !== "present") queueMarksOnly(sessionId, [{ participant: register.added, mark: entry.mark }]);
    }
    if (mine.length) all[sessionId] = mine;
    else delete all[sessionId];
    saveWalkIns(all);
  }
  return { register, later: false };
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

function queueMarksOnly(sessionId, marks) {
  const all = load();
  all[sessionId] ||= {};
  const mine = all[sessionId];
  for (const { participant, mark } of marks) mine[participant] = { mark, error: null };
  save(all);
}

export function queueMarks(sessionId, marks) {
  queueMarksOnly(sessionId, marks);
  return flush(sessionId);
}

const temporary = (error) => !(error instanceof ApiError) || error.status === 0 || error.status >= 500 || [408, 429].includes(error.status);

function settle(sessionId, sent, errors, details) {
  // Drop what the API took, unless she changed it meanwhile; pin refusals.
  const all = load();
  const mine = all[sessionId] || {};
  for (const [participant, entry] of Object.entries(sent)) {
    if (mine[participant]?.mark !== entry.mark) continue;
    if (errors[participant]) Object.assign(mine[participant], { error: errors[participant], detail: details[participant] });
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
   the API took something, or null. One send at a time per session: asked
   while one is on its way, it runs once more after it (so a walk-in added
   meanwhile is sent, and whoever asked hears when). */
export function flush(sessionId) {
  if (!navigator.onLine) return Promise.resolve(null);
  const running = sending.get(sessionId);
  if (running) {
    let again = queued.get(sessionId);
    if (!again) {
      again = running.then(() => {
        queued.delete(sessionId);
        return flush(sessionId);
      });
      queued.set(sessionId, again);
    }
    return again;
  }
  const run = send(sessionId).finally(() => sending.delete(sessionId));
  sending.set(sessionId, run);
  return run;
}

async function send(sessionId) {
  const walkIns = await sendWalkIns(sessionId);
  if (walkIns.later) {
    scheduleRetry();
    return announce(sessionId, walkIns.register);
  }
  const sent = Object.fromEntries(Object.entries(pending(sessionId)).filter(([, e]) => !e.error));
  const marks = Object.entries(sent).map(([participant, { mark }]) => ({ participant, mark }));
  if (!marks.length) return announce(sessionId, walkIns.register);
  let register = walkIns.register;
  const errors = {}; // participant -> refusal code; null = try again later
  const details = {}; // participant -> the refusal in words (the server's, in her language)
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
          details[m.participant] = single.detail;
        }
      }
    }
  }
  settle(sessionId, sent, errors, details);
  if (Object.values(errors).some((e) => e === null)) scheduleRetry();
  else retryDelay = 5000;
  // Marks and walk-ins made while this was in flight go next.
  if (Object.values(pending(sessionId)).some((e) => !e.error) || pendingWalkIns(sessionId).some((w) => !w.error)) flush(sessionId);
  return announce(sessionId, register);
}

/* Tell the screens a fresh register came back (whoever sent it). */
function announce(sessionId, register) {
  if (register) for (const listener of listeners) listener(sessionId, register);
  return register;
}

/* Drop the marks the API refused (the rest keep waiting). */
export function discardRefused(sessionId) {
  const all = load();
  const mine = all[sessionId] || {};
  for (const [participant, entry] of Object.entries(mine)) if (entry.error) delete mine[participant];
  if (!Object.keys(mine).length) delete all[sessionId];
  save(all);
  const walkIns = loadWalkIns();
  const left = (walkIns[sessionId] || []).filter((w) => !w.error);
  if (left.length) walkIns[sessionId] = left;
  else delete walkIns[sessionId];
  saveWalkIns(walkIns);
}

export function flushAll() {
  const sessions = new Set([...Object.keys(load()), ...Object.keys(loadWalkIns())]);
  return Promise.all([...sessions].map(flush));
}

window.addEventListener("online", flushAll);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") flushAll();
});
