/* A session's bookings and waiting list, for its coordinator: who holds a
   place, who has an offer, who waits, in order. She offers a free place now,
   confirms an offer for someone who said yes on the phone, adds a person
   found by search, takes someone off with a reason and moves someone up with
   a reason (both recorded, and the person is told). The words are a
   coordinator's ("Waiting list: 4 people"), not a learner's. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { askWhy, lineTable, moveUpButton, removeButton } from "../line-table.js";
import { personSearch } from "../person-search.js";
import { BOOKING, SESSION } from "../statuses.js";

export default async function line({ params: [id], refresh }) {
  const [session, bookings] = await Promise.all([api(`sessions/${id}/`), apiAll("bookings/", { session: id })]);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const name = (b) => b.participant.known_as;
  const waiting = bookings.filter((b) => b.status === BOOKING.WAITING);
  const booked = bookings.filter((b) => b.status !== BOOKING.WAITING).reduce((n, b) => n + b.places, 0);
  const open = session.status !== SESSION.CANCELLED && new Date(session.start) > new Date();

  const moveUp = (b) => async () => {
    const answer = await askWhy({ title: format(gettext("Move %(name)s up?"), { name: name(b) }), confirm: gettext("Move up") });
    if (answer) act(() => api(`bookings/${b.id}/move-up/`, { method: "POST", body: { reason: answer.reason } }), format(gettext("%(name)s is first on the waiting list."), { name: name(b) }));
  };
  // A place held by the activity's no-show rule: the coordinator confirms it,
  // lifting the rule for her, with a reason (recorded).
  const lift = (b) => async () => {
    const answer = await askWhy({
      title: format(gettext("Confirm %(name)s's place?"), { name: name(b) }),
      text: gettext("This lifts the no-show rule for her: earlier missed sessions no longer count here."),
      confirm: gettext("Confirm the place"),
    });
    if (answer)
      act(
        () => api(`no-show-rules/${session.activity.id}/lift/`, { method: "POST", body: { participant: b.participant.id, reason: answer.reason } }),
        format(gettext("%(name)s is booked."), { name: name(b) }),
      );
  };
  const offerNow = (b) => async () => {
    const answer = await ask({
      title: format(gettext("Offer %(name)s a place now?"), { name: name(b) }),
      text: gettext("She is told at once and has until the offer ends to say yes."),
      confirm: gettext("Offer the place"),
    });
    if (answer)
      act(
        () => api(`bookings/${b.id}/offer-now/`, { method: "POST" }),
        (r) =>
          r.status === BOOKING.OFFERED
            ? format(gettext("A place is offered to %(name)s until %(when)s."), { name: name(b), when: fmt.dateTime(r.offer_expires_at) })
            : format(gettext("%(name)s is booked."), { name: name(b) }),
      );
  };
  const confirm = (b) => () => act(() => api(`bookings/${b.id}/accept/`, { method: "POST" }), format(gettext("%(name)s is booked."), { name: name(b) }));
  const remove = (b) => async () => {
    const answer = await askWhy({
      title: format(gettext("Take %(name)s off this session?"), { name: name(b) }),
      text: gettext("She is told, and her place goes to the next person waiting."),
      confirm: gettext("Take her off"),
    });
    if (answer) act(() => api(`bookings/${b.id}/remove/`, { method: "POST", body: { reason: answer.reason } }), format(gettext("%(name)s is taken off the session."), { name: name(b) }));
  };
  const add = (p) =>
    act(
      () => api("bookings/", { method: "POST", body: { session: session.id, participant: p.id } }),
      (b) =>
        b.status === BOOKING.WAITING
          ? format(gettext("%(name)s is on the waiting list: number %(n)s."), { name: p.known_as, n: fmt.number(b.position) })
          : format(gettext("%(name)s is booked."), { name: p.known_as }),
    );

  const status = (b) => {
    if (b.status === BOOKING.WAITING) return format(gettext("Waiting: number %(n)s"), { n: fmt.number(b.position) });
    if (b.status === BOOKING.OFFERED) return format(gettext("Offered until %(when)s"), { when: fmt.dateTime(b.offer_expires_at) });
    return gettext("Booked");
  };
  const held = (b) => b.needs_confirmation && h("small", { class: "held" }, ` ${gettext("(waits for confirmation)")}`);
  const rowActions = (b) =>
    open && [
      b.status === BOOKING.WAITING &&
        session.places_left >= b.places &&
        button(gettext("Offer now"), "bell", { class: "primary", "aria-label": format(gettext("Offer %(name)s a place now"), { name: name(b) }), onclick: offerNow(b) }),
      b.needs_confirmation && button(gettext("Confirm"), "check", { class: "primary", "aria-label": format(gettext("Confirm %(name)s's place"), { name: name(b) }), onclick: lift(b) }),
      b.status === BOOKING.OFFERED &&
        !b.needs_confirmation &&
        button(gettext("Confirm"), "check", { class: "primary", "aria-label": format(gettext("Confirm %(name)s's place"), { name: name(b) }), onclick: confirm(b) }),
      b.status === BOOKING.WAITING && b.position > 1 && moveUpButton(b, moveUp(b)),
      removeButton(b, remove(b)),
    ];

  const node = h(
    "section",
    { class: "line" },
    link(gettext("Back"), "#/coordinate", "back", { class: "back" }),
    heading(session.activity.title),
    h("p", null, `${fmt.day(session.start)}, ${fmt.span(session.start, session.end)} · ${session.room.name}`),
    session.status === SESSION.CANCELLED && notice(format(gettext("Cancelled: %(reason)s"), { reason: session.cancel_reason }), "warn"),
    h(
      "ul",
      { class: "summary" },
      h(
        "li",
        null,
        format(ngettext("Booked: %(n)s of %(capacity)s place", "Booked: %(n)s of %(capacity)s places", session.capacity), { n: fmt.number(booked), capacity: fmt.number(session.capacity) }),
      ),
      h("li", null, format(ngettext("Waiting list: %(n)s person", "Waiting list: %(n)s people", waiting.length), { n: fmt.number(waiting.length) })),
    ),
    session.activity.booking_required && h("p", null, link(gettext("The activity's queue"), `#/queue/${session.activity.id}`, "people", { class: "button" })),
    result,
    bookings.length
      ? lineTable(bookings, { statusHeading: gettext("Status"), status: (b) => [status(b), held(b)], actions: rowActions, data: (b) => ({ booking: b.id, status: b.status }) })
      : notice(gettext("Nobody has booked yet.")),
    open && session.activity.booking_required && personSearch({ title: gettext("Add a person"), pickLabel: gettext("Add %(name)s"), pick: add }),
  );
  return { node, sensitive: Boolean(session.activity.space) };
}
