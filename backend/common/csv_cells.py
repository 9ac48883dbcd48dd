"""CSV cells safe to open in a spreadsheet, after OWASP's CSV-injection advice:
every field is quoted (so a `;` or `,` inside a cell never starts a new cell,
whatever separator the spreadsheet assumes), embedded quotes are doubled, and
text a spreadsheet could run as a formula or command gets a leading `'`.

Formula starts: = + - @, a tab, carriage return or line feed, `|` (DDE in old
Excel), `%` (LibreOffice), their full-width forms (U+FF1D, FF0B, FF0D, FF20, which some
spreadsheets fold into the ASCII ones), also after leading spaces, and a
leading separator (`;=1+1`, `,=1+1`), for readers that ignore quoting."""

import csv

FORMULA_STARTS = (
    "=", "+", "-", "@", "\t", "\r", "\n", "|", "%",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",
    ";", ",",
)  # fmt: skip


def cell(value) -> str:
    text = "" if value is None else str(value)
    stripped = text.lstrip(" \u00a0\u3000")
    return "'" + text if stripped.startswith(FORMULA_STARTS) else text


def row(values) -> list[str]:
    return [cell(v) if isinstance(v, str) else v for v in values]


def writer(out):
    """csv.writer quoting every text field (OWASP: wrap each cell in double
    quotes); numbers stay bare, so spreadsheets read them as numbers."""
    return csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
