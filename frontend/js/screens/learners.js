/* A coordinator adds a learner who has no email and gives her a one-time
   sign-in code (printable, with a QR code that opens Harbour and signs her
   in), or a new code for someone already known. A space's coordinator
   registering her at the space gives her the space in the same step. */
import { api, apiAll, errorText, fieldErrors } from "../api.js";
import { button, h, heading, icon, notice, qrImage, say, select } from "../dom.js";
import { format, gettext, lang, TIME_ZONE } from "../i18n.js";

export default async function learners({ app }) {
  const places = [...(app.me?.coordinates || []).map((o) => [`organisation:${o.id}`, o.name]), ...(app.me?.coordinates_spaces || []).map((s) => [`space:${s.id}`, s.name])];
  const issue = (participant) => api(`participants/${participant}/sign-in-code/`, { method: "POST" });
  const result = h("div", { class: "result", "aria-live": "polite" });
  const slip = h("div", { class: "slip-holder" });

  /* The slip is printed in HER language (with its direction and dates), whatever
     the coordinator's: the words come from that language's catalogue. */
  async function showCode(name, issued, language = "en") {
    // her.gettext is marked for the catalogues like gettext, but looks words up in hers.
    const her = { gettext };
    if (language !== lang) {
      try {
        const { catalog } = await (await fetch(`/jsi18n/${language}.json`)).json();
        her.gettext = (s) => (Array.isArray(catalog[s]) ? catalog[s][0] : catalog[s]) || s;
      } catch {
        /* offline: the coordinator's language rather than nothing */
      }
    }
    const rtl = ["ar", "fa", "ur", "ps", "ckb"].includes(language);
    const when = new Intl.DateTimeFormat(`${language === "en" ? "en-GB" : language}-u-ca-gregory`, {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: TIME_ZONE,
    }).format(new Date(issued.expires_at));
    const site = location.origin;
    slip.replaceChildren(
      h(
        "section",
        { class: "slip card", lang: language, dir: rtl ? "rtl" : "ltr", "aria-label": gettext("Sign-in code") },
        h("h2", null, format(her.gettext("Sign-in code for %(name)s"), { name: "\u2068" + name + "\u2069" })),
        h("p", { class: "code", dir: "ltr" }, issued.sign_in_code),
        issued.qr_svg && qrImage(issued.qr_svg, her.gettext("QR code: scan to sign in")),
        h("p", null, her.gettext("Open Harbour on your phone and type this code, or scan the QR code with the camera.")),
        h("p", { class: "site" }, her.gettext("Harbour is at:"), " ", h("bdi", { dir: "ltr" }, site)),
        h("p", null, her.gettext("With the code you choose a secret: later you sign in with your name or phone number and that secret.")),
        h("p", { class: "muted" }, format(her.gettext("Use it once, before %(when)s."), { when })),
        button(gettext("Print"), "download", { class: "no-print", onclick: () => window.print() }),
      ),
    );
    slip.querySelector("h2").scrollIntoView({ block: "start" });
  }

  // A space's coordinator registering her at the space gives her the space in
  // the same step (ticked unless she unticks it); an organisation cannot.
  const grantBox = h("label", { class: "check" }, h("input", { type: "checkbox", name: "grant", checked: true }), h("span", { class: "grant-words" }));
  grantBox.querySelector("input").defaultChecked = true; // and again after the form is reset
  const showGrant = () => {
    const place = form.place.value;
    grantBox.hidden = !place.startsWith("space:");
    const name = places.find(([v]) => v === place)?.[1] || "";
    grantBox.querySelector(".grant-words").textContent = format(gettext("Give her access to %(space)s now: she sees its sessions at once"), { space: name });
  };
  const form = h(
    "form",
    {
      class: "card",
      onchange: (e) => e.target.name === "place" && showGrant(),
      onsubmit: async (e) => {
        e.preventDefault();
        const f = e.currentTarget;
        try {
          const [kind, where] = f.place.value.split(":");
          const body = { known_as: f.known_as.value.trim(), phone: f.phone.value.trim(), preferred_language: f.preferred_language.value, [kind]: where };
          if (kind === "space") body.grant = f.grant.checked;
          const created = await api("learner-accounts/", { method: "POST", body });
          const code = await issue(created.id);
          f.reset();
          showGrant();
          say(
            result,
            body.grant ? format(gettext("Account created. %(name)s is a member of the space and sees its sessions now."), { name: created.known_as }) : gettext("Account created."),
            "success",
          );
          await showCode(created.known_as, code, created.preferred_language);
        } catch (error) {
          const fields = fieldErrors(error);
          say(result, Object.values(fields)[0] || errorText(error), "error");
        }
      },
    },
    h("h2", null, icon("plus"), gettext("New learner")),
    h("label", null, h("span", null, gettext("Name she is known by")), h("input", { name: "known_as", required: true, maxlength: 100, autocomplete: "off" })),
    h("label", null, h("span", null, gettext("Phone (optional)")), h("input", { name: "phone", type: "tel", maxlength: 40, autocomplete: "off", dir: "ltr" })),
    h(
      "label",
      null,
      h("span", null, gettext("Her language for Harbour")),
      h(
        "select",
        { name: "preferred_language" },
        [...document.querySelectorAll("#language option")].map((o) => h("option", { value: o.value, selected: o.selected }, o.textContent)),
      ),
    ),
    select("place", gettext("Registered by"), places),
    grantBox,
    button(gettext("Create the account and a code"), "key", { type: "submit", class: "primary" }),
  );

  const found = h("ul", { class: "cards" });
  const search = h(
    "form",
    {
      class: "card",
      onsubmit: async (e) => {
        e.preventDefault();
        const q = e.currentTarget.q.value.trim();
        try {
          const people = await apiAll("participants/", { q });
          found.replaceChildren(
            ...people.slice(0, 10).map((p) =>
              h(
                "li",
                null,
                h("strong", null, p.known_as),
                p.phone && ` · ${p.phone}`,
                button(gettext("New sign-in code"), "key", {
                  onclick: async () => {
                    try {
                      await showCode(p.known_as, await issue(p.id), p.preferred_language);
                    } catch (error) {
                      say(result, errorText(error), "error");
                    }
                  },
                }),
              ),
            ),
          );
          if (!people.length) found.replaceChildren(notice(gettext("Nobody found.")));
        } catch (error) {
          say(result, errorText(error), "error");
        }
      },
    },
    h("h2", null, gettext("Someone already known")),
    h("label", null, h("span", null, gettext("Name or phone")), h("input", { name: "q", required: true, minlength: 2, autocomplete: "off" })),
    button(gettext("Search"), "arrow", { type: "submit" }),
    found,
  );

  showGrant();
  const node = h("section", { class: "learners" }, heading(gettext("Learners and sign-in codes")), result, slip, form, search);
  return { node };
}
