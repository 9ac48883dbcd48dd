/* Women-only (protected) spaces: their public names, her access, and asking to
   join in her own words. Their sessions appear in the timetable once granted. */
import { api, apiAll, errorText } from "../api.js";
import { button, h, heading, icon, notice, say } from "../dom.js";
import { gettext } from "../i18n.js";

export default async function spacesScreen({ refresh }) {
  const spaces = await apiAll("spaces/");
  const STATUS = { granted: gettext("You are a member."), pending: gettext("You have asked. A coordinator will reply."), none: "" };
  const card = (space) => {
    const result = h("div", { class: "result", "aria-live": "polite" });
    const form =
      space.my_access === "none" &&
      h(
        "form",
        {
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              await api(`spaces/${space.id}/request-access/`, { method: "POST", body: { message: e.currentTarget.message.value } });
              await refresh();
            } catch (error) {
              say(result, errorText(error), "error");
            }
          },
        },
        h("label", null, h("span", null, gettext("A few words for the coordinator (optional)")), h("textarea", { name: "message", rows: 2, maxlength: 500 })),
        button(gettext("Ask to join"), "shield", { type: "submit", class: "primary" }),
      );
    return h(
      "li",
      { class: "card", dataset: { space: space.id } },
      h("h2", null, icon("shield"), space.name),
      h("p", { class: "muted" }, space.organisation.name),
      space.public_description && h("p", null, space.public_description),
      STATUS[space.my_access] && notice(STATUS[space.my_access], space.my_access === "granted" ? "success" : "info"),
      form,
      result,
    );
  };
  const node = h(
    "section",
    { class: "spaces" },
    heading(gettext("Women-only spaces")),
    h("p", null, gettext("Only members see these sessions. Nobody else can find out that they exist or who comes.")),
    spaces.length ? h("ul", { class: "cards" }, spaces.map(card)) : notice(gettext("There are no women-only spaces yet.")),
  );
  return { node, sensitive: true };
}
