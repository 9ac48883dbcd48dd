/* A tutor's day: the sessions whose register she takes (today, then the rest
   of the week), each opening its register. */
import { apiAll } from "../api.js";
import { h, heading, icon, notice } from "../dom.js";
import { addDays, gettext, londonDate } from "../i18n.js";
import { byDay, sessionCard } from "../sessions.js";
import { pending } from "../register-queue.js";

export default async function today() {
  const from = londonDate();
  const sessions = await apiAll("sessions/", { registers: "true", date_from: from, date_to: addDays(from, 6) });
  const card = (s) => sessionCard(s, {
    href: `#/register/${s.id}`,
    extra: [h("span", { class: "open-register" }, icon("clipboard"), gettext("Open the register")),
      Object.keys(pending(s.id)).length > 0 && h("span", { class: "badge warn" }, icon("offline"), gettext("Marks waiting to be sent"))],
  });
  const todays = sessions.filter((s) => londonDate(s.start) === from);
  const later = sessions.filter((s) => londonDate(s.start) !== from);
  const node = h("section", { class: "today" },
    heading(gettext("Registers")),
    h("h2", null, gettext("Today")),
    todays.length ? h("ul", { class: "sessions" }, todays.map(card)) : notice(gettext("No sessions for you today.")),
    later.length > 0 && [h("h2", null, gettext("Later this week")), byDay(later, card)]);
  return { node, sensitive: sessions.some((s) => s.activity.space) };
}
