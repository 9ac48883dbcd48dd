/* A tutor's registers, in the order she needs them: today's, then the recent
   ones still open (yesterday's, last week's), then her next session whenever
   it is (read-only until shortly before it starts: the card says when). */
import { api, savedAnswer } from "../api.js";
import { h, heading, icon, notice } from "../dom.js";
import { fmt, format, gettext } from "../i18n.js";
import { sessionCard } from "../sessions.js";
import { pending, pendingWalkIns } from "../register-queue.js";

export default async function today({ app, refresh }) {
  // Drawn at once from the list the phone saved, if any, then from the network's.
  const network = api("registers/");
  network.catch(() => {}); // with a saved copy, a failed network is no error
  const saved = await savedAnswer("registers/", app.me);
  const items = saved || (await network);
  const card = (item) =>
    sessionCard(item.session, {
      href: `#/register/${item.session.id}`,
      extra: [
        // Not today's: say which day (shown first, see app.css).
        item.group !== "today" && h("span", { class: "on-day" }, icon("calendar"), fmt.day(item.session.start)),
        h("span", { class: "open-register" }, icon("clipboard"), item.open ? gettext("Open the register") : gettext("See the register")),
        !item.open && !item.locked && h("span", { class: "opens" }, icon("lock"), format(gettext("Opens at %(time)s on %(day)s"), { time: fmt.time(item.opens_at), day: fmt.short(item.opens_at) })),
        (Object.keys(pending(item.session.id)).length > 0 || pendingWalkIns(item.session.id).length > 0) && h("span", { class: "badge warn" }, icon("offline"), gettext("Marks waiting to be sent")),
      ],
    });
  const list = (some) => h("ul", { class: "sessions" }, some.map(card));
  const body = h("div");
  // A saved list may be from another day: what was "today" then is not now.
  const today = new Date().toDateString();
  const draw = (items, fromPhone) => {
    const group = (i) => (fromPhone && i.group === "today" && new Date(i.session.start).toDateString() !== today ? "recent" : i.group);
    const [todays, recent, next] = ["today", "recent", "upcoming"].map((name) => items.filter((i) => group(i) === name));
    body.replaceChildren(
      ...[
        h("h2", null, gettext("Today")),
        todays.length ? list(todays) : notice(gettext("No sessions for you today.")),
        recent.length > 0 && [h("h2", null, gettext("Still open")), list(recent)],
        next.length > 0 && [h("h2", null, gettext("Your next session")), list(next)],
        !items.length && notice(gettext("You have no sessions coming up.")),
      ]
        .flat()
        .filter(Boolean),
    );
  };
  draw(items, items === saved);
  const sensitive = (some) => some.some((i) => i.session.activity.space);
  if (saved) {
    network.then(
      (fresh) => {
        if (!body.isConnected || JSON.stringify(fresh) === JSON.stringify(saved)) return;
        if (sensitive(fresh) !== sensitive(saved)) return refresh(); // quick exit follows
        draw(fresh);
      },
      () => {},
    );
  }
  return { node: h("section", { class: "today" }, heading(gettext("Registers")), body), sensitive: sensitive(items) };
}
