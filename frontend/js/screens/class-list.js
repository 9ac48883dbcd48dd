/* The term's class list of a course, for its coordinators (docs/courses.md):
   who is enrolled (with their children's crèche places), the course's line
   in order, and each session still to come with places and crèche room left.
   A coordinator enrols someone by name or phone from here. */
import { api, apiAll, errorText } from "../api.js";
import { actions, ask, button, h, heading, link, notice, say } from "../dom.js";
import { fmt, format, gettext } from "../i18n.js";
import { childName } from "./course.js";
import { ENROLMENT } from "../statuses.js";

const BANDS = () => ({ under_2: gettext("under 2"), age_2: gettext("aged 2"), age_3_4: gettext("aged 3 to 4") });

/* Her band on the day of `session` (bookings/creche.py: whole months, born on the 1st). */
const band = (child, session) => {
  const day = new Date(session.start);
  const months = (day.getFullYear() - child.birth_year) * 12 + (day.getMonth() + 1 - child.birth_month);
  return months < 24 ? "under_2" : months < 36 ? "age_2" : "age_3_4";
};

export default async function classList({ params: [id], refresh }) {
  const list = await api(`class-lists/${id}/`);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const bands = BANDS();
  const next = list.sessions[0];
  const childrenText = (e) => (e.children.length ? e.children.map((c, i) => (next ? `${childName(c, i)} (${bands[band(c, next)]})` : childName(c, i))).join(fmt.comma) : "—");

  const found = h("ul", { class: "cards found" });
  const search = async (event) => {
    event.preventDefault();
    const q = event.target.querySelector("input").value.trim();
    if (!q) return;
    try {
      const people = await apiAll("participants/", { q });
      found.replaceChildren(
        ...(people.length
          ? people.slice(0, 10).map((p) =>
              h(
                "li",
                { class: "card" },
                h("bdi", null, p.known_as),
                " ",
                button(gettext("Enrol"), "plus", {
                  class: "primary",
                  onclick: () =>
                    act(
                      () => api("enrolments/", { method: "POST", body: { activity: id, participant: p.id } }),
                      (e) =>
                        e.status === ENROLMENT.CONFIRMED
                          ? format(gettext("%(name)s is enrolled for the term."), { name: p.known_as })
                          : format(gettext("The course is full: %(name)s is number %(n)s in its line."), { name: p.known_as, n: fmt.number(e.position) }),
                    ),
                }),
              ),
            )
          : [h("li", null, gettext("Nobody found."))]),
      );
    } catch (error) {
      say(result, errorText(error), "error");
    }
  };

  // One session's own crèche staff (empty: the course's number); the server
  // refuses fewer than the children booked need, and says so.
  const staff = (s) => async () => {
    const answer = await ask({
      title: format(gettext("Crèche staff on %(day)s"), { day: fmt.day(s.start) }),
      text: format(gettext("Leave it empty for the course's number (%(n)s). Crèche places follow the ratios."), { n: fmt.number(list.creche_staff) }),
      confirm: gettext("Save"),
      fields: [{ name: "staff", label: gettext("Crèche staff"), type: "number", value: s.creche_staff_own ?? "" }],
    });
    if (answer) act(() => api(`sessions/${s.id}/creche-staff/`, { method: "POST", body: { creche_staff: answer.staff === "" ? null : Number(answer.staff) } }), gettext("Saved."));
  };

  const row = (e, waiting) =>
    h(
      "tr",
      { dataset: { enrolment: e.id } },
      h("th", { scope: "row" }, h("bdi", null, e.participant.known_as)),
      h("td", null, waiting ? format(gettext("Waiting: number %(n)s"), { n: fmt.number(e.position) }) : fmt.number(e.places)),
      h("td", null, childrenText(e)),
    );
  const table = (rows, waiting) =>
    h(
      "table",
      null,
      h(
        "thead",
        null,
        h("tr", null, h("th", { scope: "col" }, gettext("Name")), h("th", { scope: "col" }, waiting ? gettext("Line") : gettext("Places")), h("th", { scope: "col" }, gettext("Crèche"))),
      ),
      h(
        "tbody",
        null,
        rows.map((e) => row(e, waiting)),
      ),
    );

  const node = h(
    "section",
    { class: "line class-list" },
    link(gettext("Back"), "#/activities", "back", { class: "back" }),
    heading(format(gettext("Class list: %(title)s"), { title: list.activity.title })),
    result,
    h("h2", null, format(gettext("Enrolled (%(n)s)"), { n: fmt.number(list.enrolled.length) })),
    list.enrolled.length ? table(list.enrolled, false) : notice(gettext("Nobody is enrolled yet.")),
    h("h2", null, format(gettext("The course's line (%(n)s)"), { n: fmt.number(list.waiting.length) })),
    list.waiting.length ? table(list.waiting, true) : notice(gettext("Nobody is waiting.")),
    h("h2", null, gettext("Sessions to come")),
    h(
      "ul",
      { class: "cards" },
      list.sessions.map((s) =>
        h(
          "li",
          { class: "card", dataset: { session: s.id } },
          h("strong", null, `${fmt.day(s.start)}, ${fmt.span(s.start, s.end)}`),
          h("br"),
          format(gettext("%(n)s places left"), { n: fmt.number(s.places_left) }),
          s.creche_staff > 0 && [
            h("br"),
            gettext("Crèche room left:"),
            " ",
            Object.entries(s.creche_places_left)
              .map(([band, n]) => `${fmt.number(n)} ${bands[band] || band}`)
              .join(fmt.comma),
          ],
          (list.creche_staff > 0 || s.creche_staff_own != null) &&
            h(
              "p",
              { class: "creche-staff" },
              format(gettext("Crèche staff: %(n)s"), { n: fmt.number(s.creche_staff) }),
              " ",
              button(gettext("Change"), "settings", { class: "secondary", "aria-label": format(gettext("Change the crèche staff on %(day)s"), { day: fmt.day(s.start) }), onclick: staff(s) }),
            ),
        ),
      ),
    ),
    h("h2", null, gettext("Enrol someone")),
    h(
      "form",
      { class: "search", onsubmit: search },
      h("label", { for: "enrol-q" }, gettext("Name or phone")),
      h("input", { id: "enrol-q", type: "search", autocomplete: "off" }),
      button(gettext("Find"), "people", { type: "submit" }),
    ),
    found,
  );
  return { node, sensitive: list.protected };
}
