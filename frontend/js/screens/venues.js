/* Venues and rooms: her organisation's venues (address, access notes, a map
   link) and their rooms with what each holds, to add and edit; a space
   coordinator adds rooms for her space. Only what the API lets her see is
   listed; venues kept by someone else are shown, not editable. */
import { api, apiAll } from "../api.js";
import { actions, button, h, heading, icon, link, notice } from "../dom.js";
import { fmt, format, gettext } from "../i18n.js";

let seq = 0;
function text(label, name, value = "", props = {}) {
  const id = `v-${name}-${++seq}`;
  const control = props.multiline ? h("textarea", { id, name, rows: 2, maxlength: props.maxlength || 1000 }, value || "") : h("input", { id, name, value: value ?? "", ...props });
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export default async function venuesScreen({ app, refresh }) {
  const [venues, allSpaces] = await Promise.all([apiAll("venues/"), app.me?.coordinates_spaces?.length ? apiAll("spaces/") : []]);
  const mine = new Set((app.me?.coordinates || []).map((o) => o.id));
  const spaces = allSpaces.filter((s) => s.i_coordinate);
  const result = h("div", { class: "result", "aria-live": "polite" });
  const act = actions(result, refresh);
  const values = (form) => Object.fromEntries(new FormData(form));

  const venueFields = (v = {}) => [
    text(gettext("Name"), "name", v.name, { required: true, maxlength: 200 }),
    text(gettext("Address"), "address", v.address, { multiline: true }),
    text(gettext("Postcode"), "postcode", v.postcode, { maxlength: 12, autocomplete: "off" }),
    text(gettext("Accessibility notes"), "accessibility", v.accessibility, { multiline: true }),
    text(gettext("Map link"), "map_url", v.map_url, { type: "url", maxlength: 500, dir: "ltr", placeholder: "https://" }),
  ];
  const roomFields = (r = {}) => [
    text(gettext("Room name"), "name", r.name, { required: true, maxlength: 200 }),
    text(gettext("Holds (people)"), "capacity", r.capacity, { type: "number", min: 1, max: 10000, required: true, inputmode: "numeric" }),
    text(gettext("Access notes"), "accessibility", r.accessibility, { maxlength: 300 }),
  ];
  const submit = (work, message) => (e) => {
    e.preventDefault();
    const body = values(e.currentTarget);
    if (body.capacity) body.capacity = Number(body.capacity);
    act(() => work(body), message);
  };

  const roomItem = (v, r, editable) =>
    h(
      "li",
      { class: "room", dataset: { room: r.id } },
      h("strong", null, r.name),
      " · ",
      format(gettext("holds %(n)s"), { n: fmt.number(r.capacity) }),
      r.accessibility && h("span", { class: "muted" }, ` · ${r.accessibility}`),
      editable &&
        h(
          "details",
          null,
          h("summary", null, format(gettext("Change %(room)s"), { room: r.name })),
          h(
            "form",
            { onsubmit: submit((body) => api(`venues/${v.id}/rooms/${r.id}/`, { method: "PATCH", body }), gettext("Room saved.")) },
            roomFields(r),
            button(gettext("Save the room"), "check", { type: "submit", class: "primary" }),
          ),
        ),
    );

  const venueCard = (v) => {
    const editable = Boolean(v.organisation && mine.has(v.organisation.id));
    const forSpace = spaces.filter((s) => v.organisation && s.organisation.id === v.organisation.id);
    const canAddRoom = editable || forSpace.length > 0;
    return h(
      "li",
      { class: "card venue", dataset: { venue: v.id } },
      h("h2", null, icon("pin"), h("span", null, v.name)),
      (v.address || v.postcode) && h("p", null, [v.address, v.postcode].filter(Boolean).join(", ")),
      v.accessibility && h("p", { class: "muted" }, v.accessibility),
      v.map_url && h("p", null, link(gettext("Open the map"), v.map_url, "pin", { rel: "noreferrer", target: "_blank" })),
      !editable && h("p", { class: "hint" }, v.organisation ? format(gettext("Kept up to date by %(name)s."), { name: v.organisation.name }) : gettext("Kept up to date by the Harbour team.")),
      v.rooms.length
        ? h(
            "ul",
            { class: "rooms" },
            v.rooms.map((r) => roomItem(v, r, editable)),
          )
        : notice(gettext("No rooms yet.")),
      canAddRoom &&
        h(
          "details",
          null,
          h("summary", null, icon("plus"), format(gettext("Add a room to %(venue)s"), { venue: v.name })),
          h(
            "form",
            {
              onsubmit: (e) => {
                e.preventDefault();
                const body = values(e.currentTarget);
                body.capacity = Number(body.capacity);
                if (!body.space) delete body.space;
                act(() => api(`venues/${v.id}/rooms/`, { method: "POST", body }), gettext("Room added."));
              },
            },
            roomFields(),
            forSpace.length > 0 &&
              h(
                "div",
                { class: "field" },
                h("label", { for: `space-${v.id}` }, gettext("Who may see it")),
                h(
                  "select",
                  { id: `space-${v.id}`, name: "space" },
                  editable && h("option", { value: "" }, gettext("Everyone")),
                  forSpace.map((s) => h("option", { value: s.id }, format(gettext("Only %(space)s"), { space: s.name }))),
                ),
              ),
            button(gettext("Add the room"), "plus", { type: "submit", class: "primary" }),
          ),
        ),
      editable &&
        h(
          "details",
          null,
          h("summary", null, format(gettext("Change %(venue)s"), { venue: v.name })),
          h(
            "form",
            { onsubmit: submit((body) => api(`venues/${v.id}/`, { method: "PATCH", body }), gettext("Venue saved.")) },
            venueFields(v),
            button(gettext("Save the venue"), "check", { type: "submit", class: "primary" }),
          ),
        ),
    );
  };

  const orgs = app.me?.coordinates || [];
  const newVenue =
    orgs.length > 0 &&
    h(
      "details",
      { class: "card" },
      h("summary", null, icon("plus"), gettext("Add a venue")),
      h(
        "form",
        { onsubmit: submit((body) => api("venues/", { method: "POST", body }), gettext("Venue added.")) },
        orgs.length > 1
          ? h(
              "div",
              { class: "field" },
              h("label", { for: "venue-org" }, gettext("Organisation")),
              h(
                "select",
                { id: "venue-org", name: "organisation" },
                orgs.map((o) => h("option", { value: o.id }, o.name)),
              ),
            )
          : h("input", { type: "hidden", name: "organisation", value: orgs[0].id }),
        venueFields(),
        button(gettext("Add the venue"), "plus", { type: "submit", class: "primary" }),
      ),
    );

  const ordered = [...venues].sort((a, b) => Number(Boolean(b.organisation && mine.has(b.organisation.id))) - Number(Boolean(a.organisation && mine.has(a.organisation.id))));
  const node = h(
    "section",
    { class: "venues" },
    link(gettext("Back to activities"), "#/activities", "back", { class: "back" }),
    heading(gettext("Venues and rooms")),
    result,
    newVenue,
    ordered.length ? h("ul", { class: "cards" }, ordered.map(venueCard)) : notice(gettext("No venues yet.")),
  );
  return { node, sensitive: spaces.length > 0 };
}
