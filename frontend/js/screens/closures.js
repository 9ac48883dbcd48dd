/* An organisation's terms and closures. A closure (Christmas, half-term, a
   venue shut for a day) cancels every session it covers among her activities
   at once, with one reason that everyone booked or waiting is told; undo puts
   them back. Terms give the schedule builder its dates. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";

const day = (iso) => fmt.date(`${iso}T12:00:00Z`);
const span = (a, b) => (a === b ? day(a) : `${day(a)} – ${day(b)}`);

export default async function closuresScreen({ app, refresh }) {
  const orgs = app.me?.coordinates || [];
  if (!orgs.length) {
    return {
      node: h(
        "section",
        { class: "closures" },
        link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
        heading(gettext("Terms and closures")),
        notice(gettext("Your organisation's coordinators keep its terms and closures.")),
      ),
    };
  }
  const [terms, closures, venues] = await Promise.all([apiAll("terms/"), apiAll("closures/"), apiAll("venues/")]);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const orgField =
    orgs.length > 1
      ? h(
          "label",
          null,
          h("span", null, gettext("Organisation")),
          h(
            "select",
            { name: "organisation" },
            orgs.map((o) => h("option", { value: o.id }, o.name)),
          ),
        )
      : h("input", { type: "hidden", name: "organisation", value: orgs[0]?.id || "" });
  const dates = (prefix) =>
    h(
      "div",
      { class: "row2" },
      h("label", null, h("span", null, gettext("First day")), h("input", { type: "date", name: "start_date", id: `${prefix}-start`, required: true, min: "2000-01-01", max: "2100-12-31" })),
      h("label", null, h("span", null, gettext("Last day")), h("input", { type: "date", name: "end_date", id: `${prefix}-end`, required: true, min: "2000-01-01", max: "2100-12-31" })),
    );

  const closureForm = h(
    "form",
    {
      class: "card",
      onsubmit: async (e) => {
        e.preventDefault();
        const f = e.currentTarget;
        const body = { organisation: f.organisation.value, reason: f.reason.value, start_date: f.start_date.value, end_date: f.end_date.value, venue: f.venue.value || null };
        const sure = await ask({
          title: gettext("Close and cancel these sessions?"),
          text: format(gettext("Every session of your activities from %(from)s to %(to)s is cancelled, and everyone booked or waiting is told: “%(reason)s”. You can undo it."), {
            from: body.start_date ? day(body.start_date) : "?",
            to: body.end_date ? day(body.end_date) : "?",
            reason: body.reason,
          }),
          confirm: gettext("Close and tell everyone"),
        });
        if (!sure) return;
        act(
          () => api("closures/", { method: "POST", body }),
          (r) =>
            format(ngettext("Closed. %(n)s session cancelled; everyone booked or waiting is being told.", "Closed. %(n)s sessions cancelled; everyone booked or waiting is being told.", r.cancelled), {
              n: fmt.number(r.cancelled),
            }),
        );
      },
    },
    h("h2", null, icon("plus"), gettext("Add a closure")),
    orgField,
    h("label", null, h("span", null, gettext("Reason (people booked are told)")), h("input", { name: "reason", required: true, maxlength: 300, placeholder: gettext("e.g. Closed for Christmas") })),
    dates("closure"),
    h(
      "label",
      null,
      h("span", null, gettext("Where")),
      h(
        "select",
        { name: "venue" },
        h("option", { value: "" }, gettext("Everywhere (all venues)")),
        venues.map((v) => h("option", { value: v.id }, v.name)),
      ),
    ),
    button(gettext("Close these days"), "cross", { type: "submit", class: "primary" }),
  );

  const termForm = h(
    "form",
    {
      class: "card",
      onsubmit: (e) => {
        e.preventDefault();
        const f = e.currentTarget;
        act(
          () => api("terms/", { method: "POST", body: { organisation: f.organisation.value, name: f.name.value, start_date: f.start_date.value, end_date: f.end_date.value } }),
          gettext("Term added."),
        );
      },
    },
    h("h2", null, icon("plus"), gettext("Add a term")),
    orgField.cloneNode(true),
    h("label", null, h("span", null, gettext("Name")), h("input", { name: "name", required: true, maxlength: 120, placeholder: gettext("e.g. Spring term") })),
    dates("term"),
    button(gettext("Add the term"), "plus", { type: "submit" }),
  );

  const undo = (c) => async () => {
    const sure = await ask({
      title: format(gettext("Undo “%(reason)s”?"), { reason: c.reason }),
      text: gettext("The sessions it cancelled run again, and the people booked are told."),
      confirm: gettext("Undo the closure"),
    });
    if (sure) {
      act(
        () => api(`closures/${c.id}/undo/`, { method: "POST" }),
        (r) =>
          [
            format(ngettext("%(n)s session is back on.", "%(n)s sessions are back on.", r.reinstated), { n: fmt.number(r.reinstated) }),
            r.not_reinstated
              ? format(ngettext("%(n)s could not be: its room is taken now.", "%(n)s could not be: their rooms are taken now.", r.not_reinstated), { n: fmt.number(r.not_reinstated) })
              : "",
          ]
            .join(" ")
            .trim(),
      );
    }
  };
  const removeTerm = (t) => () => act(() => api(`terms/${t.id}/`, { method: "DELETE" }), gettext("Term removed."));

  const node = h(
    "section",
    { class: "closures" },
    link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
    heading(gettext("Terms and closures")),
    result,
    h("h2", null, icon("cross"), gettext("Closures")),
    closures.length
      ? h(
          "ul",
          { class: "cards" },
          closures.map((c) =>
            h(
              "li",
              { class: `card closure${c.undone ? " undone" : ""}`, dataset: { closure: c.id } },
              h("strong", null, c.reason),
              h("br"),
              h("span", null, span(c.start_date, c.end_date), c.venue ? ` · ${c.venue.name}` : ""),
              h("br"),
              h(
                "span",
                { class: "muted" },
                c.undone ? gettext("Undone: the sessions run again.") : format(ngettext("%(n)s session cancelled", "%(n)s sessions cancelled", c.sessions), { n: fmt.number(c.sessions) }),
              ),
              !c.undone && h("div", { class: "actions" }, button(gettext("Undo"), "back", { onclick: undo(c), "aria-label": format(gettext("Undo “%(reason)s”"), { reason: c.reason }) })),
            ),
          ),
        )
      : notice(gettext("No closures.")),
    closureForm,
    h("h2", null, icon("calendar"), gettext("Terms")),
    terms.length
      ? h(
          "ul",
          { class: "cards" },
          terms.map((t) =>
            h(
              "li",
              { class: "card term" },
              h("strong", null, t.name),
              " · ",
              span(t.start_date, t.end_date),
              h("div", { class: "actions" }, button(gettext("Remove"), "cross", { class: "secondary", onclick: removeTerm(t), "aria-label": format(gettext("Remove %(name)s"), { name: t.name }) })),
            ),
          ),
        )
      : notice(gettext("No terms yet.")),
    termForm,
  );
  return { node };
}
