/* A course: "Enrol for the term", with crèche places for her children in the
   same step (docs/courses.md). She gives each child's birth month and year
   only; a name is optional ("Child 1" otherwise). Enrolled, she sees how many
   sessions she holds and can cancel; when the course is full she is in its
   line and sees her number. */
import { api, apiAll } from "../api.js";
import { actions, ask, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, ngettext } from "../i18n.js";
import { scheduleText } from "./activity-form.js";
import { ENROLMENT, ENROLMENT_LIVE } from "../statuses.js";

const YEAR = new Intl.NumberFormat(document.documentElement.lang || "en", { useGrouping: false });

/* "Child 1" unless she gave a name. */
export const childName = (child, index) => child.label || format(gettext("Child %(n)s"), { n: fmt.number(child.number || index + 1) });

function monthOptions() {
  const names = new Intl.DateTimeFormat(document.documentElement.lang || "en", { month: "long", timeZone: "UTC" });
  return Array.from({ length: 12 }, (_, i) => [String(i + 1), names.format(new Date(Date.UTC(2024, i, 1)))]);
}

function childRow(index, remove) {
  const year = new Date().getFullYear();
  const years = Array.from({ length: 6 }, (_, i) => String(year - i));
  const id = `child-${index}`;
  return h(
    "fieldset",
    { class: "child", dataset: { child: String(index) } },
    h("legend", null, format(gettext("Child %(n)s"), { n: fmt.number(index + 1) })),
    h("label", { for: `${id}-month` }, gettext("Born in (month)")),
    h(
      "select",
      { id: `${id}-month`, name: "birth_month", required: true },
      monthOptions().map(([v, w]) => h("option", { value: v }, w)),
    ),
    h("label", { for: `${id}-year` }, gettext("Year")),
    h(
      "select",
      { id: `${id}-year`, name: "birth_year", required: true },
      years.map((y) => h("option", { value: y }, YEAR.format(Number(y)))),
    ),
    h("label", { for: `${id}-label` }, gettext("Name (optional)")),
    h("input", { id: `${id}-label`, name: "label", maxlength: 40, autocomplete: "off" }),
    button(gettext("Remove"), "cross", { class: "secondary", onclick: remove }),
  );
}

function readChildren(list) {
  return [...list.querySelectorAll("fieldset.child")].map((row) => ({
    birth_month: Number(row.querySelector("[name=birth_month]").value),
    birth_year: Number(row.querySelector("[name=birth_year]").value),
    label: row.querySelector("[name=label]").value.trim(),
  }));
}

export default async function courseScreen({ params: [id], app, refresh }) {
  const activity = await api(`activities/${id}/`);
  const mine = app.me ? (await apiAll("enrolments/", { activity: id })).filter((e) => e.participant && ENROLMENT_LIVE.includes(e.status)) : [];
  const enrolment = mine.find((e) => e.status === ENROLMENT.CONFIRMED) || mine[0];
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const key = crypto.randomUUID(); // one per drawing: a double tap is one enrolment

  const children = h("div", { class: "children" });
  let count = 0;
  const addChild = () => {
    const index = count;
    count += 1;
    const row = childRow(index, () => row.remove());
    children.append(row);
    row.querySelector("select").focus();
  };

  const enrol = () =>
    act(
      () => api("enrolments/", { method: "POST", body: { activity: id, children: readChildren(children) }, headers: { "Idempotency-Key": key } }),
      (e) =>
        e.status === ENROLMENT.CONFIRMED
          ? [
              format(ngettext("You are enrolled for the term: %(n)s session.", "You are enrolled for the term: %(n)s sessions.", e.sessions), { n: fmt.number(e.sessions) }),
              e.children.length
                ? ` ${format(ngettext("A crèche place for %(n)s child at each one.", "Crèche places for %(n)s children at each one.", e.children.length), { n: fmt.number(e.children.length) })}`
                : "",
            ].join("")
          : format(gettext("The course is full. You are number %(n)s in its line: we send you a message when there is room for you."), { n: fmt.number(e.position) }),
    );
  const cancel = async () => {
    const sure = await ask({ title: gettext("Cancel your enrolment?"), text: gettext("Your places on the sessions still to come go to the next person waiting."), confirm: gettext("Yes, cancel") });
    if (sure) act(() => api(`enrolments/${enrolment.id}/cancel/`, { method: "POST" }), gettext("Cancelled. Thank you for telling us."));
  };

  const controls = [];
  if (!app.me) {
    controls.push(link(gettext("Sign in to enrol"), `#/sign-in?next=${encodeURIComponent(`/course/${id}`)}`, "key", { class: "button primary" }));
  } else if (enrolment) {
    controls.push(
      h(
        "p",
        { class: `mine ${enrolment.status}` },
        icon("ticket"),
        enrolment.status === ENROLMENT.CONFIRMED
          ? format(ngettext("Enrolled for the term: %(n)s session to come.", "Enrolled for the term: %(n)s sessions to come.", enrolment.sessions), { n: fmt.number(enrolment.sessions) })
          : format(gettext("In the course's line: number %(n)s"), { n: fmt.number(enrolment.position) }),
      ),
    );
    if (enrolment.children.length) controls.push(h("p", null, gettext("Crèche:"), " ", enrolment.children.map(childName).join(fmt.comma)));
    controls.push(button(enrolment.status === ENROLMENT.CONFIRMED ? gettext("Cancel my enrolment") : gettext("Leave the line"), "cross", { class: "danger", onclick: cancel }));
  } else if (activity.booking_required) {
    if (activity.creche_staff > 0) {
      controls.push(
        h("h2", null, gettext("Crèche places for your children")),
        h("p", { class: "hint" }, gettext("For children under 5. We only need the month and year each child was born.")),
        children,
        button(gettext("Add a child"), "plus", { onclick: addChild }),
      );
    }
    controls.push(button(gettext("Enrol for the term"), "ticket", { class: "primary", onclick: enrol }));
  }

  const node = h(
    "article",
    { class: "session-detail course" },
    link(gettext("Back to the timetable"), "#/", "back", { class: "back" }),
    heading(h("bdi", null, activity.title)),
    h("p", { class: "badges" }, h("span", { class: "badge" }, gettext("Course")), activity.creche_staff > 0 && h("span", { class: "badge" }, gettext("Crèche"))),
    h(
      "dl",
      null,
      h("dt", null, icon("calendar"), gettext("When")),
      // A rule the builder cannot describe is the coordinator's business: she sees the first day.
      h(
        "dd",
        null,
        activity.schedule.builder ? scheduleText(activity.schedule) : fmt.day(activity.schedule.start_date),
        ", ",
        `${activity.schedule.start_time.slice(0, 5)}–${activity.schedule.end_time.slice(0, 5)}`,
      ),
      (activity.course_starts || activity.course_ends) && [
        h("dt", null, icon("clock"), gettext("Term")),
        h("dd", null, [activity.course_starts && fmt.day(activity.course_starts), activity.course_ends && fmt.day(activity.course_ends)].filter(Boolean).join(" – ")),
      ],
      h("dt", null, icon("pin"), gettext("Where")),
      h("dd", null, h("bdi", null, activity.venue.name), fmt.comma, h("bdi", null, activity.room.name)),
    ),
    activity.description && h("p", { class: "description", dir: "auto" }, activity.description),
    h("p", { class: "hint" }, gettext("One enrolment gives you a place at every session of the term still to come.")),
    h("div", { class: "actions stack" }, controls),
    result,
    !enrolment && app.me && activity.booking_required && notice(gettext("If a session is full you join the course's line and keep your number."), "info"),
  );
  return { node, sensitive: Boolean(activity.space) };
}
