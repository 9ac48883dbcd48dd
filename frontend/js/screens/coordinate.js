/* The coordinator's desk: access requests to decide, sessions flagged for
   review, and this week's sessions to message, cancel, move or reinstate,
   with their waiting lists one tap away. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { addDays, fmt, format, gettext, londonDate } from "../i18n.js";
import { messageEveryone } from "../message.js";
import { byDay, sessionCard } from "../sessions.js";
import { SESSION } from "../statuses.js";

/* "2027-01-05T18:00" in London, for a datetime-local input. */
const localInput = (iso) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/London",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(new Date(iso))
    .replace(" ", "T");

export default async function coordinate({ refresh, app }) {
  const from = londonDate();
  const [requests, sessions] = await Promise.all([apiAll("access-requests/", { status: "pending" }), apiAll("sessions/", { registers: "true", date_from: from, date_to: addDays(from, 13) })]);
  const result = h("div", { class: "result", "aria-live": "polite" });

  const act = actions(result, refresh);

  const decide = (request, verdict) => async () => {
    const answer = await ask({
      title: verdict === "approve" ? gettext("Let her join?") : gettext("Decline her request?"),
      text: request.space.name,
      confirm: verdict === "approve" ? gettext("Approve") : gettext("Decline"),
      reasonLabel: gettext("Note (optional)"),
    });
    if (answer) act(() => api(`access-requests/${request.id}/${verdict}/`, { method: "POST", body: { note: answer.reason || "" } }), gettext("Done."));
  };

  const cancel = (s) => async () => {
    const answer = await ask({
      title: format(gettext("Cancel %(title)s?"), { title: s.activity.title }),
      text: `${fmt.day(s.start)}, ${fmt.span(s.start, s.end)}`,
      confirm: gettext("Cancel the session"),
      reasonLabel: gettext("Reason (people booked are told)"),
      reasonRequired: true,
    });
    if (answer) act(() => api(`sessions/${s.id}/cancel/`, { method: "POST", body: { reason: answer.reason } }), gettext("Session cancelled. People booked will be told."));
  };
  const move = (s) => async () => {
    // Only rooms the API shows her, each with what it holds.
    const venues = await apiAll("venues/");
    const rooms = venues.flatMap((v) => v.rooms.map((r) => [r.id, format(gettext("%(venue)s: %(room)s (holds %(n)s)"), { venue: v.name, room: r.name, n: fmt.number(r.capacity) })]));
    const answer = await ask({
      title: format(gettext("Move %(title)s"), { title: s.activity.title }),
      confirm: gettext("Move the session"),
      fields: [
        { name: "start", type: "datetime-local", label: gettext("New start"), value: localInput(s.start), required: true },
        { name: "end", type: "datetime-local", label: gettext("New end"), value: localInput(s.end), required: true },
        { name: "room", label: gettext("Room"), value: s.room.id, options: rooms },
      ],
    });
    // Naive local times: the API reads them in Europe/London.
    const body = { start: answer?.start, end: answer?.end };
    if (answer && answer.room && answer.room !== s.room.id) body.room = answer.room;
    if (answer) act(() => api(`sessions/${s.id}/move/`, { method: "POST", body }), gettext("Session moved. People booked will be told."));
  };
  const message = (s) => () =>
    messageEveryone(act, {
      path: `sessions/${s.id}/message/`,
      title: s.activity.title,
      text: `${fmt.day(s.start)}, ${fmt.span(s.start, s.end)}`,
      space: s.activity.space,
    });
  const reinstate = (s) => () => act(() => api(`sessions/${s.id}/reinstate/`, { method: "POST" }), gettext("Session reinstated."));

  const card = (s) => {
    const item = sessionCard(s, { staff: true });
    item.append(
      h(
        "div",
        { class: "actions" },
        link(gettext("Waiting list"), `#/line/${s.id}`, "people", { class: "button" }),
        link(gettext("Register"), `#/register/${s.id}`, "clipboard", { class: "button" }),
        s.status === SESSION.CANCELLED
          ? button(gettext("Reinstate"), "check", { onclick: reinstate(s) })
          : [
              button(gettext("Message everyone booked"), "bell", { onclick: message(s) }),
              button(gettext("Move"), "arrow", { onclick: move(s) }),
              button(gettext("Cancel"), "cross", { class: "danger", onclick: cancel(s) }),
            ],
      ),
    );
    return item;
  };

  const flagged = sessions.filter((s) => s.needs_review);
  const node = h(
    "section",
    { class: "coordinate" },
    heading(gettext("Coordinate")),
    h(
      "p",
      { class: "actions" },
      link(gettext("Activities"), "#/activities", "list", { class: "button primary" }),
      link(gettext("Terms and closures"), "#/closures", "calendar", { class: "button" }),
      link(gettext("Add a learner and give a sign-in code"), "#/learners", "key", { class: "button" }),
      link(gettext("Learner progress and certificates"), "#/learner-progress", "check", { class: "button" }),
      link(gettext("Figures for funders"), "#/figures", "chart", { class: "button" }),
      (app.me?.coordinates_spaces || []).map((sp) => link(format(gettext("Members of %(space)s"), { space: sp.name }), `#/space/${sp.id}`, "shield", { class: "button" })),
    ),
    result,
    h("h2", null, icon("shield"), gettext("Requests to join")),
    requests.length
      ? h(
          "ul",
          { class: "cards" },
          requests.map((r) =>
            h(
              "li",
              { class: "card", dataset: { request: r.id } },
              h("strong", null, r.user.known_as || r.user.username),
              " · ",
              r.space.name,
              r.message && h("blockquote", null, r.message),
              h("p", { class: "muted" }, fmt.dateTime(r.created_at)),
              h(
                "div",
                { class: "actions" },
                button(gettext("Approve"), "check", { class: "primary", onclick: decide(r, "approve") }),
                button(gettext("Decline"), "cross", { onclick: decide(r, "decline") }),
              ),
            ),
          ),
        )
      : notice(gettext("No requests waiting.")),
    flagged.length > 0 && [
      h("h2", null, gettext("Needs review")),
      h(
        "ul",
        { class: "sessions" },
        flagged.map((s) => {
          const item = card(s);
          item.append(notice(s.review_note, "warn"));
          return item;
        }),
      ),
    ],
    h("h2", null, icon("calendar"), gettext("The next two weeks")),
    sessions.length ? byDay(sessions, card) : notice(gettext("No sessions.")),
  );
  return { node, sensitive: sessions.some((s) => s.activity.space) || requests.length > 0 };
}
