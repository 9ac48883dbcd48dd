/* Her progress and her record, in one place she can check: her English level
   in each skill (set by her tutor) with the classes that suit her, the
   sessions she missed without telling us (each fades after some weeks) and
   any activity where her next place waits for a coordinator, and the
   attendance certificates she has earned, to print. */
import { api } from "../api.js";
import { h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext, LEVELS, ngettext } from "../i18n.js";

export const SKILLS = {
  speaking: gettext("Speaking"),
  listening: gettext("Listening"),
  reading: gettext("Reading"),
  writing: gettext("Writing"),
};

export function levelsList(levels) {
  return h(
    "dl",
    { class: "levels" },
    Object.entries(SKILLS).map(([skill, words]) => {
      const current = levels[skill];
      return [
        h("dt", null, words),
        h(
          "dd",
          { dataset: { skill } },
          current
            ? [h("strong", null, LEVELS[current.level] || current.level), " ", h("small", { class: "muted" }, format(gettext("since %(date)s"), { date: fmt.date(current.on) }))]
            : h("span", { class: "muted" }, gettext("Not assessed yet")),
        ),
      ];
    }),
  );
}

export const printUrl = (term, participant) => `/api/v1/attendance-certificates/print/?${new URLSearchParams(participant ? { term, participant } : { term })}`;

export default async function progress() {
  const [levels, record, certificates] = await Promise.all([api("esol-levels/"), api("no-shows/"), api("attendance-certificates/")]);
  const node = h(
    "section",
    { class: "progress" },
    heading(gettext("My progress")),
    h("h2", null, icon("chart"), gettext("My English")),
    levelsList(levels.levels),
    levels.suggested_level
      ? [
          h("p", null, format(gettext("Classes at %(level)s suit you best:"), { level: LEVELS[levels.suggested_level] || levels.suggested_level })),
          levels.suggested.length
            ? h(
                "ul",
                { class: "suggested" },
                levels.suggested.map((a) => h("li", null, link(a.title, `#/?activity=${a.id}`, "calendar"))),
              )
            : notice(gettext("No class at your level has sessions coming up. Ask your tutor.")),
        ]
      : notice(gettext("Your tutor will add your levels after an assessment.")),

    h("h2", null, icon("clock"), gettext("Sessions I missed")),
    h(
      "p",
      null,
      format(
        ngettext(
          "Missed without telling us in the last %(weeks)s weeks: %(n)s session. Each one is forgotten after %(weeks)s weeks.",
          "Missed without telling us in the last %(weeks)s weeks: %(n)s sessions. Each one is forgotten after %(weeks)s weeks.",
          record.count,
        ),
        { n: fmt.number(record.count), weeks: fmt.number(record.window_weeks) },
      ),
    ),
    record.no_shows.length > 0 &&
      h(
        "ul",
        { class: "cards no-shows" },
        record.no_shows.map((m) =>
          h(
            "li",
            { class: "card" },
            h("strong", null, m.activity),
            " ",
            h("span", null, fmt.short(m.start)),
            h("p", { class: "muted" }, format(gettext("Forgotten on %(date)s"), { date: fmt.date(m.fades_on) })),
          ),
        ),
      ),
    record.held_back.map((held) =>
      notice(
        format(gettext("%(title)s: because of %(n)s missed sessions, a coordinator confirms your next place. You keep the place meanwhile. Tell us when you cannot come."), {
          title: held.title,
          n: fmt.number(held.count),
        }),
        "warn",
      ),
    ),
    h("p", { class: "muted" }, gettext("If you cannot come, cancel your place: then it is not counted, and someone else can have it.")),

    h("h2", null, icon("check"), gettext("My certificates")),
    certificates.length
      ? h(
          "ul",
          { class: "cards certificates" },
          certificates.map((c) =>
            h(
              "li",
              { class: "card" },
              h("strong", null, c.term.name),
              " ",
              h("span", null, format(gettext("You came to %(came)s of %(n)s sessions."), { came: fmt.number(c.attended), n: fmt.number(c.sessions) })),
              h("p", null, h("a", { class: "button", href: printUrl(c.term.id), target: "_blank", rel: "noopener" }, icon("download"), h("span", null, gettext("Print my certificate")))),
            ),
          ),
        )
      : notice(gettext("When your attendance in a term earns a certificate, it is here to print.")),
  );
  return { node };
}
