/* Venues and rooms (filled in below). */
import { h, heading } from "../dom.js";
import { gettext } from "../i18n.js";

export default async function venues() {
  return { node: h("section", null, heading(gettext("Venues and rooms"))) };
}
