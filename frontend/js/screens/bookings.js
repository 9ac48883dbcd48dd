/* My bookings: places, offers to accept (with their deadline), waiting-list
   positions and the activity lists she is on. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { bookingText } from "../sessions.js";
import { ACTIVE, BOOKING, QUEUE } from "../statuses.js";

/* Her place on an activity's list, in the list's own terms: a position, or
   under a lottery the next draw (its date and places) until she is drawn. */
function queueText(q) {
  if (q.allocation === "lottery" && !q.drawn) {
    return q.next_draw
      ? format(ngettext("Next draw: %(when)s, for %(n)s place", "Next draw: %(when)s, for %(n)s places", q.next_draw.places), {
          when: fmt.dateTime(q.next_draw.draw_at),
          n: fmt.number(q.next_draw.places),
        })
      : gettext("Places here are given by lottery. The next draw has not been announced yet.");
  }
  if (q.position == null) return gettext("Drawn: you get the next free place.");
  return format(gettext("Number %(n)s on the list"), { n: fmt.number(q.position) });
}

export default async function bookingsScreen({ refresh }) {
  const [bookings, queue] = await Promise.all([apiAll("bookings/"), apiAll("queue-entries/")]);
  const now = new Date();
  const active = bookings.filter((b) => ACTIVE.includes(b.status) && new Date(b.session.end) > now);
  const offers = active.filter((b) => b.status === BOOKING.OFFERED);
  const result = h("div", { class: "result", "aria-live": "polite" });

  const act = actions(result, refresh);

  const card = (b) =>
    h(
      "li",
      { class: `booking ${b.status}`, dataset: { booking: b.id } },
      h(
        "a",
        { href: `#/session/${b.session.id}` },
        h("strong", { class: "title" }, b.session.title),
        h("span", { class: "when" }, icon("clock"), `${fmt.short(b.session.start)}, ${fmt.span(b.session.start, b.session.end)}`),
        b.session.venue && h("span", { class: "where" }, icon("pin"), `${b.session.venue}, ${b.session.room}`),
      ),
      h("p", { class: `mine ${b.status}` }, icon("ticket"), bookingText(b)),
      b.needs_confirmation &&
        h(
          "p",
          { class: "notice warn held" },
          gettext("A coordinator confirms this place first, because of sessions missed recently. You keep the place meanwhile."),
          " ",
          link(gettext("See my record"), "#/progress"),
        ),
      h(
        "div",
        { class: "actions" },
        b.status === BOOKING.OFFERED &&
          button(gettext("Accept the place"), "check", {
            class: "primary",
            onclick: () => act(() => api(`bookings/${b.id}/accept/`, { method: "POST" }), gettext("The place is yours. See you there!")),
          }),
        button(b.status === BOOKING.CONFIRMED ? gettext("Cancel my place") : gettext("Leave the waiting list"), "cross", {
          class: "danger",
          onclick: async () => {
            if (await ask({ title: gettext("Cancel your place?"), text: b.session.title, confirm: gettext("Yes, cancel") })) {
              act(() => api(`bookings/${b.id}/cancel/`, { method: "POST" }), gettext("Cancelled. Thank you for telling us."));
            }
          },
        }),
      ),
    );

  const waitingLists = queue.filter((q) => q.status === QUEUE.WAITING);
  const node = h(
    "section",
    { class: "bookings" },
    heading(gettext("My bookings")),
    result,
    offers.length > 0 &&
      notice(
        format(
          ngettext(
            "You have a place offered to you. Accept it before it passes to the next person.",
            "You have %(n)s places offered to you. Accept them before they pass to the next person.",
            offers.length,
          ),
          { n: fmt.number(offers.length) },
        ),
        "warn",
      ),
    active.length ? h("ul", { class: "cards" }, active.map(card)) : notice(gettext("You have no bookings yet.")),
    waitingLists.length > 0 && [
      h("h2", null, gettext("Waiting for any session")),
      h(
        "ul",
        { class: "cards" },
        waitingLists.map((q) =>
          h(
            "li",
            { class: "booking waiting" },
            h("strong", { class: "title" }, q.activity.title),
            h("p", { class: "mine waiting" }, icon("clock"), queueText(q)),
            button(gettext("Leave this list"), "cross", { class: "danger", onclick: () => act(() => api(`queue-entries/${q.id}/leave/`, { method: "POST" }), gettext("You have left the list.")) }),
          ),
        ),
      ),
    ],
    h("p", { class: "actions" }, link(gettext("Find more sessions"), "#/", "calendar"), link(gettext("My progress and record"), "#/progress", "chart", { class: "button" })),
  );
  return { node };
}
