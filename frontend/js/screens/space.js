/* Her space, for its coordinators: the members, each of whom she can take
   out with a reason, and a search to give access to someone she works with (recorded in the space's log; the woman's places in its
   sessions end and go to the line), and the space's log. Women she registers
   at the space get it in the same step (Learners and sign-in codes); requests
   to join are decided on the Coordinate screen. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { personSearch } from "../person-search.js";

const ACTIONS = () => ({
  access_granted: gettext("Given access"),
  access_revoked: gettext("Access taken away"),
  access_requested: gettext("Asked to join"),
  access_request_approved: gettext("Request approved"),
  access_request_declined: gettext("Request declined"),
  access_request_withdrawn: gettext("Request withdrawn"),
  access_suspended: gettext("Access suspended"),
  coordinator_appointed: gettext("Made a coordinator"),
  coordinator_removed: gettext("No longer a coordinator"),
});

export default async function space({ params: [id], refresh, app }) {
  const [detail, members, log] = await Promise.all([api(`spaces/${id}/`), apiAll(`spaces/${id}/members/`), api(`spaces/${id}/audit/`, { params: { page_size: 20 } })]);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const who = (p) => (p ? p.known_as || p.username : gettext("The server's team"));
  const revoke = (m) => async () => {
    const answer = await ask({
      title: format(gettext("Take %(name)s out of %(space)s?"), { name: who(m), space: detail.name }),
      text: gettext("She no longer sees its sessions; her places in them end and go to the next person waiting."),
      confirm: gettext("Take her out"),
      reasonLabel: gettext("Why? (kept in the space's log)"),
      reasonRequired: true,
    });
    if (answer) act(() => api(`spaces/${id}/revoke/`, { method: "POST", body: { username: m.username, note: answer.reason } }), format(gettext("%(name)s is no longer a member."), { name: who(m) }));
  };
  // A woman she already works with (found by name or phone, among the people
  // she may see) is given the space directly; recorded in the space's log.
  const grant = (p) => act(() => api(`spaces/${id}/grant/`, { method: "POST", body: { participant: p.id } }), format(gettext("%(name)s is now a member."), { name: p.known_as }));
  const names = ACTIONS();
  const node = h(
    "section",
    { class: "space-desk" },
    link(gettext("Back to coordinating"), "#/coordinate", "back", { class: "back" }),
    heading(detail.name),
    h(
      "p",
      { class: "actions" },
      link(gettext("Add a learner and give a sign-in code"), "#/learners", "key", { class: "button primary" }),
      link(gettext("Figures for funders"), "#/figures", "chart", { class: "button" }),
    ),
    result,
    h("h2", null, icon("people"), format(ngettext("Members: %(n)s person", "Members: %(n)s people", members.length), { n: fmt.number(members.length) })),
    members.length
      ? h(
          "ul",
          { class: "cards members" },
          members.map((m) =>
            h(
              "li",
              { class: "card member", dataset: { member: m.id } },
              h("strong", null, who(m)),
              m.id !== app.me?.id && button(gettext("Take out"), "cross", { class: "danger", "aria-label": format(gettext("Take %(name)s out"), { name: who(m) }), onclick: revoke(m) }),
            ),
          ),
        )
      : notice(gettext("No members yet.")),
    personSearch({ title: format(gettext("Give someone access to %(space)s"), { space: detail.name }), pickLabel: gettext("Give %(name)s access"), pick: grant }),
    h("h2", null, icon("list"), gettext("The space's log")),
    log.results.length
      ? h(
          "ul",
          { class: "log" },
          log.results.map((e) =>
            h(
              "li",
              null,
              h("span", { class: "muted" }, fmt.dateTime(e.at)),
              " · ",
              names[e.action] || e.action,
              e.subject && `: ${who(e.subject)}`,
              ` (${who(e.actor)})`,
              e.note && h("q", null, e.note),
            ),
          ),
        )
      : notice(gettext("Nothing yet.")),
  );
  return { node, sensitive: true };
}
