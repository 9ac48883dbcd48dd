/* The page a one-tap link in a message opens (#/reply/<token>, from /r/<token>),
   without signing in: it says what the link is about and asks before it acts,
   because mail scanners and message previews open links too. A session in a
   women-only space is described by its time alone (the API leaves out its name). */
import { api, ApiError, errorText } from "../api.js";
import { button, h, heading, link, notice } from "../dom.js";
import { fmt, gettext } from "../i18n.js";

const QUESTION = {
  come: () => gettext("Will you come?"),
  cancel: () => gettext("Can't come? Free your place for someone else."),
  accept: () => gettext("A place is free for you. Do you want it?"),
};
const ACT = {
  come: () => gettext("Yes, I'll come"),
  cancel: () => gettext("Free my place"),
  accept: () => gettext("Yes, I'll take the place"),
};
const DONE = {
  come: () => gettext("Thank you. See you there!"),
  cancel: () => gettext("Your place is free for someone else. Thank you for telling us."),
  accept: () => gettext("The place is yours. See you there!"),
};

export default async function reply({ params: [token] }) {
  let about;
  try {
    about = await api(`replies/${token}/`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    return { node: h("section", { class: "reply" }, heading(gettext("This link does not work")), notice(errorText(error), "error"), link(gettext("Open Harbour"), "#/", "back")) };
  }
  const result = h("div", { class: "result", "aria-live": "assertive" });
  const what = h(
    "p",
    { class: "reply-what" },
    about.activity ? h("bdi", null, about.activity) : null,
    about.activity ? h("br") : null,
    fmt.when(about.start, about.end),
    about.venue ? [h("br"), h("bdi", null, about.venue)] : null,
  );
  const states = {
    done: () => notice(gettext("This link has been used already."), "info"),
    expired: () => notice(gettext("This link has expired: the session has started, is cancelled, or the offer has ended."), "info"),
  };
  let body;
  if (about.state === "ready") {
    const act = button(ACT[about.purpose](), about.purpose === "cancel" ? "cross" : "check", {
      class: about.purpose === "cancel" ? "danger" : "primary",
      onclick: async () => {
        if (act.getAttribute("aria-busy") === "true") return;
        act.setAttribute("aria-busy", "true");
        act.disabled = true;
        try {
          await api(`replies/${token}/`, { method: "POST" });
          act.remove();
          question.remove();
          result.replaceChildren(notice(DONE[about.purpose](), "success"));
        } catch (error) {
          act.disabled = false;
          result.replaceChildren(notice(errorText(error), "error"));
        } finally {
          act.removeAttribute("aria-busy");
        }
      },
    });
    const question = h("p", null, QUESTION[about.purpose]());
    body = [question, act];
  } else {
    body = states[about.state]();
  }
  const node = h("section", { class: "reply" }, heading(gettext("Your booking")), what, result, body, link(gettext("Open Harbour"), "#/", "back", { class: "back" }));
  return { node };
}
