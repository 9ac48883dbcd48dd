/* This week's timetable: filters (kind, level, language, has places), a week
   at a time, her own bookings shown on each session. */
import { api, apiAll } from "../api.js";
import { button, h, heading, icon, notice, select } from "../dom.js";
import { addDays, fmt, format, gettext, KINDS, LEVELS, londonDate, ngettext, weekStart } from "../i18n.js";
import { bookingsBySession, byDay, sessionCard } from "../sessions.js";

const state = { kind: "", level: "", language: "", has_places: false, week: null, filtersOpen: null };

export default async function timetable({ app, refresh }) {
  const redraw = refresh;
  // No week chosen: today and the six days after it (read afresh, so a tab left
  // open overnight moves on); otherwise the Monday-to-Sunday week she chose.
  const from = state.week ? weekStart(state.week) : londonDate();
  const to = addDays(from, 6);
  const [sessions, languages, bookings] = await Promise.all([
    apiAll("sessions/", { date_from: from, date_to: to, kind: state.kind, level: state.level, language: state.language, has_places: state.has_places ? "true" : "" }),
    api("languages/"),
    app.me ? apiAll("bookings/") : [],
  ]);
  const mine = bookingsBySession(bookings);
  const filters = h(
    "form",
    {
      class: "filters",
      "aria-label": gettext("Filter sessions"),
      onchange: (e) => {
        const form = e.currentTarget;
        state.kind = form.kind.value;
        state.level = form.level.value;
        state.language = form.language.value;
        state.has_places = form.has_places.checked;
        redraw();
      },
      onsubmit: (e) => e.preventDefault(),
    },
    select("kind", gettext("What"), [["", gettext("Everything")], ...Object.entries(KINDS)], state.kind),
    select("level", gettext("English level"), [["", gettext("Any level")], ...Object.entries(LEVELS)], state.level),
    select("language", gettext("Language"), [["", gettext("Any language")], ...(languages.results || languages).map((l) => [l.code, l.native_name || l.name])], state.language),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "has_places", checked: state.has_places }), h("span", null, gettext("Only with places left"))),
  );
  // On a phone the filters fold into one "Filter" button, so that several
  // sessions show above the fold; open on a wide screen, or while she uses them.
  const active = [state.kind, state.level, state.language, state.has_places].filter(Boolean).length;
  if (state.filtersOpen === null) state.filtersOpen = matchMedia("(min-width: 40em)").matches;
  const fold = h(
    "details",
    {
      class: "filter-fold",
      open: state.filtersOpen,
      ontoggle: (e) => {
        state.filtersOpen = e.currentTarget.open;
      },
    },
    h("summary", null, icon("list"), h("span", null, active ? format(ngettext("Filter (%(n)s on)", "Filter (%(n)s on)", active), { n: fmt.number(active) }) : gettext("Filter"))),
    filters,
  );
  const weekNav = h(
    "div",
    { class: "week-nav" },
    button(gettext("Earlier"), "back", {
      onclick: () => {
        state.week = addDays(from, -7) <= londonDate() ? null : addDays(from, -7);
        redraw();
      },
      disabled: !state.week,
    }),
    h(
      "span",
      null,
      fmt.days(`${from}T12:00:00Z`, `${to}T12:00:00Z`),
      h("small", { class: "count", role: "status" }, format(ngettext("%(n)s session", "%(n)s sessions", sessions.length), { n: fmt.number(sessions.length) })),
    ),
    button(gettext("Later"), "arrow", {
      onclick: () => {
        state.week = addDays(from, 7);
        redraw();
      },
    }),
  );
  const list = sessions.length ? byDay(sessions, (s) => sessionCard(s, { booking: mine.get(s.id) })) : [notice(gettext("No sessions match. Try fewer filters or another week."))];
  const node = h("section", { class: "timetable" }, h("div", { class: "filter-bar" }, heading(gettext("This week")), fold), weekNav, list);
  return { node, sensitive: sessions.some((s) => s.activity.space) };
}
