/* The coordinator's table of a line: a session's bookings and waiting list
   (screens/line.js) and an activity's queue (screens/queue.js). One row a
   person: her name, her status or number, her places, and her actions. Moving
   someone up and taking someone off ask why, and the reason is recorded. */
import { ask, button, h } from "./dom.js";
import { fmt, format, gettext } from "./i18n.js";

const name = (row) => row.participant.known_as;

// `status(row)`: the second column, headed `statusHeading`; `actions(row)`:
// her buttons (falsy ones are left out); `data(row)`: the row's data-* attributes.
export function lineTable(rows, { statusHeading, status, actions, data }) {
  const th = (text) => h("th", { scope: "col" }, text);
  return h(
    "table",
    { class: "line-table" },
    h("thead", null, h("tr", null, th(gettext("Name")), th(statusHeading), th(gettext("Places")), th(h("span", { class: "visually-hidden" }, gettext("Actions"))))),
    h(
      "tbody",
      null,
      rows.map((row) =>
        h(
          "tr",
          { dataset: data(row) },
          h("th", { scope: "row" }, name(row)),
          h("td", null, status(row)),
          h("td", { dataset: { label: gettext("Places:") } }, fmt.number(row.places)),
          h("td", null, h("div", { class: "actions" }, actions(row))),
        ),
      ),
    ),
  );
}

// A coordinator's change that needs her reason (kept in the record).
export const askWhy = (options) => ask({ reasonLabel: gettext("Why? (kept in the record)"), reasonRequired: true, ...options });

export const moveUpButton = (row, onclick) => button(gettext("Move up"), "arrow", { "aria-label": format(gettext("Move %(name)s up"), { name: name(row) }), onclick });

export const removeButton = (row, onclick) => button(gettext("Remove"), "cross", { class: "danger", "aria-label": format(gettext("Take %(name)s off"), { name: name(row) }), onclick });
