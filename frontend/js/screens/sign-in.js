/* Sign in: with her name or phone number and the secret she chose; with the
   one-time code a coordinator gave her (typed, or opened from its QR code as
   #/code/XXXX-XXXX), choosing that secret the first time; or (staff) with a
   username and password. */
import { api, errorText } from "../api.js";
import { button, h, heading, say } from "../dom.js";
import { gettext } from "../i18n.js";

export default async function signIn({ params: [codeFromLink], query, loadMe, navigate }) {
  const next = query.get("next") || "/";
  const safeNext = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  const result = h("div", { class: "result", "aria-live": "assertive" });

  /* One attempt at a time: the button says it is working, a second tap does nothing. */
  async function attempt(form, path, body, onError) {
    const submit = form.querySelector("button[type=submit]");
    if (submit.getAttribute("aria-busy") === "true") return;
    submit.setAttribute("aria-busy", "true");
    submit.disabled = true;
    try {
      await api(path, { method: "POST", body });
      await loadMe();
      navigate(safeNext);
    } catch (error) {
      if (!onError || !onError(error)) say(result, errorText(error), "error");
    } finally {
      submit.removeAttribute("aria-busy");
      submit.disabled = false;
    }
  }

  const secretForm = h(
    "form",
    {
      class: "card",
      onsubmit: (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        attempt(form, "auth/sign-in-secret/", { name_or_phone: form.who.value, secret: form.secret.value });
      },
    },
    h("h2", null, gettext("I have been here before")),
    h("label", null, h("span", null, gettext("Your name or phone number")), h("input", { name: "who", required: true, autocomplete: "username", autocapitalize: "words", dir: "auto" })),
    h("label", null, h("span", null, gettext("Your secret")), h("input", { name: "secret", type: "password", required: true, autocomplete: "current-password", dir: "ltr" })),
    button(gettext("Sign in with my secret"), "key", { type: "submit", class: "primary" }),
  );

  // Shown once the code is known to be good: she chooses her secret, then the code is used up.
  const choose = h(
    "fieldset",
    { class: "choose-secret", hidden: true },
    h("legend", null, gettext("Choose your secret")),
    h(
      "p",
      { class: "hint", id: "secret-hint" },
      gettext("At least 6 numbers (not 123456), or a few words. With your name or phone number, it lets you back in after Quick exit or on another phone. Tell nobody."),
    ),
    h("label", null, h("span", null, gettext("Your new secret")), h("input", { name: "newSecret", type: "password", autocomplete: "new-password", dir: "ltr", "aria-describedby": "secret-hint" })),
    h("label", null, h("span", null, gettext("The same secret again")), h("input", { name: "newSecretAgain", type: "password", autocomplete: "new-password", dir: "ltr" })),
  );

  const codeForm = h(
    "form",
    {
      class: "card",
      onsubmit: (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const body = { code: form.code.value };
        if (!choose.hidden) {
          if (form.newSecret.value !== form.newSecretAgain.value) {
            say(result, gettext("The two secrets are not the same. Type them again."), "error");
            return;
          }
          body.secret = form.newSecret.value;
        }
        attempt(form, "auth/sign-in-code/", body, (error) => {
          if (error.code !== "secret_required") return false;
          choose.hidden = false;
          form.newSecret.required = form.newSecretAgain.required = true;
          say(result, gettext("Your code works. Now choose your secret."), "info");
          form.newSecret.focus();
          return true;
        });
      },
    },
    h("h2", null, gettext("I have a code")),
    h(
      "label",
      null,
      h("span", null, gettext("Your sign-in code")),
      h("input", {
        name: "code",
        required: true,
        autocomplete: "one-time-code",
        autocapitalize: "characters",
        spellcheck: "false",
        inputmode: "text",
        placeholder: "ABCD-EFGH",
        value: codeFromLink || "",
        dir: "ltr",
      }),
    ),
    choose,
    button(gettext("Sign in with my code"), "key", { type: "submit", class: "primary" }),
  );

  const passwordForm = h(
    "form",
    {
      class: "card",
      onsubmit: (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        attempt(form, "auth/sign-in/", { username: form.username.value, password: form.password.value });
      },
    },
    h("h2", null, gettext("I have a password")),
    h("label", null, h("span", null, gettext("Username")), h("input", { name: "username", required: true, autocomplete: "username", autocapitalize: "none", dir: "ltr" })),
    h("label", null, h("span", null, gettext("Password")), h("input", { name: "password", type: "password", required: true, autocomplete: "current-password", dir: "ltr" })),
    button(gettext("Sign in"), "key", { type: "submit", class: "primary" }),
  );

  const node = h(
    "section",
    { class: "sign-in" },
    heading(gettext("Sign in")),
    h("p", null, gettext("No email needed: ask a coordinator for a sign-in code.")),
    result,
    codeFromLink ? [codeForm, secretForm] : [secretForm, codeForm],
    passwordForm,
  );
  if (codeFromLink) {
    // The code must not stay in the phone's history for the next person to find.
    history.replaceState(null, "", "#/sign-in");
    setTimeout(() => codeForm.isConnected && codeForm.requestSubmit(), 0);
  }
  return { node };
}
