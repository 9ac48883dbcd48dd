/* Her tutors and coordinators keep her ESOL progress: find a learner, record
   her level in a skill (dated; the history stays), write her name as she
   writes it (for her certificate). Coordinators set a term's certificate
   threshold, see the term's class list with attendance, and print the
   certificates earned. Counts are of what the viewer may see. */
import { api, apiAll, errorText } from "../api.js";
import { actions, button, h, heading, icon, link, notice, say, select } from "../dom.js";
import { fmt, format, gettext, LEVELS, londonDate } from "../i18n.js";
import { levelsList, printUrl, SKILLS } from "./progress.js";

export default async function learnerProgress({ refresh, app }) {
  const coordinator = Boolean(app.me?.coordinates?.length);
  const terms = coordinator ? await apiAll("terms/") : [];
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const found = h("div", { class: "found" });
  const holder = h("div", { class: "learner" });
  const classList = h("div", { class: "class-list" });

  async function show(person) {
    const data = await api("esol-levels/", { params: { participant: person.id } });
    const form = h(
      "form",
      {
        class: "card",
        onsubmit: async (e) => {
          e.preventDefault();
          const f = e.currentTarget;
          try {
            await api("esol-levels/", { method: "POST", body: { participant: person.id, skill: f.skill.value, level: f.level.value, on: f.on.value, note: f.note.value } });
            say(result, gettext("Level recorded."), "success");
            await show(person);
          } catch (error) {
            say(result, errorText(error), "error");
          }
        },
      },
      h("h3", null, gettext("Record a level")),
      select("skill", gettext("Skill"), Object.entries(SKILLS)),
      select("level", gettext("Level"), Object.entries(LEVELS)),
      h("label", null, h("span", null, gettext("Assessed on")), h("input", { name: "on", type: "date", value: londonDate(), max: londonDate(), required: true })),
      h("label", null, h("span", null, gettext("Note (optional)")), h("input", { name: "note", maxlength: 300 })),
      button(gettext("Record the level"), "check", { type: "submit", class: "primary" }),
    );
    const nameForm = h(
      "form",
      {
        class: "card",
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api("esol-levels/name/", { method: "POST", body: { participant: person.id, name_own_script: e.currentTarget.name_own_script.value } });
            say(result, gettext("Saved."), "success");
          } catch (error) {
            say(result, errorText(error), "error");
          }
        },
      },
      h("label", null, h("span", null, gettext("Her name as she writes it (for her certificate)")), h("input", { name: "name_own_script", dir: "auto", value: data.name_own_script, maxlength: 100 })),
      button(gettext("Save"), "check", { type: "submit" }),
    );
    holder.replaceChildren(
      h(
        "section",
        { class: "card", dataset: { participant: person.id } },
        h("h2", null, data.known_as),
        levelsList(data.levels),
        data.history.length > 0 &&
          h(
            "details",
            null,
            h("summary", null, gettext("History")),
            h(
              "ul",
              null,
              data.history.map((c) => h("li", null, `${fmt.date(c.on)} · ${SKILLS[c.skill]} · ${LEVELS[c.level] || c.level}${c.by ? ` · ${c.by}` : ""}${c.note ? ` · ${c.note}` : ""}`)),
            ),
          ),
        data.suggested_level &&
          h(
            "p",
            null,
            format(gettext("Suggested class level: %(level)s"), { level: LEVELS[data.suggested_level] }),
            data.suggested.length > 0 && `: ${data.suggested.map((a) => a.title).join(fmt.comma)}`,
          ),
        form,
        nameForm,
      ),
    );
  }

  const search = h(
    "form",
    {
      class: "card",
      role: "search",
      onsubmit: async (e) => {
        e.preventDefault();
        const q = e.currentTarget.q.value.trim();
        if (!q) return;
        const people = await apiAll("participants/", { q });
        found.replaceChildren(
          people.length
            ? h(
                "ul",
                { class: "cards" },
                people.slice(0, 10).map((p) => h("li", null, button(p.known_as, "people", { onclick: () => show(p) }))),
              )
            : notice(gettext("Nobody found.")),
        );
      },
    },
    h("label", null, h("span", null, gettext("Find a learner (name or phone)")), h("input", { name: "q", type: "search", required: true })),
    button(gettext("Search"), "arrow", { type: "submit" }),
  );

  async function showTerm(termId) {
    const rows = await api("attendance-certificates/", { params: { term: termId } });
    const form = node.querySelector("form.threshold");
    if (form && rows[0]?.threshold) {
      form.percent.value = rows[0].threshold;
      form.minimum.value = rows[0].minimum_sessions;
    }
    classList.replaceChildren(
      rows.length
        ? h(
            "table",
            null,
            h("thead", null, h("tr", null, h("th", { scope: "col" }, gettext("Name")), h("th", { scope: "col" }, gettext("Attendance")), h("th", { scope: "col" }, gettext("Certificate")))),
            h(
              "tbody",
              null,
              rows.map((r) =>
                h(
                  "tr",
                  { dataset: { participant: r.participant.id } },
                  h("th", { scope: "row" }, r.participant.known_as, r.participant.name_own_script && h("bdi", { dir: "auto" }, ` ${r.participant.name_own_script}`)),
                  h("td", null, format(gettext("%(came)s of %(n)s (%(percent)s)"), { came: fmt.number(r.attended), n: fmt.number(r.sessions), percent: fmt.percent(r.percent / 100) })),
                  h(
                    "td",
                    null,
                    r.eligible
                      ? h("a", { href: printUrl(termId, r.participant.id), target: "_blank", rel: "noopener", class: "button" }, icon("download"), h("span", null, gettext("Print")))
                      : h("span", { class: "muted" }, r.threshold ? gettext("Not yet") : gettext("No threshold set")),
                  ),
                ),
              ),
            ),
          )
        : notice(gettext("Nobody booked or came in this term.")),
    );
  }

  const thresholdForm =
    terms.length > 0 &&
    h(
      "form",
      {
        class: "card threshold",
        onsubmit: (e) => {
          e.preventDefault();
          const f = e.currentTarget;
          act(async () => {
            await api("attendance-certificates/threshold/", { method: "POST", body: { term: f.term.value, percent: Number(f.percent.value), minimum_sessions: Number(f.minimum.value) || 1 } });
            sessionStorage.setItem("harbour.progress-term", f.term.value);
          }, gettext("Threshold saved."));
        },
      },
      h("h3", null, gettext("Attendance certificates")),
      select(
        "term",
        gettext("Term"),
        terms.map((t) => [t.id, t.name]),
        sessionStorage.getItem("harbour.progress-term") || terms[terms.length - 1].id,
      ),
      h("label", null, h("span", null, gettext("Attendance needed (%)")), h("input", { name: "percent", type: "number", min: 1, max: 100, value: 80, required: true })),
      h("label", null, h("span", null, gettext("At least this many sessions")), h("input", { name: "minimum", type: "number", min: 1, max: 500, value: 1 })),
      h(
        "div",
        { class: "actions" },
        button(gettext("Save the threshold"), "check", { type: "submit", class: "primary" }),
        button(gettext("Show the class list"), "list", { onclick: (e) => showTerm(e.currentTarget.form.term.value) }),
      ),
    );

  const node = h(
    "section",
    { class: "learner-progress" },
    link(gettext("Back to coordinating"), "#/coordinate", "back", { class: "back" }),
    heading(gettext("Learner progress")),
    result,
    search,
    found,
    holder,
    thresholdForm,
    classList,
  );
  const remembered = sessionStorage.getItem("harbour.progress-term");
  if (remembered && terms.some((t) => t.id === remembered)) showTerm(remembered).catch(() => {});
  return { node };
}
