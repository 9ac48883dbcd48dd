/* Translation and formatting. The strings come from Django's JavaScript
   catalogue (/jsi18n/, loaded before the app as a classic script), so every
   string marked here with gettext / ngettext / pgettext is extracted into
   locale/<code>/LC_MESSAGES/djangojs.po by `make messages`.
   Dates and times are always shown in Europe/London, in the page's language,
   on the Gregorian calendar (classes run on UK dates; a Persian-calendar date
   would not match the letter from the council). */
const catalogue = globalThis;

export const gettext = (s) => (catalogue.gettext ? catalogue.gettext(s) : s);
export const ngettext = (one, many, n) => (catalogue.ngettext ? catalogue.ngettext(one, many, n) : n === 1 ? one : many);
export const pgettext = (ctx, s) => (catalogue.pgettext ? catalogue.pgettext(ctx, s) : s);

/* "%(n)s places left" with named values. */
export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

export const lang = document.documentElement.lang || "en";
export const TIME_ZONE = "Europe/London";
// British English for "en": 24-hour times and day-month dates, as on the letters she gets.
const locale = `${lang === "en" ? "en-GB" : lang}-u-ca-gregory`;

const formatters = {
  day: new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: TIME_ZONE }),
  date: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: TIME_ZONE }),
  short: new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: TIME_ZONE }),
  time: new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }),
  dateTime: new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: TIME_ZONE,
  }),
};
// A day and its times as one range, so the locale puts its own separators in
// (Persian and Arabic use "،", not a Latin comma).
const whenFormats = {
  long: new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }),
  short: new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }),
};
const dayMonth = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: TIME_ZONE });
const COMMA = ["ar", "fa", "ur", "ps", "ckb"].includes(lang.split("-")[0]) ? "، " : ", ";
const numbers = new Intl.NumberFormat(locale);
const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 });

export const fmt = {
  day: (d) => formatters.day.format(new Date(d)),
  date: (d) => formatters.date.format(new Date(d)),
  short: (d) => formatters.short.format(new Date(d)),
  time: (d) => formatters.time.format(new Date(d)),
  dateTime: (d) => formatters.dateTime.format(new Date(d)),
  span: (a, b) => `${formatters.time.format(new Date(a))}–${formatters.time.format(new Date(b))}`,
  when: (a, b, size = "long") => whenFormats[size].formatRange(new Date(a), new Date(b)),
  /* Two names ("venue, room") with the language's own comma. */
  pair: (a, b) => (a && b ? `${a}${COMMA}${b}` : a || b || ""),
  comma: COMMA,
  /* "1–7 Dec", in the locale's own words and digits. */
  days: (a, b) => dayMonth.formatRange(new Date(a), new Date(b)),
  number: (n) => numbers.format(n),
  percent: (n) => percent.format(n),
};

/* The London calendar date (YYYY-MM-DD) of an instant, and of today. */
const isoDay = new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
export const londonDate = (d = new Date()) => isoDay.format(new Date(d));
export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
/* The Monday of the London week holding isoDate. */
export function weekStart(isoDate) {
  const weekday = new Date(`${isoDate}T12:00:00Z`).getUTCDay();
  return addDays(isoDate, -((weekday + 6) % 7));
}

/* Words for the API's enumerations. */
export const KINDS = {
  english_class: gettext("English classes"),
  sport: gettext("Sport"),
  day_trip: gettext("Day trips"),
  allotment: gettext("Allotment"),
  music: gettext("Music"),
  bike_repair: gettext("Bike repair"),
  advice: gettext("Advice"),
  social: gettext("Social"),
  training: gettext("Training"),
  other: gettext("Other"),
};
export const LEVELS = {
  pre_entry: gettext("Pre-entry"),
  entry_1: gettext("Entry 1"),
  entry_2: gettext("Entry 2"),
  entry_3: gettext("Entry 3"),
  level_1: gettext("Level 1"),
  level_2: gettext("Level 2"),
};
export const MARKS = {
  present: gettext("Present"),
  late: gettext("Late"),
  absent: gettext("Absent"),
  excused: gettext("Excused"),
};
