/* The activities a coordinator runs: each with its pictogram, its schedule in
   words, its room and places; edit, duplicate, end a series on a date,
   message everyone booked, and open its queue. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, KINDS, londonDate, ngettext } from "../i18n.js";
import { messageEveryone } from "../message.js";
import { scheduleText } from "./activity-form.js";

export default async function activities({ refresh }) {
  const list = await apiAll("activities/", { manageable: "true" });
  const flash = sessionStorage.getItem("harbour.flash");
  sessionStorage.removeItem("harbour.flash");
  const result = h("div", { class: "result", "aria-live": "polite" }, flash && notice(flash, "success"));
  const act = actions(result, refresh);

  const end = (a) => async () => {
    const answer = await ask({
      title: format(gettext("End %(title)s"), { title: a.title }),
      text: gettext("Sessions after this date are removed. Any with people booked are kept and flagged for you to decide."),
      confirm: gettext("End the activity"),
      fields: [{ name: "last_date", type: "date", label: gettext("Last date it runs"), value: londonDate(), required: true }],
    });
    if (answer) {
      act(
        () => api(`activities/${a.id}/end/`, { method: "POST", body: { last_date: answer.last_date } }),
        (r) => format(ngettext("Ended. %(n)s booked session is kept and flagged.", "Ended. %(n)s booked sessions are kept and flagged.", r.sessions.flagged), { n: fmt.number(r.sessions.flagged) }),
      );
    }
  };

  const message = (a) => () =>
    messageEveryone(act, {
      path: `activities/${a.id}/message/`,
      title: a.title,
      space: a.space,
      text: gettext("All its upcoming sessions: each person gets one message, about her next session."),
    });

  const card = (a) =>
    h(
      "li",
      { class: "card activity", dataset: { activity: a.id } },
      h("h2", null, icon(`kind-${a.kind}`), h("span", null, a.title)),
      h("p", { class: "badges" }, h("span", { class: "badge" }, KINDS[a.kind] || a.kind), a.space && h("span", { class: "badge space" }, icon("shield"), a.space.name)),
      h("p", { class: "when" }, icon("calendar"), h("span", null, scheduleText(a.schedule), ", ", `${a.schedule.start_time.slice(0, 5)}–${a.schedule.end_time.slice(0, 5)}`)),
      h("p", { class: "where" }, icon("pin"), `${a.venue.name}, ${a.room.name}`),
      h("p", { class: "places" }, icon("people"), a.booking_required ? format(ngettext("%(n)s place", "%(n)s places", a.capacity), { n: fmt.number(a.capacity) }) : gettext("Drop in, no booking")),
      h(
        "div",
        { class: "actions" },
        link(gettext("Edit"), `#/activity/${a.id}`, "settings", { class: "button", "aria-label": format(gettext("Edit %(title)s"), { title: a.title }) }),
        a.is_course && link(gettext("Class list"), `#/class-list/${a.id}`, "people", { class: "button", "aria-label": format(gettext("Class list: %(title)s"), { title: a.title }) }),
        link(gettext("Duplicate"), `#/activity/new?copy=${a.id}`, "copy", { class: "button", "aria-label": format(gettext("Duplicate %(title)s"), { title: a.title }) }),
        a.booking_required && link(gettext("Queue"), `#/queue/${a.id}`, "people", { class: "button", "aria-label": format(gettext("Queue for %(title)s"), { title: a.title }) }),
        button(gettext("Message everyone booked"), "bell", { "aria-label": format(gettext("Message everyone booked on %(title)s"), { title: a.title }), onclick: message(a) }),

        a.booking_required && link(gettext("List and rules"), `#/fair/${a.id}`, "people", { class: "button", "aria-label": format(gettext("List and rules: %(title)s"), { title: a.title }) }),
        a.schedule.recurrence && button(gettext("End"), "cross", { class: "danger", "aria-label": format(gettext("End %(title)s"), { title: a.title }), onclick: end(a) }),
      ),
    );

  const node = h(
    "section",
    { class: "activities" },
    link(gettext("Back to coordinating"), "#/coordinate", "back", { class: "back" }),
    heading(gettext("Activities")),
    h(
      "p",
      { class: "actions" },
      link(gettext("New activity"), "#/activity/new", "plus", { class: "button primary" }),
      link(gettext("Terms and closures"), "#/closures", "calendar", { class: "button" }),
      link(gettext("Venues and rooms"), "#/venues", "pin", { class: "button" }),
    ),
    result,
    list.length ? h("ul", { class: "cards activity-list" }, list.map(card)) : notice(gettext("No activities yet. Start with “New activity”.")),
  );
  return { node, sensitive: list.some((a) => a.space) };
}
