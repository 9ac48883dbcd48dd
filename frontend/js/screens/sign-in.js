/* Sign in with a username and password, or with the one-time code a
   coordinator gave her (typed, or opened from its QR code as #/code/XXXX-XXXX). */
import { api, errorText } from "../api.js";
import { button, h, heading, say } from "../dom.js";
import { gettext } from "../i18n.js";

export default async function signIn({ params: [codeFromLink], query, loadMe, navigate }) {
  const next = query.get("next") || "/";
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  const result = h("div", { class: "result", "aria-live": "assertive" });

  async function attempt(path, body) {
    try {
      await api(path, { method: "POST", body });
      await loadMe();
      navigate(safeNext);
    } catch (error) {
      say(result, errorText(error), "error");
    }
  }

  const codeForm = h("form", { class: "card", onsubmit: (e) => {
    e.preventDefault();
    attempt("auth/sign-in-code/", { code: e.currentTarget.code.value });
  } },
    h("h2", null, gettext("I have a code")),
    h("label", null, h("span", null, gettext("Your sign-in code")),
      h("input", { name: "code", required: true, autocomplete: "one-time-code", autocapitalize: "characters", spellcheck: "false", inputmode: "text", placeholder: "ABCD-EFGH", value: codeFromLink || "", dir: "ltr" })),
    button(gettext("Sign in with my code"), "key", { type: "submit", class: "primary" }));

  const passwordForm = h("form", { class: "card", onsubmit: (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    attempt("auth/sign-in/", { username: form.username.value, password: form.password.value });
  } },
    h("h2", null, gettext("I have a password")),
    h("label", null, h("span", null, gettext("Username")), h("input", { name: "username", required: true, autocomplete: "username", autocapitalize: "none", dir: "ltr" })),
    h("label", null, h("span", null, gettext("Password")), h("input", { name: "password", type: "password", required: true, autocomplete: "current-password", dir: "ltr" })),
    button(gettext("Sign in"), "key", { type: "submit", class: "primary" }));

  const node = h("section", { class: "sign-in" },
    heading(gettext("Sign in")),
    h("p", null, gettext("No email needed: ask a coordinator for a sign-in code.")),
    result,
    codeForm,
    passwordForm);
  if (codeFromLink) {
    // The code must not stay in the phone's history for the next person to find.
    history.replaceState(null, "", "#/sign-in");
    setTimeout(() => codeForm.isConnected && codeForm.requestSubmit(), 0);
  }
  return { node };
}
