/* Her settings: subscribe to her calendar on the phone (webcal link, copy
   button, QR code), discreet mode (for the feed, texts and emails), women-only spaces, sign out. */
import { api, errorText } from "../api.js";
import { ask, button, h, heading, link, notice, qrImage, say } from "../dom.js";
import { gettext } from "../i18n.js";

export default async function settingsScreen({ loadMe, navigate }) {
  const feed = await api("feed/");
  const subscribeResult = h("div", { class: "result", "aria-live": "polite" });
  const saveResult = h("div", { class: "result", "aria-live": "polite" });

  async function makeLink() {
    if (feed.has_secret_url) {
      const sure = await ask({
        title: gettext("Make a new calendar link?"),
        text: gettext("Your old link stops working. A phone that used it must subscribe again."),
        confirm: gettext("Make a new link"),
      });
      if (!sure) return;
    }
    try {
      const urls = await api("feed/rotate/", { method: "POST" });
      feed.has_secret_url = true;
      const copy = async () => {
        try {
          await navigator.clipboard.writeText(urls.https_url);
          say(copied, gettext("Copied."), "success");
        } catch {
          field.select();
          say(copied, gettext("Select the link and copy it."), "info");
        }
      };
      const field = h("input", { readonly: true, value: urls.https_url, "aria-label": gettext("Calendar link"), dir: "ltr", onfocus: (e) => e.target.select() });
      const copied = h("div", { "aria-live": "polite" });
      subscribeResult.replaceChildren(
        notice(gettext("Keep this link private: anyone with it can see your calendar."), "warn"),
        link(gettext("Subscribe on this phone"), urls.webcal_url, "calendar", { class: "button primary" }),
        h("div", { class: "copy-row" }, field, button(gettext("Copy"), "copy", { onclick: copy })),
        copied,
        urls.qr_svg && h("figure", { class: "qr" }, qrImage(urls.qr_svg, gettext("QR code of your calendar link")), h("figcaption", null, gettext("Or scan this with the phone's camera."))),
      );
    } catch (error) {
      say(subscribeResult, errorText(error), "error");
    }
  }

  const settingsForm = h(
    "form",
    {
      class: "card",
      onsubmit: async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        try {
          Object.assign(
            feed,
            await api("feed/", {
              method: "PATCH",
              body: {
                discreet: form.discreet.checked,
                discreet_title: form.discreet_title.value || "Class",
                include_followed: form.include_followed.checked,
              },
            }),
          );
          say(saveResult, gettext("Saved."), "success");
        } catch (error) {
          say(saveResult, errorText(error), "error");
        }
      },
    },
    h("h2", null, gettext("What your phone shows")),
    h(
      "label",
      { class: "check" },
      h("input", { type: "checkbox", name: "discreet", checked: feed.discreet }),
      h("span", null, gettext("Discreet: women-only sessions get a plain title and no place in your calendar, texts and emails (for a shared phone)")),
    ),
    h("label", null, h("span", null, gettext("Plain title to show")), h("input", { name: "discreet_title", value: feed.discreet_title, maxlength: 60 })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "include_followed", checked: feed.include_followed }), h("span", null, gettext("Also every session of activities I follow"))),
    button(gettext("Save"), "check", { type: "submit", class: "primary" }),
    saveResult,
  );

  const node = h(
    "section",
    { class: "settings" },
    heading(gettext("Settings")),
    h(
      "section",
      { class: "card" },
      h("h2", null, gettext("My calendar on my phone")),
      h("p", null, gettext("Your bookings appear in your phone's calendar and update by themselves.")),
      button(feed.has_secret_url ? gettext("Make a new calendar link") : gettext("Get my calendar link"), "calendar", { class: "primary", onclick: makeLink }),
      subscribeResult,
    ),
    settingsForm,
    h("section", { class: "card" }, h("h2", null, gettext("Women-only spaces")), link(gettext("Ask to join a women-only space"), "#/spaces", "shield")),
    button(gettext("Sign out"), "exit", {
      class: "secondary",
      onclick: async () => {
        await api("auth/sign-out/", { method: "POST" }).catch(() => null);
        await loadMe();
        navigate("/");
      },
    }),
  );
  return { node };
}
