/* A coordinator creates, edits or duplicates an activity in plain terms: what,
   where (only rooms the API lets her see, with what each holds), places,
   booking rules, and when, with a repeat form (never an RRULE). "Check the
   dates" asks the server for the dates it would make, with any room clash or
   closure among them, and, for an edit, the booked sessions it would keep and
   flag; she can skip a date from there. Saving is offered once the dates she
   sees are the dates she will get. */
import { api, apiAll, errorText } from "../api.js";
import { button, h, heading, icon, link, notice, say } from "../dom.js";
import { addDays, fmt, format, gettext, KINDS, lang, LEVELS, londonDate, ngettext, pgettext } from "../i18n.js";

export const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
// 2024-01-01 was a Monday: day names in her language from Intl.
const dayName = (i, style = "long") => new Intl.DateTimeFormat(lang, { weekday: style, timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + i)));
const WEEKS = () => [
  [1, gettext("first")],
  [2, gettext("second")],
  [3, gettext("third")],
  [4, gettext("fourth")],
  [-1, gettext("last")],
];
const hhmm = (t) => (t || "").slice(0, 5);
const plainDate = (iso) => fmt.date(`${iso}T12:00:00Z`);

/* "Every Wednesday, from 6 Jan 2027 until 14 Jul 2027" in her language. */
export function scheduleText(schedule) {
  const b = schedule.builder;
  if (!b) return gettext("A repeat pattern set up outside this screen");
  const days = b.days.map((d) => dayName(DAYS.indexOf(d))).join(", ");
  const first = plainDate(schedule.start_date);
  let text;
  if (b.repeat === "once") return format(gettext("Once, on %(date)s"), { date: first });
  if (b.repeat === "weekly") text = format(gettext("Every week on %(days)s"), { days });
  else if (b.repeat === "fortnightly") text = format(gettext("Every two weeks on %(days)s"), { days });
  else text = format(gettext("Every month on the %(week)s %(day)s"), { week: (WEEKS().find(([n]) => n === b.monthly_week) || [0, ""])[1], day: days });
  text += `, ${format(gettext("from %(date)s"), { date: first })}`;
  if (b.until) text += ` ${format(gettext("until %(date)s"), { date: plainDate(b.until) })}`;
  if (b.count) text += ` ${format(ngettext("(%(n)s time)", "(%(n)s times)", b.count), { n: fmt.number(b.count) })}`;
  return text;
}

let fieldCount = 0;
/* A labelled control whose accessible name is the label alone; the hint
   describes it. */
function field(label, control, hint) {
  const id = control.id || `field-${++fieldCount}`;
  control.id = id;
  const hintNode = hint && h("span", { class: "hint", id: `${id}-hint` }, hint);
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintNode);
}

export default async function activityForm({ params: [id], query, app, navigate }) {
  const sourceId = id || query.get("copy");
  const [venues, languages, terms, source, allSpaces] = await Promise.all([
    apiAll("venues/"),
    api("languages/"),
    app.me?.coordinates?.length ? apiAll("terms/") : [],
    sourceId ? api(`activities/${sourceId}/`) : null,
    app.me?.coordinates_spaces?.length ? apiAll("spaces/") : [],
  ]);
  const editing = Boolean(id);
  const a = source || {};
  const sched = a.schedule || {};
  const b = sched.builder || { repeat: "weekly", days: [], interval: 1, monthly_week: 1, until: null, count: null, skip: [] };
  const skips = new Set(editing ? b.skip : []);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const previewBox = h("div", { class: "preview", "aria-live": "polite" });
  let previewed = null; // the request body the shown preview answers

  const orgs = app.me?.coordinates || [];
  const spaces = allSpaces.filter((s) => s.i_coordinate);
  const input = (name, props = {}) => h("input", { name, id: `f-${name}`, ...props });

  /* --- what --- */
  const kinds = h(
    "fieldset",
    { class: "kinds" },
    h("legend", null, gettext("Kind of activity")),
    Object.entries(KINDS).map(([value, words]) =>
      h("label", { class: "kind" }, h("input", { type: "radio", name: "kind", value, checked: (a.kind || "english_class") === value, required: true }), h("span", null, icon(`kind-${value}`), words)),
    ),
  );
  const level = h(
    "select",
    { name: "level" },
    h("option", { value: "" }, gettext("No level")),
    Object.entries(LEVELS).map(([v, words]) => h("option", { value: v, selected: a.level === v }, words)),
  );
  const levelField = field(gettext("ESOL level"), level, gettext("For English classes only."));
  const spoken = new Set((a.languages || []).map((l) => l.code));
  const langs = h(
    "fieldset",
    { class: "days" },
    h("legend", null, gettext("Languages spoken")),
    languages.map((l) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "languages", value: l.code, checked: spoken.has(l.code) }), l.native_name || l.name)),
  );

  /* --- where --- */
  const rooms = venues.flatMap((v) => v.rooms.map((r) => ({ ...r, venue: v })));
  const room = h(
    "select",
    { name: "room", required: true },
    h("option", { value: "" }, gettext("Choose a room")),
    venues
      .filter((v) => v.rooms.length)
      .map((v) =>
        h(
          "optgroup",
          { label: v.name },
          v.rooms.map((r) => h("option", { value: r.id, selected: a.room?.id === r.id }, format(gettext("%(room)s (holds %(n)s)"), { room: r.name, n: fmt.number(r.capacity) }))),
        ),
      ),
  );
  const capacity = input("capacity", { type: "number", min: 1, max: 10000, required: true, value: a.capacity ?? 12, inputmode: "numeric" });
  const roomHint = h("span", { class: "hint" });
  const showRoom = () => {
    const r = rooms.find((x) => x.id === room.value);
    capacity.max = r ? r.capacity : 10000;
    roomHint.textContent = r ? [r.venue.address, r.venue.postcode, r.accessibility].filter(Boolean).join(" · ") : "";
  };
  room.addEventListener("change", showRoom);

  /* --- booking --- */
  const required = a.booking_required ?? true;
  const booking = h(
    "fieldset",
    null,
    h("legend", null, gettext("Booking")),
    h("label", { class: "check" }, h("input", { type: "radio", name: "booking_required", value: "yes", checked: required }), gettext("People book a place")),
    h("label", { class: "check" }, h("input", { type: "radio", name: "booking_required", value: "no", checked: !required }), gettext("Drop-in: no booking, people just come")),
    h(
      "div",
      { class: "row3" },
      field(gettext("Booking opens (days before)"), input("booking_opens_days", { type: "number", min: 0, max: 365, value: a.booking_opens_days ?? 14, inputmode: "numeric" })),
      field(gettext("Booking closes (hours before)"), input("booking_closes_hours", { type: "number", min: 0, max: 1440, value: a.booking_closes_hours ?? 0, inputmode: "numeric" })),
      field(
        gettext("Most sessions a week per person"),
        input("weekly_limit", { type: "number", min: 1, max: 50, value: a.weekly_limit ?? "", inputmode: "numeric", placeholder: gettext("No limit") }),
      ),
    ),
    // Every booking gets a reminder by SMS or email, never in quiet hours (21:00-08:00).
    h(
      "fieldset",
      { class: "reminder" },
      h("legend", null, gettext("Reminder to each person booked")),
      ...[
        ["day_before", gettext("The evening before, at 18:00")],
        ["two_hours", gettext("2 hours before it starts")],
      ].map(([value, words]) => h("label", { class: "check" }, h("input", { type: "radio", name: "reminder_timing", value, checked: (a.reminder_timing ?? "day_before") === value }), words)),
      h("p", { class: "hint" }, gettext("Never sent between 21:00 and 08:00: a reminder due then waits for the morning.")),
    ),
  );

  /* --- when --- */
  const today = londonDate();
  const repeatChoice = (value, words) => h("label", { class: "check" }, h("input", { type: "radio", name: "repeat", value, checked: b.repeat === value }), words);
  const weekdays = h(
    "fieldset",
    { class: "days weekly-only" },
    h("legend", null, gettext("On these days")),
    DAYS.map((d, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "days", value: d, checked: b.repeat !== "monthly" && b.days.includes(d) }), dayName(i))),
  );
  const monthly = h(
    "div",
    { class: "row2 monthly-only" },
    field(
      gettext("Which week of the month"),
      h(
        "select",
        { name: "monthly_week" },
        WEEKS().map(([n, words]) => h("option", { value: n, selected: b.monthly_week === n }, words)),
      ),
    ),
    field(
      gettext("Day"),
      h(
        "select",
        { name: "monthly_day" },
        DAYS.map((d, i) => h("option", { value: d, selected: b.repeat === "monthly" && b.days[0] === d }, dayName(i))),
      ),
    ),
  );
  const endKind = b.until ? "until" : b.count ? "count" : "never";
  const ends = h(
    "fieldset",
    { class: "repeat-only" },
    h("legend", null, gettext("Ends")),
    h("label", { class: "check" }, h("input", { type: "radio", name: "ends", value: "until", checked: endKind === "until" }), gettext("On a date")),
    field(gettext("Last date"), input("until", { type: "date", value: b.until || "", min: "2000-01-01", max: "2100-12-31" })),
    h("label", { class: "check" }, h("input", { type: "radio", name: "ends", value: "count", checked: endKind === "count" }), gettext("After a number of times")),
    field(gettext("How many times"), input("count", { type: "number", min: 1, max: 500, value: b.count || "", inputmode: "numeric" })),
    h("label", { class: "check" }, h("input", { type: "radio", name: "ends", value: "never", checked: endKind === "never" }), gettext("No end date")),
  );
  const skipList = h("ul", { class: "chips" });
  const drawSkips = () =>
    skipList.replaceChildren(
      ...[...skips].sort().map((d) =>
        h(
          "li",
          null,
          plainDate(d),
          button(gettext("Remove"), "cross", {
            class: "secondary",
            "aria-label": format(gettext("Remove %(date)s"), { date: plainDate(d) }),
            onclick: () => {
              skips.delete(d);
              drawSkips();
              stale();
            },
          }),
        ),
      ),
    );
  const skipInput = input("skip_date", { type: "date", min: "2000-01-01", max: "2100-12-31" });
  const skipping = h(
    "fieldset",
    { class: "repeat-only" },
    h("legend", null, gettext("Dates it does not run")),
    skipList,
    h(
      "div",
      { class: "inline" },
      field(gettext("Add a date"), skipInput),
      button(gettext("Skip this date"), "plus", {
        onclick: () => {
          if (skipInput.value) {
            skips.add(skipInput.value);
            skipInput.value = "";
            drawSkips();
            stale();
          }
        },
      }),
    ),
  );
  const termPick =
    terms.length > 0 &&
    field(
      gettext("Use a term's dates"),
      h(
        "select",
        {
          name: "term",
          onchange: (e) => {
            const term = terms.find((t) => t.id === e.target.value);
            if (!term) return;
            form.start_date.value = term.start_date;
            form.until.value = term.end_date;
            form.querySelector('input[name="ends"][value="until"]').checked = true;
            stale();
          },
        },
        h("option", { value: "" }, gettext("Choose a term")),
        terms.map((t) => h("option", { value: t.id }, `${t.name}: ${plainDate(t.start_date)} – ${plainDate(t.end_date)}`)),
      ),
    );

  const when = h(
    "fieldset",
    null,
    h("legend", null, gettext("When")),
    h(
      "fieldset",
      { class: "repeat" },
      h("legend", null, gettext("How often")),
      repeatChoice("once", gettext("Once")),
      repeatChoice("weekly", gettext("Every week")),
      repeatChoice("fortnightly", gettext("Every two weeks")),
      repeatChoice("monthly", gettext("Every month")),
    ),
    termPick,
    field(
      gettext("First date"),
      input("start_date", { type: "date", required: true, value: editing || !source ? sched.start_date || addDays(today, 7) : addDays(today, 7), min: "2000-01-01", max: "2100-12-31" }),
    ),
    h(
      "div",
      { class: "row2" },
      field(gettext("Starts at"), input("start_time", { type: "time", required: true, value: hhmm(sched.start_time) || "10:00" })),
      field(gettext("Ends at"), input("end_time", { type: "time", required: true, value: hhmm(sched.end_time) || "12:00" })),
    ),
    weekdays,
    monthly,
    ends,
    skipping,
  );

  const form = h(
    "form",
    {
      class: "activity-form",
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        check();
      },
    },
    h(
      "fieldset",
      null,
      h("legend", null, gettext("What")),
      kinds,
      field(gettext("Title"), input("title", { required: true, maxlength: 200, value: a.title ? (editing ? a.title : format(gettext("%(title)s (copy)"), { title: a.title })) : "" })),
      field(gettext("Description"), h("textarea", { name: "description", rows: 3 }, a.description || "")),
      field(gettext("What to bring"), input("what_to_bring", { maxlength: 300, value: a.what_to_bring || "" })),
      levelField,
      langs,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, gettext("Where and how many")),
      !editing &&
        orgs.length + spaces.length > 1 &&
        field(
          gettext("Run by"),
          h(
            "select",
            { name: "owner" },
            orgs.map((o) => h("option", { value: `organisation:${o.id}`, selected: a.organisation?.id === o.id && !a.space }, o.name)),
            spaces.map((s) => h("option", { value: `space:${s.id}`, selected: a.space?.id === s.id }, s.name)),
          ),
        ),
      field(gettext("Room"), room, roomHint),
      field(gettext("Places"), capacity, gettext("No more than the room holds.")),
    ),
    booking,
    when,
    h(
      "div",
      { class: "actions" },
      button(gettext("Check the dates"), "calendar", { type: "submit", class: "primary" }),
      link(gettext("Back to activities"), "#/activities", "back", { class: "button secondary" }),
    ),
    result,
    previewBox,
  );
  drawSkips();
  showRoom();

  const repeatValue = () => form.querySelector('input[name="repeat"]:checked')?.value || "once";
  const sync = () => {
    const r = repeatValue();
    form.dataset.repeat = r;
    for (const el of form.querySelectorAll(".weekly-only")) el.hidden = !["weekly", "fortnightly"].includes(r);
    for (const el of form.querySelectorAll(".monthly-only")) el.hidden = r !== "monthly";
    for (const el of form.querySelectorAll(".repeat-only")) el.hidden = r === "once";
    levelField.hidden = form.querySelector('input[name="kind"]:checked')?.value !== "english_class";
  };
  function stale() {
    if (previewed) {
      previewed = null;
      previewBox.replaceChildren(notice(gettext("The form has changed: check the dates again before saving."), "warn"));
    }
  }
  form.addEventListener("change", () => {
    sync();
    stale();
  });
  form.addEventListener("input", stale);
  sync();

  function body() {
    const f = form;
    const r = repeatValue();
    const endsWith = f.querySelector('input[name="ends"]:checked')?.value;
    const schedule = { start_date: f.start_date.value, start_time: f.start_time.value, end_time: f.end_time.value, repeat: r, skip: r === "once" ? [] : [...skips].sort() };
    if (r === "weekly" || r === "fortnightly") schedule.days = [...f.querySelectorAll('input[name="days"]:checked')].map((x) => x.value);
    if (r === "monthly") Object.assign(schedule, { days: [f.monthly_day.value], monthly_week: Number(f.monthly_week.value) });
    if (r !== "once") {
      schedule.until = endsWith === "until" && f.until.value ? f.until.value : null;
      schedule.count = endsWith === "count" && f.count.value ? Number(f.count.value) : null;
    }
    const kind = f.querySelector('input[name="kind"]:checked')?.value;
    const out = {
      kind,
      title: f.title.value.trim(),
      description: f.description.value,
      what_to_bring: f.what_to_bring.value,
      level: kind === "english_class" ? f.level.value : "",
      languages: [...f.querySelectorAll('input[name="languages"]:checked')].map((x) => x.value),
      room: f.room.value,
      capacity: Number(f.capacity.value),
      booking_required: f.querySelector('input[name="booking_required"]:checked').value === "yes",
      booking_opens_days: Number(f.booking_opens_days.value || 0),
      booking_closes_hours: Number(f.booking_closes_hours.value || 0),
      weekly_limit: f.weekly_limit.value ? Number(f.weekly_limit.value) : null,
      reminder_timing: f.querySelector('input[name="reminder_timing"]:checked')?.value || "day_before",
      schedule,
    };
    if (!editing) {
      const [ownerKind, owner] = (f.owner?.value || (orgs[0] ? `organisation:${orgs[0].id}` : `space:${spaces[0]?.id}`)).split(":");
      const space = ownerKind === "space" ? spaces.find((s) => s.id === owner) : null;
      // A space belongs to one organisation; the API checks she may add to it.
      out.organisation = space ? space.organisation.id : owner;
      if (space) out.space = space.id;
    }
    return out;
  }

  function showError(error) {
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const names = Object.keys(error.fields || {}).map((k) => k.replace(/^schedule\./, ""));
    for (const name of names) {
      const el = form.querySelector(`[name="${name === "end_time" ? "end_time" : name}"]`);
      if (el) el.setAttribute("aria-invalid", "true");
    }
    const first = Object.values(error.fields || {})[0]?.[0];
    say(result, lang === "en" && first ? first : errorText(error), "error");
    result.querySelector(".notice")?.setAttribute("tabindex", "-1");
    result.querySelector(".notice")?.focus();
  }

  function dateRow(d) {
    const day = d.start.slice(0, 10);
    // The server's wording names her own clashing session, in English; other languages get the code's words.
    const problems = [
      d.clash && notice(lang === "en" ? d.clash : pgettext("error-code", "room_clash"), "error"),
      d.closure && notice(format(gettext("Closed: %(reason)s"), { reason: d.closure.reason }), "warn"),
    ];
    return h(
      "li",
      { class: `date${d.clash ? " clash" : ""}${d.closure ? " closed" : ""}`, dataset: { day: londonDate(d.start) } },
      h("span", { class: "when" }, h("time", { datetime: d.start }, fmt.short(d.start)), " ", fmt.span(d.start, d.end)),
      d.booked > 0 && h("span", { class: "badge" }, format(ngettext("%(n)s booked", "%(n)s booked", d.booked), { n: fmt.number(d.booked) })),
      problems,
      (d.clash || d.closure) &&
        repeatValue() !== "once" &&
        button(gettext("Skip this date"), "cross", {
          class: "secondary",
          dataset: { skip: day },
          onclick: () => {
            skips.add(londonDate(d.start));
            drawSkips();
            stale();
            check();
          },
        }),
    );
  }

  async function check() {
    const request = body();
    const path = editing ? `activities/${id}/preview/` : "activities/preview/";
    try {
      const p = await api(path, { method: "POST", body: request });
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      result.replaceChildren();
      previewed = request;
      const problems = p.dates.filter((d) => d.clash || d.closure).length;
      const clashes = p.dates.some((d) => d.clash);
      const summary = p.dates.length
        ? format(ngettext("%(n)s date, from %(first)s to %(last)s.", "%(n)s dates, from %(first)s to %(last)s.", p.dates.length), {
            n: fmt.number(p.dates.length),
            first: fmt.date(p.dates[0].start),
            last: fmt.date(p.dates.at(-1).start),
          })
        : gettext("No dates ahead.");
      previewBox.replaceChildren(
        h(
          "section",
          { class: "card preview-card", "aria-labelledby": "preview-title" },
          h("h2", { id: "preview-title", tabindex: "-1" }, icon("calendar"), gettext("The dates it will make")),
          h("p", { class: "count" }, summary, p.more ? ` ${gettext("It goes on after that.")}` : ""),
          problems > 0 &&
            notice(
              format(ngettext("%(n)s date has a problem: skip it or change the room or time.", "%(n)s dates have a problem: skip them or change the room or time.", problems), {
                n: fmt.number(problems),
              }),
              clashes ? "error" : "warn",
            ),
          p.skipped.length > 0 && h("p", { class: "muted" }, format(gettext("Skipped: %(dates)s"), { dates: p.skipped.map((s) => fmt.short(s)).join(", ") })),
          p.flagged.length > 0 &&
            h(
              "div",
              { class: "flagged" },
              h("h3", null, gettext("Booked sessions kept and flagged for you")),
              h(
                "ul",
                null,
                p.flagged.map((f) =>
                  h(
                    "li",
                    null,
                    `${fmt.dateTime(f.start)}: `,
                    format(ngettext("%(n)s place booked", "%(n)s places booked", f.booked), { n: fmt.number(f.booked) }),
                    " · ",
                    f.reason === "skipped" ? gettext("cancelled; tell the people booked") : gettext("no longer in the schedule; decide what to do"),
                  ),
                ),
              ),
            ),
          p.removed > 0 &&
            h("p", { class: "muted" }, format(ngettext("%(n)s session nobody booked will be removed.", "%(n)s sessions nobody booked will be removed.", p.removed), { n: fmt.number(p.removed) })),
          h("ol", { class: "dates" }, p.dates.map(dateRow)),
          p.sessions_until &&
            h("p", { class: "hint" }, format(gettext("Sessions open for booking up to %(date)s; later ones appear as the date comes closer."), { date: plainDate(p.sessions_until) })),
          h(
            "div",
            { class: "actions" },
            button(editing ? gettext("Save the changes") : gettext("Save the activity"), "check", { class: "primary", disabled: clashes, onclick: save }),
            clashes && h("span", { class: "hint" }, gettext("Fix the clashes first.")),
          ),
        ),
      );
      previewBox.querySelector("h2").focus();
    } catch (error) {
      previewBox.replaceChildren();
      showError(error);
    }
  }

  async function save() {
    if (!previewed) return check();
    try {
      if (editing) {
        const answer = await api(`activities/${id}/`, { method: "PATCH", body: previewed });
        const n = answer.sessions.flagged;
        sessionStorage.setItem(
          "harbour.flash",
          n ? format(ngettext("Saved. %(n)s booked session is kept and flagged for you.", "Saved. %(n)s booked sessions are kept and flagged for you.", n), { n: fmt.number(n) }) : gettext("Saved."),
        );
      } else {
        const made = await api("activities/", { method: "POST", body: previewed });
        sessionStorage.setItem("harbour.flash", format(gettext("%(title)s is saved and its sessions are on the timetable."), { title: made.title }));
      }
      navigate("/activities");
    } catch (error) {
      showError(error);
    }
  }

  const title = editing ? format(gettext("Edit %(title)s"), { title: a.title }) : source ? gettext("Duplicate an activity") : gettext("New activity");
  const node = h(
    "section",
    { class: "activity-edit" },
    link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
    heading(title),
    rooms.length === 0 && notice(gettext("There are no rooms yet: add a venue and its rooms first."), "warn"),
    editing && !sched.builder && notice(gettext("This activity repeats in a way this form cannot show. Choose how often it runs here, and saving replaces the old pattern."), "warn"),
    form,
  );
  return { node, sensitive: Boolean(a.space) || spaces.length > 0 };
}
