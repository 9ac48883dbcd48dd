/* "Message everyone booked": a coordinator's short text to the people holding
   a place on one session, or on all of an activity's upcoming sessions
   (optionally also those waiting). The server sends it through the outbox, by
   SMS or email, one message per person; the count it answers covers only the
   sessions and people she manages. */
import { api } from "./api.js";
import { ask } from "./dom.js";
import { fmt, format, gettext, ngettext } from "./i18n.js";

/* `act` is the screen's actions() runner; `target` is {path, title, text, space}. */
export async function messageEveryone(act, { path, title, text, space }) {
  const answer = await ask({
    title: format(gettext("Message everyone booked on %(title)s"), { title }),
    text,
    hint: space ? gettext("Women-only: do not name the class or the place in your message. Women who chose discreet messages are told only the time.") : null,
    confirm: gettext("Send the message"),
    reasonLabel: gettext("Your message (up to 300 characters)"),
    reasonRequired: true,
    fields: [{ name: "include_waiting", type: "checkbox", label: gettext("Also tell the people on the waiting list") }],
  });
  if (!answer) return;
  await act(
    () => api(path, { method: "POST", body: { text: answer.reason, include_waiting: answer.include_waiting === "on" } }),
    (sent) => format(ngettext("Message sent to %(n)s person.", "Message sent to %(n)s people.", sent.people), { n: fmt.number(sent.people) }),
  );
}
