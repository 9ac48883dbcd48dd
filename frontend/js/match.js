/* Finding a name among the people already on a register, as she types.
   Client-side on purpose: the rows are loaded anyway (120 is nothing), so it
   answers on every key press with no round trip, works offline, and can only
   ever match what the register already shows her.

   Forgiving: case and accents are ignored; in Arabic and Persian script
   the short vowels, tatweel and hamza forms are ignored, and the letters that
   differ between the two (ی/ي/ى, ک/ك, ة/ه) are taken as one; each typed word
   may be a misspelt start of any word of the name (one slip in 3-5 letters,
   two from 6); three or more digits match the phone. */

const FOLD = [
  [/[\u0640]/g, ""], // tatweel
  [/[ىیئ]/g, "ي"],
  [/[کك]/g, "ك"],
  [/ة/g, "ه"],
  [/ؤ/g, "و"],
  [/[ٱأإآ]/g, "ا"],
];
const DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

export function fold(text) {
  let out = String(text || "")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
  for (const [pattern, to] of FOLD) out = out.replace(pattern, to);
  out = out.replace(DIGITS, (d) => String((d.charCodeAt(0) & 0xf) % 10));
  return out.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

// Optimal string alignment distance (a swap of two letters is one slip), capped.
function distance(a, b, cap) {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev2 = null;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > cap) return cap + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length];
}

const slips = (n) => (n < 3 ? 0 : n < 6 ? 1 : 2);

function wordMatches(typed, word) {
  if (word.startsWith(typed)) return true;
  const cap = slips(typed.length);
  if (!cap) return false;
  // A misspelt start: compare with the word's beginning, a letter or two either way.
  for (let n = typed.length - cap; n <= typed.length + cap; n++) {
    if (n > 0 && n <= word.length && distance(typed, word.slice(0, n), cap) <= cap) return true;
  }
  return false;
}

/* A matcher for what she typed: (name, phone) -> boolean. */
export function matcher(query) {
  const folded = fold(query);
  const digits = folded.replace(/\D/g, "");
  const typed = folded.split(" ").filter(Boolean);
  if (!typed.length) return () => true;
  return (name, phone = "") => {
    if (digits.length >= 3 && digits.length === folded.replace(/\s/g, "").length) {
      return fold(phone).replace(/\D/g, "").includes(digits);
    }
    const words = fold(name).split(" ");
    return typed.every((t) => words.some((w) => wordMatches(t, w)));
  };
}
