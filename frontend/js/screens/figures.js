/* Figures for funders: people supported, new people, attendances and the
   rest for a period, charts drawn here as SVG (a table beside each for screen
   readers), and the CSV download. An organisation's coordinator picks one of
   her organisations; a women-only space's coordinator her space (its figures
   alone). Every figure counts only what the viewer may see. */
import { api, errorText } from "../api.js";
import { h, heading, link, notice, select } from "../dom.js";
import { addDays, fmt, format, gettext, KINDS, londonDate } from "../i18n.js";

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

/* The period presets, from today's London date (YYYY-MM-DD): this month so
   far; the last whole calendar quarter; this UK financial year so far (from
   1 April); last calendar year. Pure, so a test can give it any day. */
export function periods(today) {
  const [y, m] = today.split("-").map(Number);
  const iso = (year, month, day) => `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  const q = Math.floor((m - 1) / 3); // this quarter, 0..3
  const [qy, qm] = q === 0 ? [y - 1, 10] : [y, 3 * (q - 1) + 1];
  const fy = m >= 4 ? y : y - 1;
  return {
    month: { date_from: iso(y, m, 1), date_to: today },
    quarter: { date_from: iso(qy, qm, 1), date_to: addDays(qm === 10 ? iso(qy + 1, 1, 1) : iso(qy, qm + 3, 1), -1) },
    financial_year: { date_from: iso(fy, 4, 1), date_to: today },
    last_year: { date_from: iso(y - 1, 1, 1), date_to: iso(y - 1, 12, 31) },
  };
}

// Words only the spreadsheet summary uses (backend/reports/api.py translates
// it from this catalogue): marked here so the catalogues keep them.
export const SUMMARY_WORDS = [gettext("Section"), gettext("Number"), gettext("Space"), gettext("Totals"), gettext("Activity")];

const PRESETS = [
  ["month", gettext("This month")],
  ["quarter", gettext("Last quarter")],
  ["financial_year", gettext("This financial year")],
  ["last_year", gettext("Last year")],
];

/* Vertical bars, one per week, with both axes labelled: people up the side,
   the week's Monday along the bottom (drawn from the reading side, so in
   Arabic and Farsi the first week is on the right and the words read true). */
function weekChart(weeks, label) {
  const width = 320;
  const height = 120;
  const left = 34; // room for the people scale and its title
  const pad = 6;
  const base = pad + height;
  const rtl = document.documentElement.dir === "rtl";
  const top = Math.max(1, ...weeks.map((w) => w.people));
  const plot = width - left - pad;
  const bar = Math.min(plot / Math.max(weeks.length, 1), 40); // one week is a bar, not a wall
  const x = (i, w) => (rtl ? width - left - i * bar - w : left + i * bar);
  const yAxis = rtl ? width - left : left;
  const every = Math.max(1, Math.ceil(weeks.length / 4));
  const ticks = [...new Set([0, Math.round(top / 2), top])];
  // Each text says its own direction: the anchors below are placed as for
  // left-to-right, whatever the page's direction.
  const text = (attrs, words) => svg("text", { direction: "ltr", ...attrs }, words);
  const side = rtl ? 1 : -1;
  const yTitle = rtl ? width - 10 : 10;
  return svg(
    "svg",
    { viewBox: `0 0 ${width} ${base + 34}`, role: "img", "aria-label": label, class: "chart" },
    ...ticks.map((t) => text({ x: yAxis + 4 * side, y: base - (t / top) * height + 3, class: "tick", "text-anchor": rtl ? "start" : "end" }, fmt.number(t))),
    ...weeks.map((w, i) => {
      const tall = (w.people / top) * height;
      const fresh = (w.new_people / top) * height;
      const wide = Math.max(bar - 2, 1);
      return svg(
        "g",
        {},
        svg("rect", { x: x(i, wide) + (rtl ? -1 : 1), y: base - tall, width: wide, height: tall, class: "bar" }),
        svg("rect", { x: x(i, wide) + (rtl ? -1 : 1), y: base - fresh, width: wide, height: fresh, class: "bar new" }),
        svg("title", {}, `${format(gettext("Week of %(date)s"), { date: fmt.date(w.week) })}: ${fmt.number(w.people)}`),
      );
    }),
    ...weeks.flatMap((w, i) => (i % every ? [] : [text({ x: x(i, 0) - side, y: base + 12, class: "tick", "text-anchor": rtl ? "end" : "start" }, fmt.days(w.week, w.week))])),
    svg("line", { x1: rtl ? pad : left, y1: base, x2: rtl ? width - left : width - pad, y2: base, class: "axis" }),
    svg("line", { x1: yAxis, y1: pad, x2: yAxis, y2: base, class: "axis" }),
    text({ x: width / 2, y: base + 30, class: "axis-title", "text-anchor": "middle" }, gettext("Week of")),
    text({ x: yTitle, y: base / 2, class: "axis-title", "text-anchor": "middle", transform: `rotate(-90 ${yTitle} ${base / 2})` }, gettext("People")),
  );
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
  return h(
    "ul",
    { class: "hbars", "aria-label": label },
    rows.map((r) => h("li", null, h("span", { class: "label" }, r.label), h("span", { class: "track" }, fill((100 * r.people) / top)), h("span", { class: "value" }, fmt.number(r.people)))),
  );
}

export default async function figures({ app, refresh }) {
  const scopes = [...(app.me?.coordinates || []).map((o) => [`organisation:${o.id}`, o.name]), ...(app.me?.coordinates_spaces || []).map((s) => [`space:${s.id}`, s.name])];
  if (!scopes.some(([value]) => value === state.scope)) state.scope = scopes[0]?.[0] || "";
  state.date_to ||= londonDate();
  state.date_from ||= addDays(state.date_to, -364);
  const form = h(
    "form",
    {
      class: "filters",
      onsubmit: (e) => e.preventDefault(),
      onchange: (e) => {
        const f = e.currentTarget;
        Object.assign(state, { scope: f.scope.value, date_from: f.date_from.value, date_to: f.date_to.value });
        refresh();
      },
    },
    select("scope", gettext("Organisation"), scopes, state.scope),
    h("label", null, h("span", null, gettext("From")), h("input", { type: "date", name: "date_from", value: state.date_from })),
    h("label", null, h("span", null, gettext("To")), h("input", { type: "date", name: "date_to", value: state.date_to })),
  );
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
  const summary = `/api/v1/reports/figures.csv?${new URLSearchParams({ ...query(), headers: "human" })}`;
  const presets = periods(londonDate());
  const choose = h(
    "div",
    { class: "presets no-print", role: "group", "aria-label": gettext("Period") },
    PRESETS.map(([key, words]) => {
      const period = presets[key];
      const on = period.date_from === state.date_from && period.date_to === state.date_to;
      return h(
        "button",
        {
          type: "button",
          class: "button secondary",
          "aria-pressed": String(on),
          onclick: () => {
            Object.assign(state, period);
            refresh();
          },
        },
        words,
      );
    }),
  );
  // No bookings (drop-ins): no rate to give, rather than a 0% that is not true.
  const rate = data.attendance_rate === null ? "\u2014" : fmt.percent(data.attendance_rate);
  const kinds = data.by_kind.map((r) => ({ ...r, label: KINDS[r.key] || r.label }));
  const tiles = [
    [gettext("People supported"), data.people_supported],
    [gettext("New people"), data.new_people],
    [gettext("Came once"), data.came_once],
    [gettext("Sessions held"), data.sessions_held],
    [gettext("Attendances"), data.attendances],
    [gettext("Bookings"), data.bookings],
    [gettext("No-shows"), data.no_shows],
  ];
  const node = h(
    "section",
    { class: "figures" },
    heading(gettext("Figures")),
    form,
    choose,
    h(
      "p",
      { class: "period" },
      format(gettext("%(organisation)s, %(from)s to %(to)s"), {
        organisation: data.space ? data.space.name : data.organisation.name,
        from: fmt.date(data.date_from),
        to: fmt.date(data.date_to),
      }),
    ),
    h(
      "ul",
      { class: "tiles" },
      tiles.map(([label, value]) => h("li", null, h("span", { class: "value" }, fmt.number(value)), h("span", { class: "label" }, label))),
      h(
        "li",
        null,
        h("span", { class: "value" }, rate),
        h("span", { class: "label" }, gettext("Attendance rate")),
        data.attendance_rate === null && h("span", { class: "hint" }, gettext("Nothing was booked: drop-ins only.")),
      ),
    ),
    notice(data.space ? format(gettext("Figures for %(space)s alone."), { space: data.space.name }) : gettext("Figures count only the activities you can see."), "info"),
    h("h2", null, gettext("People each week")),
    h("p", { class: "legend" }, h("span", { class: "key" }), gettext("All people"), " ", h("span", { class: "key new" }), gettext("New people")),
    weekChart(data.by_week, format(gettext("People each week, %(from)s to %(to)s"), { from: fmt.date(data.date_from), to: fmt.date(data.date_to) })),
    h(
      "details",
      null,
      h("summary", null, gettext("Show as a table")),
      h(
        "table",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, gettext("Week of")),
            h("th", { scope: "col" }, gettext("People")),
            h("th", { scope: "col" }, gettext("New people")),
            h("th", { scope: "col" }, gettext("Attendances")),
          ),
        ),
        h(
          "tbody",
          null,
          data.by_week.map((w) =>
            h("tr", null, h("th", { scope: "row" }, fmt.date(w.week)), h("td", null, fmt.number(w.people)), h("td", null, fmt.number(w.new_people)), h("td", null, fmt.number(w.attendances))),
          ),
        ),
      ),
    ),
    h("h2", null, gettext("People by kind of activity")),
    breakdownChart(kinds, gettext("People by kind of activity")),
    h("h2", null, gettext("People by activity")),
    breakdownChart(data.by_activity, gettext("People by activity")),
    h(
      "p",
      { class: "actions no-print" },
      link(gettext("Download for a spreadsheet"), summary, "download", { class: "button" }),
      link(gettext("Download as CSV"), csv, "download", { class: "button secondary" }),
      h("button", { type: "button", class: "button secondary", onclick: () => window.print() }, gettext("Print")),
    ),
  );
  return { node };
}
