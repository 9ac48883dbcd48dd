/* One session: what, when, where, what to bring; book, join the waiting list,
   accept an offer, cancel, wait for any session of the activity, add it to a
   calendar. Refusals say why, in her language (from the error code). */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { badges, bookingText, placesText } from "../sessions.js";
import { ACTIVE, BOOKING, QUEUE, SESSION } from "../statuses.js";

export default async function sessionScreen({ params: [id], app, refresh }) {
  const session = await api(`sessions/${id}/`);
  const [activity, bookings, queue] = await Promise.all([api(`activities/${session.activity.id}/`), app.me ? apiAll("bookings/") : [], app.me ? apiAll("queue-entries/") : []]);
  const booking = bookings.find((b) => b.session.id === id && ACTIVE.includes(b.status));
  const queued = queue.find((q) => q.activity.id === activity.id && q.status === QUEUE.WAITING);
  const result = h("div", { class: "result", "aria-live": "polite" });

  const act = actions(result, refresh);

  // One key per drawing of this screen: a double tap is one booking.
  const bookingKey = crypto.randomUUID();
  const queueKey = crypto.randomUUID();
  const book = () =>
    act(
      () => api("bookings/", { method: "POST", body: { session: id, places: 1 }, headers: { "Idempotency-Key": bookingKey } }),
      (b) => (b.status === BOOKING.CONFIRMED ? gettext("Booked. See you there!") : `${format(gettext("You are on the waiting list: number %(n)s."), { n: fmt.number(b.position) })} ${whatNext()}`),
    );
  const cancel = async () => {
    const sure = await ask({ title: gettext("Cancel your place?"), text: gettext("Your place will go to the next person waiting."), confirm: gettext("Yes, cancel") });
    if (sure)
      act(
        () => api(`bookings/${booking.id}/cancel/`, { method: "POST" }),
        () => gettext("Cancelled. Thank you for telling us."),
      );
  };
  const accept = () =>
    act(
      () => api(`bookings/${booking.id}/accept/`, { method: "POST" }),
      () => gettext("The place is yours. See you there!"),
    );
  const wait = () =>
    act(
      () => api("queue-entries/", { method: "POST", body: { activity: activity.id, places: 1 }, headers: { "Idempotency-Key": queueKey } }),
      (q) => format(gettext("You are on the list for %(title)s: number %(n)s."), { title: activity.title, n: fmt.number(q.position) }),
    );

  // What happens after she joins a line, so she knows to watch for a message.
  const whatNext = () =>
    activity.offer_hours
      ? format(
          ngettext(
            "If a place frees up, we send you a message and keep it for you for %(n)s hour: accept it in My bookings or from the message.",
            "If a place frees up, we send you a message and keep it for you for %(n)s hours: accept it in My bookings or from the message.",
            activity.offer_hours,
          ),
          { n: fmt.number(activity.offer_hours) },
        )
      : gettext("If a place frees up, we send you a message: accept it in My bookings or from the message.");

  const controls = [];
  const open = session.status === SESSION.SCHEDULED && new Date(session.start) > new Date();
  // Booking opens a number of days before the session (bookings/rules.py, the same arithmetic).
  const opensAt = new Date(new Date(session.start).getTime() - (activity.booking_opens_days || 0) * 86_400_000);
  const notYet = open && session.activity.booking_required && opensAt > new Date();
  if (session.activity.is_course) {
    // A course is taken for the term (docs/courses.md): one step, crèche included.
    if (open) controls.push(link(gettext("Enrol for the term"), `#/course/${activity.id}`, "ticket", { class: "button primary" }));
  } else if (!app.me) {
    if (open && session.activity.booking_required) controls.push(link(gettext("Sign in to book"), `#/sign-in?next=${encodeURIComponent(`/session/${id}`)}`, "key", { class: "button primary" }));
  } else if (booking) {
    controls.push(h("p", { class: `mine ${booking.status}` }, icon("ticket"), bookingText(booking)));
    if (booking.status === BOOKING.OFFERED) controls.push(button(gettext("Accept the place"), "check", { class: "primary", onclick: accept }));
    controls.push(button(booking.status === BOOKING.CONFIRMED ? gettext("Cancel my place") : gettext("Leave the waiting list"), "cross", { class: "danger", onclick: cancel }));
  } else if (notYet) {
    // Not offered before it opens: the button says when, and cannot be pressed.
    controls.push(button(format(gettext("Booking opens %(when)s"), { when: fmt.dateTime(opensAt) }), "clock", { class: "primary", disabled: true, "aria-describedby": "opens-hint" }));
  } else if (open && session.activity.booking_required) {
    const full = session.places_left === 0;
    controls.push(button(full ? gettext("Join the waiting list") : gettext("Book a place"), full ? "people" : "ticket", { class: "primary", onclick: book }));
    if (full && !queued) controls.push(button(gettext("Wait for any session of this activity"), "clock", { onclick: wait }));
  }
  if (queued) controls.push(h("p", { class: "mine waiting" }, icon("clock"), format(gettext("On the list for any session: number %(n)s"), { n: fmt.number(queued.position) })));

  const node = h(
    "article",
    { class: "session-detail" },
    link(gettext("Back to the timetable"), "#/", "back", { class: "back" }),
    h("h1", { tabindex: "-1" }, h("bdi", null, session.activity.title)),
    h("p", { class: "badges" }, badges(session)),
    h(
      "dl",
      null,
      h("dt", null, icon("calendar"), gettext("When")),
      h("dd", null, h("time", { datetime: session.start }, fmt.when(session.start, session.end))),
      h("dt", null, icon("pin"), gettext("Where")),
      h(
        "dd",
        null,
        h("bdi", null, session.venue.name),
        fmt.comma,
        h("bdi", null, session.room.name),
        session.venue.address && h("br"),
        session.venue.address && h("bdi", null, session.venue.address),
        session.venue.postcode && [" ", h("bdi", { dir: "ltr" }, session.venue.postcode)],
      ),
      h("dt", null, icon("people"), gettext("Places")),
      h("dd", { class: "places" }, session.status === SESSION.CANCELLED ? [gettext("Cancelled"), fmt.comma.trim(), " ", h("bdi", null, session.cancel_reason)] : placesText(session)),
      session.activity.languages.length > 0 && [h("dt", null, icon("globe"), gettext("Languages")), h("dd", null, session.activity.languages.map((l) => l.native_name || l.name).join(fmt.comma))],
      activity.what_to_bring && [h("dt", null, icon("list"), gettext("What to bring")), h("dd", null, h("bdi", null, activity.what_to_bring))],
    ),
    activity.description && h("p", { class: "description", dir: "auto" }, activity.description),
    session.is_moved && notice(format(gettext("Moved from %(when)s."), { when: fmt.dateTime(session.original_start) }), "warn"),
    session.activity.booking_required &&
      session.status === SESSION.SCHEDULED &&
      h(
        "p",
        { class: "hint", id: "opens-hint" },
        format(ngettext("Booking opens %(n)s day before.", "Booking opens %(n)s days before.", activity.booking_opens_days), { n: fmt.number(activity.booking_opens_days) }),
      ),
    h("div", { class: "actions" }, controls),
    result,
    h("p", null, link(gettext("Add to my calendar"), `/feeds/sessions/${id}.ics`, "download", { download: "session.ics" })),
  );
  return { node, sensitive: Boolean(session.activity.space) };
}
