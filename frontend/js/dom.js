/* Small DOM helpers: element builder, icons, notices, dialogs. */
import { errorText } from "./api.js";
import { gettext } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const ICONS = new URL("../icons.svg", import.meta.url).pathname;

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" || key === "checked") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/* An icon from icons.svg, hidden from screen readers: the words beside it speak. */
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `${ICONS}#${name}`);
  svg.append(use);
  return svg;
}

/* A button or link with an icon and words. */
export function button(label, iconName, props = {}) {
  return h("button", { type: "button", ...props }, iconName && icon(iconName), h("span", null, label));
}
export function link(label, href, iconName, props = {}) {
  return h("a", { href, ...props }, iconName && icon(iconName), h("span", null, label));
}

/* A live region line for results and refusals. */
export function notice(text, kind = "info") {
  return h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/* Ask for confirmation (and optionally a reason) in a modal <dialog>.
   Resolves to null when she backs out, else {reason}. */
export function ask({ title, text, hint, confirm, reasonLabel, reasonRequired = false, fields = [] }) {
  return new Promise((resolve) => {
    // A checkbox (e.g. "also tell the people waiting") comes after the words she writes.
    const checks = fields.filter((f) => f.type === "checkbox").map((f) => h("label", { class: "check" }, h("input", { name: f.name, type: "checkbox", checked: f.checked }), h("span", null, f.label)));
    const inputs = fields
      .filter((f) => f.type !== "checkbox")
      .map((f) =>
        h(
          "label",
          null,
          f.label,
          f.options
            ? h(
                "select",
                { name: f.name, required: f.required },
                f.options.map(([v, words]) => h("option", { value: v, selected: v === f.value }, words)),
              )
            : h("input", { name: f.name, type: f.type || "text", required: f.required, value: f.value }),
        ),
      );
    const reason = reasonLabel && h("textarea", { name: "reason", rows: 3, required: reasonRequired, maxlength: 300 });
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", null, title),
      text && h("p", null, text),
      hint && h("p", { class: "notice warn" }, hint),
      inputs,
      reason && h("label", null, reasonLabel, reason),
      checks,
      h(
        "div",
        { class: "actions" },
        h("button", { value: "cancel", type: "button", class: "secondary", onclick: () => dialog.close("cancel") }, gettext("Go back")),
        h("button", { value: "ok", class: "primary" }, confirm),
      ),
    );
    const dialog = h("dialog", { "aria-labelledby": "dialog-title" }, form);
    form.querySelector("h2").id = "dialog-title";
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok";
      const values = Object.fromEntries(new FormData(form));
      dialog.remove();
      resolve(ok ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/* Put the result of an action where she is looking, and announce it. */
export function say(container, text, kind = "info") {
  const line = notice(text, kind);
  container.replaceChildren(line);
  return line;
}

/* A screen's heading; focusable so the app can move focus to it on navigation. */
export function heading(text, level = 1) {
  return h(`h${level}`, { tabindex: level === 1 ? "-1" : null }, text);
}

/* A labelled <select> from [value, words] pairs. */
export function select(name, label, options, value = "") {
  return h(
    "label",
    null,
    h("span", null, label),
    h(
      "select",
      { name },
      options.map(([v, words]) => h("option", { value: v, selected: v === value }, words)),
    ),
  );
}

/* For a screen's buttons: run a write, redraw the screen, then say how it went
   in the new screen's .result line (or, when refused, why, in `result`).
   `message` is words, or a function of the write's answer. */
export function actions(result, refresh) {
  return async (work, message) => {
    const pressed = document.activeElement?.tagName === "BUTTON" ? document.activeElement : null;
    if (pressed) pressed.disabled = true; // a second tap while the first is on its way does nothing
    try {
      const outcome = await work();
      await refresh();
      const line = document.querySelector("main .result");
      if (line && message) {
        say(line, typeof message === "function" ? message(outcome) : message, "success");
        line.setAttribute("tabindex", "-1");
        line.focus(); // the button she pressed has gone: her focus goes to what happened
      }
    } catch (error) {
      if (pressed) pressed.disabled = false;
      say(result, errorText(error), "error");
    }
  };
}

/* A QR code the API drew (an SVG without scripts) as an image: an <img> from a
   data: URL never runs anything, whatever the SVG holds. */
export function qrImage(svg, alt) {
  return h("img", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt, width: 220, height: 220 });
}
