/* A coordinator runs an activity's list fairly: how it gives places (first
   come, lottery draws, rotation), the draws (announce a date and a number of
   places, draw, cancel with a reason, and each past draw's record a trustee
   can check), and the no-show rule. Every change asks for a reason or is
   recorded with her name. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { DRAW, QUEUE } from "../statuses.js";

export const ALLOCATIONS = {
  first_come: gettext("First come, first served"),
  lottery: gettext("Lottery draws for a number of places"),
  rotation: gettext("Rotation: people without a recent place go first"),
};

const STATUS = { announced: gettext("Announced"), drawn: gettext("Drawn"), cancelled: gettext("Cancelled") };

export default async function fairList({ params: [id], refresh }) {
  const [activity, rules, draws, rule, queue] = await Promise.all([
    api(`activities/${id}/`),
    api(`queue-rules/${id}/`),
    apiAll("queue-draws/", { activity: id }),
    api(`no-show-rules/${id}/`),
    apiAll("queue-entries/", { activity: id }),
  ]);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const waiting = queue.filter((q) => q.status === QUEUE.WAITING);

  const changeRules = async () => {
    const answer = await ask({
      title: gettext("How the list gives places"),
      confirm: gettext("Save"),
      fields: [
        { name: "allocation", label: gettext("Places go by"), value: rules.allocation, options: Object.entries(ALLOCATIONS) },
        { name: "rotation_weeks", type: "number", label: gettext("Rotation: a place in the last how many weeks?"), value: String(rules.rotation_weeks) },
      ],
      reasonLabel: gettext("Why? (kept in the record)"),
      reasonRequired: true,
    });
    if (answer) {
      act(
        () => api(`queue-rules/${id}/`, { method: "PUT", body: { allocation: answer.allocation, rotation_weeks: Number(answer.rotation_weeks) || 4, reason: answer.reason } }),
        gettext("Saved. The change is recorded."),
      );
    }
  };
  const announce = async () => {
    const answer = await ask({
      title: gettext("Announce a draw"),
      text: gettext("People on the list see the date and the number of places. The draw's seed is fixed now and shown after the draw."),
      confirm: gettext("Announce"),
      fields: [
        { name: "draw_at", type: "datetime-local", label: gettext("Date and time of the draw"), required: true },
        { name: "places", type: "number", label: gettext("Places in this draw"), value: "5", required: true },
      ],
    });
    if (answer) act(() => api("queue-draws/", { method: "POST", body: { activity: id, draw_at: answer.draw_at, places: Number(answer.places) } }), gettext("Draw announced."));
  };
  const draw = (d) => () => act(() => api(`queue-draws/${d.id}/draw/`, { method: "POST" }), gettext("Drawn. Everyone who entered has been told."));
  const cancel = (d) => async () => {
    const answer = await ask({ title: gettext("Cancel this draw?"), confirm: gettext("Cancel the draw"), reasonLabel: gettext("Why? (kept in the record)"), reasonRequired: true });
    if (answer) act(() => api(`queue-draws/${d.id}/cancel/`, { method: "POST", body: { reason: answer.reason } }), gettext("Draw cancelled."));
  };
  const setRule = async () => {
    const answer = await ask({
      title: gettext("No-show rule"),
      text: gettext("After this many sessions missed without telling us, her next place waits for a coordinator to confirm it. She is told, and sees her record."),
      confirm: gettext("Save"),
      fields: [
        { name: "after", type: "number", label: gettext("Missed sessions"), value: String(rule.after), required: true },
        { name: "weeks", type: "number", label: gettext("Within how many weeks"), value: String(rule.weeks), required: true },
      ],
    });
    if (answer) act(() => api(`no-show-rules/${id}/`, { method: "PUT", body: { after: Number(answer.after), weeks: Number(answer.weeks) } }), gettext("Saved."));
  };
  const removeRule = () => act(() => api(`no-show-rules/${id}/`, { method: "DELETE" }), gettext("The rule is off."));

  const drawCard = (d) =>
    h(
      "li",
      { class: `card draw ${d.status}`, dataset: { draw: d.id } },
      h("h3", null, `${STATUS[d.status] || d.status}: ${fmt.dateTime(d.draw_at)}`),
      h(
        "p",
        null,
        format(ngettext("%(n)s place", "%(n)s places", d.places), { n: fmt.number(d.places) }),
        d.status === DRAW.DRAWN && ` · ${format(gettext("%(entrants)s entered, %(winners)s drawn"), { entrants: fmt.number(d.entrants_count), winners: fmt.number(d.winners_count) })}`,
      ),
      d.status === DRAW.DRAWN && h("p", { class: "seed" }, gettext("Seed"), ": ", h("code", { dir: "ltr" }, d.seed)),
      d.status === DRAW.ANNOUNCED && h("p", { class: "seed muted" }, gettext("Seed fingerprint (SHA-256)"), ": ", h("code", { dir: "ltr" }, d.seed_sha256.slice(0, 16), "…")),
      d.cancel_reason && h("p", { class: "muted" }, d.cancel_reason),
      d.record &&
        d.record.winners.length > 0 &&
        h(
          "ol",
          { class: "winners" },
          d.record.winners.map((w) => h("li", null, w.known_as)),
        ),
      d.record &&
        h(
          "details",
          null,
          h("summary", null, gettext("Record")),
          h(
            "ul",
            { class: "audit" },
            d.record.audit.map((e) => h("li", null, `${fmt.dateTime(e.at)} · ${e.by} · ${e.action}${e.note ? `: ${e.note}` : ""}`)),
          ),
          // For a trustee: every entrant's ticket, to check with any SHA-256 tool.
          d.status === DRAW.DRAWN && h("p", null, link(gettext("Download the record for a trustee (CSV)"), `/api/v1/queue-draws/${d.id}/record/`, "download")),
        ),
      d.status === DRAW.ANNOUNCED &&
        h(
          "div",
          { class: "actions" },
          new Date(d.draw_at) <= new Date() && button(gettext("Draw now"), "check", { class: "primary", onclick: draw(d) }),
          button(gettext("Cancel the draw"), "cross", { class: "danger", onclick: cancel(d) }),
        ),
    );

  const announced = draws.find((d) => d.status === DRAW.ANNOUNCED);
  const node = h(
    "section",
    { class: "fair-list" },
    link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
    heading(format(gettext("List and rules: %(title)s"), { title: activity.title })),
    result,
    h("h2", null, icon("people"), gettext("How the list gives places")),
    h(
      "p",
      { class: "allocation" },
      h("strong", null, ALLOCATIONS[rules.allocation]),
      rules.allocation === "rotation" && ` (${format(gettext("%(n)s weeks"), { n: fmt.number(rules.rotation_weeks) })})`,
    ),
    h("p", null, format(gettext("Waiting on the list: %(n)s"), { n: fmt.number(waiting.length) })),
    h("p", { class: "actions" }, button(gettext("Change how places are given"), "settings", { onclick: changeRules })),
    rules.allocation === "lottery" && [
      h("h2", null, icon("calendar"), gettext("Draws")),
      !announced && h("p", { class: "actions" }, button(gettext("Announce a draw"), "plus", { class: "primary", onclick: announce })),
      draws.length ? h("ul", { class: "cards draws" }, draws.map(drawCard)) : notice(gettext("No draws yet.")),
    ],
    h("h2", null, icon("clock"), gettext("No-show rule")),
    rule.enabled
      ? h(
          "p",
          { class: "rule" },
          format(gettext("On: after %(n)s missed sessions in %(weeks)s weeks, her next place waits for a coordinator."), { n: fmt.number(rule.after), weeks: fmt.number(rule.weeks) }),
        )
      : notice(gettext("Off: missed sessions never hold anyone back here.")),
    h(
      "p",
      { class: "actions" },
      button(rule.enabled ? gettext("Change the rule") : gettext("Turn the rule on"), "settings", { onclick: setRule }),
      rule.enabled && button(gettext("Turn the rule off"), "cross", { onclick: removeRule }),
    ),
    rule.enabled && h("p", { class: "muted" }, gettext("To confirm someone's place and lift the rule for her, open the session's waiting list.")),
  );
  return { node, sensitive: Boolean(activity.space) };
}
