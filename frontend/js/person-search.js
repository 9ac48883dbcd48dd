/* Find a person her organisation works with and pick one, to add her to a
   waiting list or a queue. The search is the participants API's (names in
   any script, typos forgiven, phone digits): only people the API shows the
   coordinator are ever offered. */
import { apiAll, errorText } from "./api.js";
import { button, h, icon } from "./dom.js";
import { fmt, format, gettext, ngettext } from "./i18n.js";

export function personSearch({ title, pickLabel, pick }) {
  const found = h("ul", { class: "found" });
  const status = h("p", { class: "muted", role: "status" });
  return h(
    "form",
    {
      class: "card person-search",
      onsubmit: async (e) => {
        e.preventDefault();
        const q = e.currentTarget.q.value.trim();
        try {
          const people = (await apiAll("participants/", { q })).slice(0, 10);
          status.textContent = people.length ? format(ngettext("%(n)s person found", "%(n)s people found", people.length), { n: fmt.number(people.length) }) : gettext("Nobody found.");
          found.replaceChildren(
            ...people.map((p) =>
              h("li", null, h("span", null, h("strong", null, p.known_as), p.phone && ` · ${p.phone}`), button(format(pickLabel, { name: p.known_as }), "plus", { onclick: () => pick(p) })),
            ),
          );
        } catch (error) {
          status.textContent = errorText(error);
        }
      },
    },
    h("h2", null, icon("plus"), title),
    h("label", null, h("span", null, gettext("Name or phone")), h("input", { name: "q", required: true, minlength: 2, autocomplete: "off" })),
    button(gettext("Search"), "arrow", { type: "submit" }),
    status,
    found,
  );
}
