/* "My calendar": her own iCal feed (/feeds/mine.ics, the same calendar her
   phone subscribes to), as the server reads it back (/feeds/mine.json), so
   the app and her phone calendar cannot disagree. */
import { api } from "../api.js";
import { h, heading, icon, link, notice } from "../dom.js";
import { fmt, gettext } from "../i18n.js";

const STATUS = {
  CANCELLED: () => gettext("Cancelled"),
  TENTATIVE: () => gettext("Offered: accept it in My bookings"),
};

export default async function calendarScreen() {
  const { events: all } = await api("/feeds/mine.json");
  const now = new Date();
  const events = all
    .map((e) => ({ ...e, start: new Date(e.start), end: new Date(e.end) }))
    .filter((e) => e.end > now)
    .sort((a, b) => a.start - b.start);
  const days = Map.groupBy(events, (e) => fmt.day(e.start));
  const node = h(
    "section",
    { class: "calendar" },
    heading(gettext("My calendar")),
    h("p", null, gettext("The same sessions your phone calendar shows when you subscribe."), " ", link(gettext("Subscribe on my phone"), "#/settings", "calendar")),
    events.length === 0 && notice(gettext("Nothing booked yet.")),
    [...days].map(([day, list]) =>
      h(
        "section",
        { class: "day" },
        h("h2", null, day),
        h(
          "ul",
          { class: "sessions" },
          list.map((e) =>
            h(
              "li",
              { class: `session${e.status === "CANCELLED" ? " cancelled" : ""}`, dataset: { uid: e.uid } },
              h("span", { class: "when" }, icon("clock"), fmt.span(e.start, e.end)),
              h("strong", { class: "title" }, e.title),
              e.where && h("span", { class: "where" }, icon("pin"), e.where),
              STATUS[e.status] && h("span", { class: "places" }, STATUS[e.status]()),
            ),
          ),
        ),
      ),
    ),
  );
  return { node };
}
