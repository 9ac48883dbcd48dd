"""CSV cells safe to open in a spreadsheet: text that a spreadsheet would run
as a formula (=, +, -, @, or a leading tab or carriage return) is quoted."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(values) -> list[str]:
    return [cell(v) if isinstance(v, str) else v for v in values]
