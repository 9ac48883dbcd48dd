/* How a session is shown wherever it appears: time, title, place, places left,
   and her own booking. Shared by the timetable, today's registers and the
   coordinator's week. */
import { h, icon } from "./dom.js";
import { fmt, format, gettext, ngettext, KINDS, LEVELS } from "./i18n.js";
import { ACTIVE, BOOKING, SESSION } from "./statuses.js";

/* `staff`: the coordinator's words (how full it is), not the learner's (what she can do). */
export function placesText(session, { staff = false } = {}) {
  if (session.status === SESSION.CANCELLED) return format(gettext("Cancelled: %(reason)s"), { reason: session.cancel_reason });
  if (!session.activity.booking_required) return gettext("Drop in, no booking");
  if (staff) {
    const booked = fmt.number(session.capacity - session.places_left);
    const capacity = fmt.number(session.capacity);
    return session.places_left > 0
      ? format(ngettext("Booked: %(n)s of %(capacity)s place", "Booked: %(n)s of %(capacity)s places", session.capacity), { n: booked, capacity })
      : format(gettext("Full: all %(capacity)s places booked"), { capacity });
  }
  if (session.places_left > 0) {
    return format(ngettext("%(n)s place left", "%(n)s places left", session.places_left), { n: fmt.number(session.places_left) });
  }
  return gettext("Full: join the waiting list");
}

export function bookingText(booking) {
  if (!booking) return "";
  switch (booking.status) {
    case BOOKING.CONFIRMED:
      return gettext("You are booked");
    case BOOKING.OFFERED:
      return format(gettext("A place is offered to you until %(when)s"), { when: fmt.dateTime(booking.offer_expires_at) });
    case BOOKING.WAITING:
      return format(gettext("On the waiting list: number %(n)s"), { n: fmt.number(booking.position) });
    default:
      return "";
  }
}

/* A pictogram for the kind of activity, beside its words (icons.svg, kind-*). */
export function kindIcon(kind) {
  const svg = icon(`kind-${kind}`);
  svg.classList.add("kind");
  return svg;
}

export function badges(session) {
  const out = [h("span", { class: "badge" }, KINDS[session.activity.kind] || session.activity.kind)];
  if (session.activity.level) out.push(h("span", { class: "badge" }, LEVELS[session.activity.level] || session.activity.level));
  if (session.activity.space) out.push(h("span", { class: "badge space" }, icon("shield"), session.activity.space.name));
  if (session.is_moved) out.push(h("span", { class: "badge warn" }, gettext("Moved")));
  return out;
}

/* One line of a list of sessions, linking to href. */
export function sessionCard(session, { href, booking, extra, staff = false } = {}) {
  const cancelled = session.status === SESSION.CANCELLED;
  return h(
    "li",
    { class: `session${cancelled ? " cancelled" : ""}`, dataset: { session: session.id } },
    h(
      "a",
      { href: href || `#/session/${session.id}` },
      h("span", { class: "when" }, icon("clock"), h("time", { datetime: session.start }, fmt.span(session.start, session.end))),
      h("strong", { class: "title" }, kindIcon(session.activity.kind), h("bdi", null, session.activity.title)),
      h("span", { class: "where" }, icon("pin"), h("span", null, h("bdi", null, session.venue.name), fmt.comma, h("bdi", null, session.room.name))),
      h("span", { class: "badges" }, badges(session)),
      h("span", { class: `places${session.places_left === 0 ? " full" : ""}` }, placesText(session, { staff })),
      booking && h("span", { class: `mine ${booking.status}` }, icon("ticket"), bookingText(booking)),
      extra,
    ),
  );
}

/* Sessions grouped under a heading per London day. */
export function byDay(sessions, card) {
  const groups = Map.groupBy(sessions, (s) => fmt.day(s.start));
  return [...groups].map(([day, list]) => h("section", { class: "day" }, h("h2", null, day), h("ul", { class: "sessions" }, list.map(card))));
}

/* Her active bookings by session id (confirmed, offered, waiting). */
export function bookingsBySession(bookings) {
  const active = bookings.filter((b) => ACTIVE.includes(b.status));
  return new Map(active.map((b) => [b.session.id, b]));
}
