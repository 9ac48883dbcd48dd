/* An activity's queue, for its coordinator: the people waiting for a place in
   any upcoming session (the bike list), in order. A free place in any of its
   sessions goes to the first person whose group fits. She adds a person found
   by search, moves someone up or takes someone off, each with a reason that
   is recorded. */
import { api, apiAll } from "../api.js";
import { actions, h, heading, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { askWhy, lineTable, moveUpButton, removeButton } from "../line-table.js";
import { personSearch } from "../person-search.js";
import { QUEUE } from "../statuses.js";

export default async function queue({ params: [id], refresh }) {
  const [activity, entries] = await Promise.all([api(`activities/${id}/`), apiAll("queue-entries/", { activity: id })]);
  const waiting = entries.filter((e) => e.status === QUEUE.WAITING).sort((a, b) => a.position - b.position);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const name = (e) => e.participant.known_as;

  const moveUp = (e) => async () => {
    const answer = await askWhy({ title: format(gettext("Move %(name)s up?"), { name: name(e) }), confirm: gettext("Move up") });
    if (answer) act(() => api(`queue-entries/${e.id}/move-up/`, { method: "POST", body: { reason: answer.reason } }), format(gettext("%(name)s is first in the queue."), { name: name(e) }));
  };
  const remove = (e) => async () => {
    const answer = await askWhy({ title: format(gettext("Take %(name)s off the queue?"), { name: name(e) }), confirm: gettext("Take her off") });
    if (answer) act(() => api(`queue-entries/${e.id}/remove/`, { method: "POST", body: { reason: answer.reason } }), format(gettext("%(name)s is taken off the queue."), { name: name(e) }));
  };
  const add = (p) =>
    act(
      () => api("queue-entries/", { method: "POST", body: { activity: activity.id, participant: p.id } }),
      (e) =>
        e.status === QUEUE.WAITING
          ? format(gettext("%(name)s is in the queue: number %(n)s."), { name: p.known_as, n: fmt.number(e.position) })
          : format(gettext("%(name)s has a place in the next session with room."), { name: p.known_as }),
    );

  const node = h(
    "section",
    { class: "line queue" },
    link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
    heading(format(gettext("Queue: %(title)s"), { title: activity.title })),
    h("p", null, format(ngettext("%(n)s person waiting for a place in any session.", "%(n)s people waiting for a place in any session.", waiting.length), { n: fmt.number(waiting.length) })),
    h("p", { class: "muted" }, gettext("A place that frees in any upcoming session goes to the first person here whose group fits, after the session's own waiting list.")),
    result,
    waiting.length
      ? lineTable(waiting, {
          statusHeading: gettext("Place in the queue"),
          status: (e) => format(gettext("Number %(n)s"), { n: fmt.number(e.position) }),
          actions: (e) => [e.position > 1 && moveUpButton(e, moveUp(e)), removeButton(e, remove(e))],
          data: (e) => ({ entry: e.id }),
        })
      : notice(gettext("Nobody is in the queue.")),
    activity.booking_required && personSearch({ title: gettext("Add a person to the queue"), pickLabel: gettext("Add %(name)s"), pick: add }),
  );
  return { node, sensitive: Boolean(activity.space) };
}
