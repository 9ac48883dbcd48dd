/* Taking a register on a phone, for a class of 8 or a drop-in of 120: one
   compact line per person; one box at the top that finds a name on the list
   as she types (match.js) and, for someone not on it, finds or adds her as a
   walk-in; sections for who is booked, who came, and the regulars who came
   in the last four weeks without booking (one tap: here). Every mark can be
   undone for a few seconds, "everyone else present" for longer. Marks and
   walk-ins keep working offline (register-queue.js): someone added offline
   shows at once, marked "not sent yet", under an id made on the phone; only
   finding people not on this register needs a connection. Before the
   register opens (shortly before the start) it is read-only and says when it
   opens. */
import { ApiError, api, errorText, savedAnswer } from "../api.js";
import { ask, button, h, heading, icon, link, notice, say } from "../dom.js";
import { fmt, format, gettext, MARKS, ngettext } from "../i18n.js";
import { matcher } from "../match.js";
import { addedAs, discardRefused, flush, markWalkIn, onChange, pending, pendingWalkIns, queueMarks, queueWalkIn } from "../register-queue.js";
import { BOOKING } from "../statuses.js";

const CHOICES = ["present", "late", "absent"];
const CAME = ["present", "late"];
const UNDO_MS = 6000;
const UNDO_ALL_MS = 30000;
const WAITING = "walk-in:"; // the row id of someone added here and not sent yet
// Why the server refused something the queue sent: {error: code, detail: its words}.
const why = (refused) => errorText(new ApiError(409, { code: refused.error, detail: refused.detail }));

export default async function registerScreen({ params: [id], app, refresh }) {
  const network = api(`registers/${id}/`);
  network.catch(() => {}); // with a saved copy, a failed network is no error
  const saved = await savedAnswer(`registers/${id}/`, app.me);
  let register = saved || (await network);
  const writable = register.open;
  const status = h("p", { class: "sync", role: "status" });
  const result = h("div", { class: "result", "aria-live": "polite" });
  const counts = h("p", { class: "counts" });
  const lists = h("div", { class: "register-lists" });
  const added = h("div", { class: "just-added" });
  const undoBar = h("div", { class: "undo-bar", role: "status", "aria-live": "polite" });
  const fresh = []; // people added here, kept in view under the search box
  let undoTimer;

  function markOf(row, marks = pending(id)) {
    if (row.waiting) return row.mark;
    const waiting = marks[row.participant.id];
    return waiting ? waiting.mark : row.mark;
  }

  /* The register's rows, and after them the walk-ins not sent yet. */
  function allRows() {
    const waiting = pendingWalkIns(id).map((w) => {
      const regular = w.participant && register.regulars.find((g) => g.participant.id === w.participant);
      const person = regular ? regular.participant : { id: "", known_as: w.known_as, phone: w.phone, languages: [] };
      return { participant: { ...person, id: WAITING + w.id }, booking_status: null, places: 1, mark: w.mark, walk_in: true, over_capacity: false, first_visit: false, waiting: w };
    });
    return [...register.rows, ...waiting];
  }

  /* Plainly what waits on this phone: how many marks, and who is to be added. */
  function drawStatus() {
    const waiting = Object.values(pending(id));
    const walkIns = pendingWalkIns(id);
    const refused = waiting.filter((w) => w.error);
    const refusedWalkIns = walkIns.filter((w) => w.error);
    const marksWaiting = waiting.length - refused.length;
    const walkInsWaiting = walkIns.length - refusedWalkIns.length;
    const names = (list) => list.map((w) => w.known_as || register.regulars.find((g) => g.participant.id === w.participant)?.participant.known_as || "").join(", ");
    const parts = [];
    if (refused.length)
      parts.push(
        format(ngettext("%(n)s mark was not saved: %(reason)s", "%(n)s marks were not saved: %(reason)s", refused.length), {
          n: fmt.number(refused.length),
          reason: why(refused[0]),
        }),
      );
    if (refusedWalkIns.length)
      parts.push(
        format(ngettext("%(n)s walk-in was not saved (%(names)s): %(reason)s", "%(n)s walk-ins were not saved (%(names)s): %(reason)s", refusedWalkIns.length), {
          n: fmt.number(refusedWalkIns.length),
          names: names(refusedWalkIns),
          reason: why(refusedWalkIns[0]),
        }),
      );
    if (marksWaiting)
      parts.push(
        format(
          ngettext("%(n)s mark waiting to be sent. It will be sent when the connection returns.", "%(n)s marks waiting to be sent. They will be sent when the connection returns.", marksWaiting),
          { n: fmt.number(marksWaiting) },
        ),
      );
    if (walkInsWaiting)
      parts.push(
        format(
          ngettext(
            "%(n)s walk-in waiting to be sent (%(names)s). It will be sent when the connection returns.",
            "%(n)s walk-ins waiting to be sent (%(names)s). They will be sent when the connection returns.",
            walkInsWaiting,
          ),
          { n: fmt.number(walkInsWaiting), names: names(walkIns.filter((w) => !w.error)) },
        ),
      );
    const bad = refused.length || refusedWalkIns.length;
    const className = `sync ${bad ? "error" : parts.length ? "waiting" : "saved"}`;
    const text = parts.join(" ");
    if (status.className === className && status.dataset.said === text) return;
    status.className = className;
    status.dataset.said = text;
    status.replaceChildren(
      icon(bad ? "cross" : parts.length ? "offline" : "check"),
      parts.length ? parts.join(" ") : gettext("All marks saved."),
      bad
        ? button(gettext("Discard them"), "cross", {
            class: "secondary",
            onclick: () => {
              discardRefused(id);
              draw();
            },
          })
        : "",
    );
  }

  function personLine(person, extra) {
    return h("span", { class: "who" }, h("span", { class: "name" }, person.known_as), extra);
  }

  /* One row, cloned from a template (120 rows built element by element, each
     radio with its own listener, cost a cheap phone a quarter of a second);
     the marks are heard once, on the lists (onMarkChange). */
  const template = h(
    "li",
    { class: "row" },
    h("span", { class: "who" }, h("span", { class: "name" })),
    h(
      "span",
      { class: "marks", role: "radiogroup" },
      CHOICES.map((mark) => h("label", { class: `mark ${mark}` }, h("input", { type: "radio", value: mark, disabled: !writable }), h("span", null, MARKS[mark]))),
    ),
  );
  function rowItem(row, current) {
    const pid = row.participant.id;
    const el = template.cloneNode(true);
    el.className = `row${current ? ` ${current}` : ""}`;
    el.dataset.participant = pid;
    const [who, marks] = el.children;
    who.id = `mark-${pid}-label`;
    who.firstChild.textContent = row.participant.known_as;
    who.append(
      ...[
        // One badge of the two: a first visit is nearly always a walk-in.
        // Someone added here and not sent yet says so instead.
        row.waiting
          ? h("span", { class: "badge warn" }, gettext("Not sent yet"))
          : row.first_visit
            ? h("span", { class: "badge new" }, gettext("First visit"))
            : row.walk_in && h("span", { class: "badge" }, gettext("Walk-in")),
        row.over_capacity && h("span", { class: "badge warn" }, gettext("Over capacity")),
        row.booking_status === BOOKING.WAITING && h("span", { class: "badge" }, gettext("Waiting list")),
      ].filter(Boolean),
    );
    marks.setAttribute("aria-labelledby", who.id);
    for (const input of marks.getElementsByTagName("input")) {
      input.name = `mark-${pid}`;
      input.checked = input.value === current;
    }
    return el;
  }
  let shownRows = new Map(); // row id -> row, as last drawn
  function onMarkChange(event) {
    const input = event.target;
    const row = input.name?.startsWith("mark-") && shownRows.get(input.closest("li")?.dataset.participant);
    if (row) setMarks([{ participant: row.participant.id, mark: input.value }], row);
  }

  function regularItem(regular) {
    const person = regular.participant;
    return h(
      "li",
      { class: "row regular", dataset: { participant: person.id } },
      personLine(person, h("span", { class: "hint" }, format(gettext("Last came %(day)s"), { day: fmt.short(regular.last_visit) }))),
      writable &&
        button(gettext("Here"), "check", {
          class: "here",
          "aria-label": format(gettext("%(name)s is here"), { name: person.known_as }),
          onclick: () => addWalkIn({ participant: person.id }, person.known_as),
        }),
    );
  }

  /* Redrawing: every row and section is built once and kept (by person), and
     a change touches only what changed: a mark sets the row's class and its
     radio, and moves that row from Booked to Came; the counts are text. (On a
     cheap phone, building 120 rows again on every tap took a second.) */
  const rowEls = new Map(); // row id -> {look, el}: look = what the row shows, its mark aside
  const regularEls = new Map();
  const sections = {};
  function part(key, title) {
    const count = h("span", { class: "count" });
    const list = h("ul", { class: "register" });
    sections[key] = { count, list, node: h("section", { class: `register-part ${key}`, hidden: true }, h("h2", null, title, " ", count), list) };
    return sections[key].node;
  }
  const nobody = notice(gettext("Nobody on this register has that name."));
  nobody.hidden = true;
  const addedList = h("ul", { class: "register" });
  const addedHead = h("h2", null, gettext("Just added"));
  added.append(addedHead, addedList);
  added.addEventListener("change", onMarkChange);
  lists.addEventListener("change", onMarkChange);
  lists.append(part("booked", gettext("Booked")), part("came", gettext("Came")), part("regulars", gettext("Regulars, not booked")), nobody);

  function rowEl(row, current) {
    const look = [row.participant.known_as, Boolean(row.waiting), row.first_visit, row.walk_in, row.over_capacity, row.booking_status].join("|");
    const had = rowEls.get(row.participant.id);
    if (had && had.look === look) {
      if (had.mark !== current) {
        had.mark = current;
        had.el.className = `row${current ? ` ${current}` : ""}`;
        for (const input of had.el.getElementsByTagName("input")) input.checked = input.value === current;
      }
      return had.el;
    }
    const el = rowItem(row, current);
    rowEls.set(row.participant.id, { look, mark: current, el });
    return el;
  }
  function regularEl(regular) {
    const look = `${regular.participant.known_as}|${regular.last_visit}`;
    const had = regularEls.get(regular.participant.id);
    if (had && had.look === look) return had.el;
    const el = regularItem(regular);
    regularEls.set(regular.participant.id, { look, el });
    return el;
  }

  /* Puts exactly `els` in `list`, in order, moving only what is out of place
     (moveBefore keeps a focused radio focused). Returns what to take out,
     once every list is placed: a row leaving one list for another is moved,
     never taken out and put back. */
  function place(list, els) {
    const want = new Set(els);
    let at = list.firstChild;
    for (const el of els) {
      while (at && !want.has(at)) at = at.nextSibling;
      if (el === at) at = at.nextSibling;
      else if (list.moveBefore && el.isConnected && list.isConnected) list.moveBefore(el, at);
      else list.insertBefore(el, at);
    }
    return () => {
      for (const child of [...list.children]) if (!want.has(child)) child.remove();
    };
  }

  function show(key, els) {
    sections[key].node.hidden = !els.length;
    sections[key].count.textContent = fmt.number(els.length);
    return place(sections[key].list, els);
  }

  function draw() {
    const focused = document.activeElement?.name?.startsWith("mark-") && document.activeElement;
    const marks = pending(id);
    const every = allRows();
    const current = new Map(every.map((r) => [r.participant.id, markOf(r, marks)]));
    const came = (r) => CAME.includes(current.get(r.participant.id));
    const present = every.filter(came).length;
    counts.textContent = format(gettext("%(present)s here of %(total)s on the list"), { present: fmt.number(present), total: fmt.number(every.length) });
    const typed = search.value.trim();
    const matches = matcher(search.value);
    const shown = (p) => matches(p.known_as, p.phone);
    // Someone added offline and sent since is known by the id the server made.
    fresh.forEach((pid, n) => {
      if (pid.startsWith(WAITING) && addedAs(pid.slice(WAITING.length))) fresh[n] = addedAs(pid.slice(WAITING.length));
    });
    const freshIds = new Set(fresh);
    const rows = typed ? every.filter((r) => shown(r.participant)) : every;
    const byId = new Map(every.map((r) => [r.participant.id, r]));
    shownRows = byId;
    const el = (r) => rowEl(r, current.get(r.participant.id));
    const justAdded = typed ? [] : fresh.map((pid) => byId.get(pid)).filter(Boolean);
    addedHead.hidden = !justAdded.length;
    const rest = typed ? rows : rows.filter((r) => !freshIds.has(r.participant.id));
    const listed = new Set([...register.rows.map((r) => r.participant.id), ...pendingWalkIns(id).map((w) => w.participant)]);
    const regulars = register.regulars.filter((g) => !listed.has(g.participant.id) && shown(g.participant));
    const takeOut = [place(addedList, justAdded.map(el)), show("booked", rest.filter((r) => !came(r)).map(el)), show("came", rest.filter(came).map(el)), show("regulars", regulars.map(regularEl))];
    for (const done of takeOut) done();
    nobody.hidden = !(typed && !rows.length && !regulars.length);
    // A row drawn anew (her name or badge changed) takes the focus back.
    if (focused && !focused.isConnected) lists.parentNode?.querySelector(`input[name="${focused.name}"][value="${focused.value}"]`)?.focus({ preventScroll: true });
    drawStatus();
  }

  function offerUndo(text, undo, ms) {
    clearTimeout(undoTimer);
    undoBar.replaceChildren(
      h("span", null, text),
      button(gettext("Undo"), "back", {
        class: "secondary",
        onclick: () => {
          hideUndo();
          undo();
        },
      }),
    );
    undoBar.classList.add("shown");
    undoTimer = setTimeout(hideUndo, ms);
  }
  function hideUndo() {
    clearTimeout(undoTimer);
    undoBar.classList.remove("shown");
    undoBar.replaceChildren();
  }

  /* Marks go to the queue (sent at once, or when the connection returns).
     Returns the marks as they were, for undo. */
  function setMarks(asked, row, { quiet = false } = {}) {
    const real = (pid) => (pid.startsWith(WAITING) && addedAs(pid.slice(WAITING.length))) || pid;
    const marks = asked.map((m) => ({ ...m, participant: real(m.participant) }));
    const waitingMarks = pending(id);
    const rowOf = new Map(allRows().map((r) => [r.participant.id, r]));
    const before = marks.map((m) => ({ participant: m.participant, mark: rowOf.has(m.participant) ? (markOf(rowOf.get(m.participant), waitingMarks) ?? null) : null }));
    // Someone not sent yet keeps her mark with her walk-in (the server has no id for her yet).
    const waiting = marks.filter((m) => m.participant.startsWith(WAITING));
    for (const m of waiting) markWalkIn(id, m.participant.slice(WAITING.length), m.mark);
    const sent = marks.filter((m) => !m.participant.startsWith(WAITING));
    if (sent.length) queueMarks(id, sent);
    draw();
    if (!quiet && row) {
      offerUndo(format(gettext("%(name)s: %(mark)s"), { name: row.participant.known_as, mark: MARKS[marks[0].mark] }), () => setMarks(before, null, { quiet: true }), UNDO_MS);
    }
    return before;
  }

  function markAll() {
    const waitingMarks = pending(id);
    const unmarked = allRows().filter((r) => !markOf(r, waitingMarks));
    if (!unmarked.length) return;
    const before = setMarks(
      unmarked.map((r) => ({ participant: r.participant.id, mark: "present" })),
      null,
      { quiet: true },
    );
    offerUndo(
      format(ngettext("%(n)s person marked present.", "%(n)s people marked present.", unmarked.length), { n: fmt.number(unmarked.length) }),
      () => setMarks(before, null, { quiet: true }),
      UNDO_ALL_MS,
    );
  }

  /* The one box: finds on the list as she types; for someone not on it,
     suggests people known to her organisation, told apart, or adds a new one. */
  const search = h("input", { type: "search", name: "find", autocomplete: "off", maxlength: 100, enterkeyhint: "search" });
  const suggestions = h("ul", { class: "suggestions" });
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "off", maxlength: 40, dir: "ltr" });
  const addNew = h(
    "form",
    {
      class: "add-new",
      hidden: true,
      onsubmit: (e) => {
        e.preventDefault();
        addWalkIn({ known_as: search.value.trim(), phone: phone.value.trim() }, search.value.trim());
      },
    },
    h("label", null, h("span", null, gettext("Phone (optional)")), phone),
    button(gettext("Add new person"), "plus", { type: "submit", class: "primary" }),
  );
  let searchTimer;
  let asked = 0;

  function told(s) {
    const bits = [];
    bits.push(s.last_visit ? format(gettext("last came %(day)s"), { day: fmt.short(s.last_visit) }) : gettext("not been yet"));
    if (s.phone_end) bits.push(format(gettext("phone …%(digits)s"), { digits: s.phone_end }));
    if (s.languages.length) bits.push(s.languages.join(", "));
    return bits.join(" · ");
  }

  search.addEventListener("input", () => {
    draw();
    clearTimeout(searchTimer);
    const q = search.value.trim();
    addNew.hidden = !writable || q.length < 2;
    if (q.length < 2 || !writable) return suggestions.replaceChildren();
    const mine = ++asked;
    // Offline it is known at once: said with the key, so "Add new person" does
    // not jump down under her thumb when the answer would have come.
    if (!navigator.onLine) return suggestions.replaceChildren(h("li", { class: "hint" }, gettext("Finding people known to us needs a connection.")));
    searchTimer = setTimeout(async () => {
      try {
        const found = (await api(`registers/${id}/suggestions/`, { params: { q } })).filter((s) => !s.on_register);
        if (mine !== asked) return;
        suggestions.replaceChildren(
          ...found.slice(0, 5).map((s) =>
            h(
              "li",
              null,
              button(format(gettext("Add %(name)s"), { name: s.participant.known_as }), "plus", {
                class: "secondary",
                onclick: () => addWalkIn({ participant: s.participant.id }, s.participant.known_as),
              }),
              h("span", { class: "hint" }, told(s)),
            ),
          ),
        );
      } catch {
        if (mine === asked) suggestions.replaceChildren(h("li", { class: "hint" }, gettext("Finding people known to us needs a connection.")));
      }
    }, 250);
  });

  /* Through the queue, online or not: she is on the list at once, sent as
     soon as it can be, and until then marked "not sent yet". */
  function addWalkIn(body, name) {
    const { walkIn, sent } = queueWalkIn(id, body);
    const rowId = WAITING + walkIn.id;
    fresh.unshift(rowId);
    fresh.splice(3);
    search.value = "";
    phone.value = "";
    addNew.hidden = true;
    suggestions.replaceChildren();
    draw();
    say(
      result,
      navigator.onLine
        ? format(gettext("%(name)s added and marked present."), { name })
        : format(gettext("%(name)s added and marked present on this phone. Not sent yet: it will be sent when the connection returns."), { name }),
      "success",
    );
    offerUndo(
      format(gettext("%(name)s added."), { name }),
      () => {
        const person = addedAs(walkIn.id);
        for (const pid of [rowId, person]) if (fresh.includes(pid)) fresh.splice(fresh.indexOf(pid), 1);
        setMarks([{ participant: person || rowId, mark: null }], null, { quiet: true });
      },
      UNDO_MS,
    );
    search.focus();
    sent.then((answer) => {
      if (answer.error && lists.isConnected) say(result, why(answer), "error");
    });
  }

  const reopen = async () => {
    const answer = await ask({ title: gettext("Reopen this register?"), confirm: gettext("Reopen"), reasonLabel: gettext("Why?"), reasonRequired: true });
    if (!answer) return;
    try {
      await api(`registers/${id}/reopen/`, { method: "POST", body: { reason: answer.reason } });
      await refresh();
    } catch (error) {
      say(result, errorText(error), "error");
    }
  };

  // What the queue changes is drawn once per turn, however many changes came.
  let redraw = null;
  const stop = onChange((sessionId, answer) => {
    if (!lists.isConnected) return stop();
    if (answer && sessionId === id) register = answer;
    if (!redraw)
      redraw = setTimeout(() => {
        redraw = null;
        if (lists.isConnected) draw();
      });
  });
  draw();
  flush(id);
  if (saved) {
    // Drawn from the phone; the network's answer replaces it when it comes
    // (and a register that opened or locked meanwhile is drawn again).
    network.then(
      (fresh) => {
        if (!lists.isConnected) return;
        if (fresh.open !== saved.open || fresh.locked !== saved.locked) return refresh();
        register = fresh;
        draw();
      },
      () => {},
    );
  }

  const coordinates = Boolean(app.me?.coordinates.length || app.me?.coordinates_spaces.length);
  const notYet = !register.open && !register.locked;
  const node = h(
    "section",
    { class: "register-screen" },
    link(gettext("Back to registers"), "#/today", "back", { class: "back" }),
    heading(register.title),
    h("p", { class: "when" }, icon("clock"), `${fmt.day(register.start)}, ${fmt.span(register.start, register.end)}`, " · ", `${register.venue}, ${register.room}`),
    notYet && notice(format(gettext("This register opens at %(time)s on %(day)s. Until then you can look, not mark."), { time: fmt.time(register.opens_at), day: fmt.day(register.opens_at) }), "warn"),
    register.locked && notice(gettext("This register is locked."), "warn"),
    register.locked && coordinates && button(gettext("Reopen the register"), "lock", { onclick: reopen }),
    status,
    h("div", { class: "register-tools" }, counts, writable && button(gettext("Mark everyone else present"), "check", { class: "primary", onclick: markAll })),
    h("div", { class: "find" }, h("label", null, h("span", null, writable ? gettext("Find or add a name") : gettext("Find a name")), search), suggestions, addNew, result),
    added,
    lists,
    undoBar,
    h("p", null, link(gettext("Download as CSV"), `/api/v1/registers/${id}/csv/`, "download")),
  );
  return { node, sensitive: Boolean(register.space) };
}
