/* Taking a register on a phone: tap a mark beside each name, mark everyone
   still unmarked present, add a walk-in in one step (someone known, or a new
   name). Marks keep working offline (see register-queue.js); walk-ins need a
   connection because they create or find a person. */
import { api, apiAll, errorText } from "../api.js";
import { ask, button, h, heading, icon, link, notice, say } from "../dom.js";
import { fmt, format, gettext, MARKS, ngettext } from "../i18n.js";
import { discardRefused, flush, onChange, pending, queueMarks } from "../register-queue.js";

const CHOICES = ["present", "late", "absent"];

export default async function registerScreen({ params: [id], app, refresh }) {
  let register = await api(`registers/${id}/`);
  const session = await api(`sessions/${id}/`);
  const status = h("p", { class: "sync", role: "status" });
  const result = h("div", { class: "result", "aria-live": "polite" });
  const rows = h("ul", { class: "register" });
  const counts = h("p", { class: "counts" });

  function markOf(row) {
    return pending(id)[row.participant.id]?.mark ?? row.mark;
  }

  function drawStatus() {
    const waiting = Object.values(pending(id));
    const refused = waiting.filter((w) => w.error);
    status.className = `sync ${refused.length ? "error" : waiting.length ? "waiting" : "saved"}`;
    status.replaceChildren(
      icon(refused.length ? "cross" : waiting.length ? "offline" : "check"),
      refused.length
        ? format(ngettext("%(n)s mark was not saved: %(reason)s", "%(n)s marks were not saved: %(reason)s", refused.length), { n: fmt.number(refused.length), reason: errorText({ code: refused[0].error }) })
        : waiting.length
          ? format(ngettext("%(n)s mark waiting to be sent. It will be sent when the connection returns.", "%(n)s marks waiting to be sent. They will be sent when the connection returns.", waiting.length), { n: fmt.number(waiting.length) })
          : gettext("All marks saved."),
      refused.length > 0 ? button(gettext("Discard them"), "cross", { class: "secondary", onclick: () => { discardRefused(id); drawRows(); } }) : "");
  }

  function drawRows() {
    const present = register.rows.filter((r) => ["present", "late"].includes(markOf(r))).length;
    // Redrawing replaces the radios: keep keyboard and screen-reader focus on hers.
    const focused = document.activeElement?.name?.startsWith("mark-") && document.activeElement;
    const refocus = focused && [focused.name, focused.value];
    counts.textContent = format(gettext("%(present)s here of %(total)s on the list"), { present: fmt.number(present), total: fmt.number(register.rows.length) });
    rows.replaceChildren(...register.rows.map((row) => {
      const current = markOf(row);
      const name = `mark-${row.participant.id}`;
      return h("li", { class: `row${current ? ` ${current}` : ""}`, dataset: { participant: row.participant.id } },
        h("fieldset", { disabled: register.locked },
          h("legend", null, row.participant.known_as,
            row.walk_in && h("span", { class: "badge" }, gettext("Walk-in")),
            row.first_visit && h("span", { class: "badge new" }, gettext("First visit")),
            row.over_capacity && h("span", { class: "badge warn" }, gettext("Over capacity")),
            row.booking_status === "waiting" && h("span", { class: "badge" }, gettext("Waiting list"))),
          h("div", { class: "marks" }, CHOICES.map((mark) => h("label", { class: `mark ${mark}` },
            h("input", { type: "radio", name, value: mark, checked: current === mark, onchange: () => setMarks([{ participant: row.participant.id, mark }]) }),
            h("span", null, MARKS[mark]))))));
    }));
    if (refocus) rows.querySelector(`input[name="${refocus[0]}"][value="${refocus[1]}"]`)?.focus();
    drawStatus();
  }

  async function setMarks(marks) {
    const sent = queueMarks(id, marks);
    drawRows();
    const fresh = await sent;
    if (fresh) {
      register = fresh;
      drawRows();
    }
  }

  const markAll = () => setMarks(register.rows.filter((r) => !markOf(r)).map((r) => ({ participant: r.participant.id, mark: "present" })));

  const walkInName = h("input", { name: "known_as", required: true, autocomplete: "off", maxlength: 100 });
  const suggestions = h("ul", { class: "suggestions" });
  let searchTimer;
  walkInName.addEventListener("input", () => {
    clearTimeout(searchTimer);
    const q = walkInName.value.trim();
    if (q.length < 2) return suggestions.replaceChildren();
    searchTimer = setTimeout(async () => {
      try {
        const people = (await apiAll("participants/", { q })).slice(0, 5);
        const listed = new Set(register.rows.map((r) => r.participant.id));
        suggestions.replaceChildren(...people.filter((p) => !listed.has(p.id)).map((p) => h("li", null,
          button(format(gettext("Add %(name)s"), { name: p.known_as }), "plus", { onclick: () => addWalkIn({ participant: p.id }) }))));
      } catch {
        suggestions.replaceChildren();
      }
    }, 250);
  });

  async function addWalkIn(body) {
    try {
      register = await api(`registers/${id}/walk-ins/`, { method: "POST", body });
      walkInForm.reset();
      suggestions.replaceChildren();
      drawRows();
      say(result, gettext("Added and marked present."), "success");
      walkInName.focus();
    } catch (error) {
      say(result, errorText(error), "error");
    }
  }

  const walkInForm = h("form", { class: "card walk-in", onsubmit: (e) => {
    e.preventDefault();
    addWalkIn({ known_as: walkInName.value.trim(), phone: e.currentTarget.phone.value.trim() });
  } },
    h("h2", null, icon("plus"), gettext("Add a walk-in")),
    h("label", null, h("span", null, gettext("Name")), walkInName),
    suggestions,
    h("label", null, h("span", null, gettext("Phone (optional)")), h("input", { name: "phone", type: "tel", autocomplete: "off", maxlength: 40, dir: "ltr" })),
    button(gettext("Add new person"), "plus", { type: "submit", class: "primary" }));

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

  const stop = onChange(() => rows.isConnected ? drawStatus() : stop());
  drawRows();
  flush(id).then((fresh) => { if (fresh) { register = fresh; drawRows(); } });

  const coordinates = Boolean(app.me?.coordinates.length || app.me?.coordinates_spaces.length);
  const node = h("section", { class: "register-screen" },
    link(gettext("Back to registers"), "#/today", "back", { class: "back" }),
    heading(register.title),
    h("p", { class: "when" }, icon("clock"), `${fmt.day(session.start)}, ${fmt.span(session.start, session.end)}`, " · ", `${session.venue.name}, ${session.room.name}`),
    register.locked && notice(gettext("This register is locked."), "warn"),
    register.locked && coordinates && button(gettext("Reopen the register"), "lock", { onclick: reopen }),
    status, counts,
    !register.locked && button(gettext("Mark everyone else present"), "check", { class: "primary", onclick: markAll }),
    rows,
    result,
    !register.locked && walkInForm,
    h("p", null, link(gettext("Download as CSV"), `/api/v1/registers/${id}/csv/`, "download")));
  return { node, sensitive: Boolean(session.activity.space) };
}
