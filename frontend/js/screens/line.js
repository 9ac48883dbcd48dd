/* A session's line: who holds a place, who has an offer, who waits, in order;
   a coordinator can move someone up, with a reason (it is audited). */
import { api, apiAll, errorText } from "../api.js";
import { ask, button, h, heading, link, notice, say } from "../dom.js";
import { fmt, format, gettext } from "../i18n.js";
import { placesText } from "../sessions.js";

export default async function line({ params: [id], refresh }) {
  const [session, bookings] = await Promise.all([api(`sessions/${id}/`), apiAll("bookings/", { session: id })]);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const moveUp = (b) => async () => {
    const answer = await ask({ title: format(gettext("Move %(name)s up?"), { name: b.participant.known_as }), confirm: gettext("Move up"), reasonLabel: gettext("Why? (kept in the record)"), reasonRequired: true });
    if (!answer) return;
    try {
      await api(`bookings/${b.id}/move-up/`, { method: "POST", body: { reason: answer.reason } });
      await refresh();
    } catch (error) {
      say(result, errorText(error), "error");
    }
  };
  // A place held by the activity's no-show rule: the coordinator confirms it,
  // lifting the rule for her, with a reason (recorded).
  const lift = (b) => async () => {
    const answer = await ask({ title: format(gettext("Confirm %(name)s's place?"), { name: b.participant.known_as }), text: gettext("This lifts the no-show rule for her: earlier missed sessions no longer count here."), confirm: gettext("Confirm the place"), reasonLabel: gettext("Why? (kept in the record)"), reasonRequired: true });
    if (!answer) return;
    try {
      await api(`no-show-rules/${session.activity.id}/lift/`, { method: "POST", body: { participant: b.participant.id, reason: answer.reason } });
      await refresh();
    } catch (error) {
      say(result, errorText(error), "error");
    }
  };
  const STATUS = { confirmed: gettext("Booked"), offered: gettext("Offered"), waiting: gettext("Waiting") };
  const node = h("section", { class: "line" },
    link(gettext("Back"), "#/coordinate", "back", { class: "back" }),
    heading(format(gettext("Waiting list: %(title)s"), { title: session.activity.title })),
    h("p", null, `${fmt.day(session.start)}, ${fmt.span(session.start, session.end)} · ${placesText(session)}`),
    result,
    bookings.length
      ? h("table", null,
        h("thead", null, h("tr", null, h("th", { scope: "col" }, gettext("Name")), h("th", { scope: "col" }, gettext("Status")), h("th", { scope: "col" }, gettext("Places")), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, gettext("Actions"))))),
        h("tbody", null, bookings.map((b) => h("tr", { dataset: { booking: b.id } },
          h("th", { scope: "row" }, b.participant.known_as),
          h("td", null, b.status === "waiting" ? format(gettext("Waiting: number %(n)s"), { n: fmt.number(b.position) }) : STATUS[b.status] || b.status,
            b.status === "offered" && h("small", null, ` (${fmt.dateTime(b.offer_expires_at)})`),
            b.needs_confirmation && h("small", { class: "held" }, ` ${gettext("(waits for confirmation)")}`)),
          h("td", null, fmt.number(b.places)),
          h("td", null, b.status === "waiting" && b.position > 1 && button(gettext("Move up"), "arrow", { onclick: moveUp(b) }),
            b.needs_confirmation && button(gettext("Confirm"), "check", { class: "primary", onclick: lift(b) }))))))
      : notice(gettext("Nobody has booked yet.")));
  return { node, sensitive: Boolean(session.activity.space) };
}
