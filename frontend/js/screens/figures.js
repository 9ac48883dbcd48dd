/* Figures for funders: people supported, new people, attendances and the
   rest for a period, charts drawn here as SVG (a table beside each for screen
   readers), and the CSV download. An organisation's coordinator picks one of
   her organisations; a women-only space's coordinator her space (its figures
   alone). Every figure counts only what the viewer may see. */
import { api, errorText } from "../api.js";
import { h, heading, link, notice, select } from "../dom.js";
import { addDays, fmt, format, gettext, londonDate } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const state = { scope: "", date_from: "", date_to: "" };
// Another person signed in on this tab: her organisations, not the last one's.
document.addEventListener("harbour:person", () => Object.assign(state, { scope: "", date_from: "", date_to: "" }));

/* "organisation:<id>" or "space:<id>" to the query the API takes. */
function query() {
  const [kind, id] = state.scope.split(":");
  return { [kind]: id, date_from: state.date_from, date_to: state.date_to };
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/* Vertical bars, one per week; the newest on the reading end. */
function weekChart(weeks, label) {
  const width = 320;
  const height = 140;
  const top = Math.max(1, ...weeks.map((w) => w.people));
  const bar = width / Math.max(weeks.length, 1);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 16}`, role: "img", "aria-label": label, class: "chart" },
    ...weeks.map((w, i) => {
      const tall = (w.people / top) * height;
      const fresh = (w.new_people / top) * height;
      return svg("g", {},
        svg("rect", { x: i * bar + 1, y: height - tall, width: Math.max(bar - 2, 1), height: tall, class: "bar" }),
        svg("rect", { x: i * bar + 1, y: height - fresh, width: Math.max(bar - 2, 1), height: fresh, class: "bar new" }),
        svg("title", {}, `${fmt.date(w.week)}: ${fmt.number(w.people)}`));
    }),
    svg("line", { x1: 0, y1: height, x2: width, y2: height, class: "axis" }));
  return chart;
}

/* Set through the CSSOM, which the Content-Security-Policy allows without inline styles. */
function fill(percent) {
  const bar = h("span", { class: "fill" });
  bar.style.inlineSize = `${percent}%`;
  return bar;
}

/* Horizontal bars with their labels, e.g. people per kind of activity. */
function breakdownChart(rows, label) {
  const top = Math.max(1, ...rows.map((r) => r.people));
  return h("ul", { class: "hbars", "aria-label": label },
    rows.map((r) => h("li", null,
      h("span", { class: "label" }, r.label),
      h("span", { class: "track" }, fill((100 * r.people) / top)),
      h("span", { class: "value" }, fmt.number(r.people)))));
}

export default async function figures({ app, refresh }) {
  const scopes = [
    ...(app.me?.coordinates || []).map((o) => [`organisation:${o.id}`, o.name]),
    ...(app.me?.coordinates_spaces || []).map((s) => [`space:${s.id}`, s.name]),
  ];
  if (!scopes.some(([value]) => value === state.scope)) state.scope = scopes[0]?.[0] || "";
  state.date_to ||= londonDate();
  state.date_from ||= addDays(state.date_to, -364);
  const form = h("form", { class: "filters", onsubmit: (e) => e.preventDefault(), onchange: (e) => {
    const f = e.currentTarget;
    Object.assign(state, { scope: f.scope.value, date_from: f.date_from.value, date_to: f.date_to.value });
    refresh();
  } },
    select("scope", gettext("Organisation"), scopes, state.scope),
    h("label", null, h("span", null, gettext("From")), h("input", { type: "date", name: "date_from", value: state.date_from })),
    h("label", null, h("span", null, gettext("To")), h("input", { type: "date", name: "date_to", value: state.date_to })));
  if (!state.scope) {
    return { node: h("section", null, heading(gettext("Figures")), notice(gettext("Figures are for an organisation's coordinators."))) };
  }
  let data;
  try {
    data = await api("reports/figures/", { params: query() });
  } catch (error) {
    return { node: h("section", { class: "figures" }, heading(gettext("Figures")), form, notice(errorText(error), "error")) };
  }
  const csv = `/api/v1/reports/figures.csv?${new URLSearchParams(query())}`;
  const tiles = [
    [gettext("People supported"), data.people_supported],
    [gettext("New people"), data.new_people],
    [gettext("Came once"), data.came_once],
    [gettext("Sessions held"), data.sessions_held],
    [gettext("Attendances"), data.attendances],
    [gettext("Bookings"), data.bookings],
    [gettext("No-shows"), data.no_shows],
  ];
  const node = h("section", { class: "figures" },
    heading(gettext("Figures")),
    form,
    h("ul", { class: "tiles" },
      tiles.map(([label, value]) => h("li", null, h("span", { class: "value" }, fmt.number(value)), h("span", { class: "label" }, label))),
      h("li", null, h("span", { class: "value" }, fmt.percent(data.attendance_rate || 0)), h("span", { class: "label" }, gettext("Attendance rate")))),
    notice(data.space ? format(gettext("Figures for %(space)s alone."), { space: data.space.name }) : gettext("Figures count only the activities you can see."), "info"),
    h("h2", null, gettext("People each week")),
    h("p", { class: "legend" }, h("span", { class: "key" }), gettext("All people"), " ", h("span", { class: "key new" }), gettext("New people")),
    weekChart(data.by_week, format(gettext("People each week, %(from)s to %(to)s"), { from: fmt.date(data.date_from), to: fmt.date(data.date_to) })),
    h("details", null, h("summary", null, gettext("Show as a table")),
      h("table", null, h("thead", null, h("tr", null, h("th", { scope: "col" }, gettext("Week of")), h("th", { scope: "col" }, gettext("People")), h("th", { scope: "col" }, gettext("New people")), h("th", { scope: "col" }, gettext("Attendances")))),
        h("tbody", null, data.by_week.map((w) => h("tr", null, h("th", { scope: "row" }, fmt.date(w.week)), h("td", null, fmt.number(w.people)), h("td", null, fmt.number(w.new_people)), h("td", null, fmt.number(w.attendances))))))),
    h("h2", null, gettext("People by kind of activity")),
    breakdownChart(data.by_kind, gettext("People by kind of activity")),
    h("h2", null, gettext("People by activity")),
    breakdownChart(data.by_activity, gettext("People by activity")),
    h("p", null, link(gettext("Download as CSV"), csv, "download", { class: "button" })));
  return { node };
}
