"""CSV exports follow OWASP's CSV-injection guidance completely (issue 17,
item 8): one test per dangerous prefix, and quoting that keeps a separator
inside a cell from starting a new one."""

from __future__ import annotations

import csv
import io

import pytest

from backend.common.csv_cells import cell, row, writer

PREFIXES = [
    "=", "+", "-", "@", "\t", "\r", "\n", "|", "%",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",  # full-width = + - @
    ";", ",",
]  # fmt: skip
PAYLOADS = {
    "=": "=1+1", "+": "+1+1", "-": "-1+1", "@": "@SUM(A1:A2)", "\t": "\t=1+1",
    "\r": "\r=1+1", "\n": "\n=1+1", "|": "|calc", "%": "%0A=1+1",
    "\uff1d": "\uff1d1+1", "\uff0b": "\uff0b1+1", "\uff0d": "\uff0d1+1", "\uff20": "\uff20SUM(1)",
    ";": ";=1+1", ",": ",=1+1",
}  # fmt: skip


@pytest.mark.parametrize("prefix", PREFIXES)
def test_each_dangerous_prefix_is_neutralised(prefix):
    payload = PAYLOADS[prefix]
    assert cell(payload) == "'" + payload
    assert cell("  " + payload).startswith("'")  # leading spaces do not hide it


def test_ordinary_text_and_numbers_are_left_alone():
    assert cell("Fatima") == "Fatima"
    assert cell("07700 900123") == "07700 900123"
    assert row(["Amal", 3, None]) == ["Amal", 3, None]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("payload", ["Amal;=1+1", "Amal,=1+1", 'Amal "x" =1', "a\t=1+1"])
def test_every_field_is_quoted_so_no_separator_starts_a_cell(payload, delimiter):
    out = io.StringIO()
    writer(out).writerow(row([payload, "ok", 2]))
    text = out.getvalue()
    assert text.startswith('"') and text.rstrip("\r\n").endswith('"ok",2')
    # Read back as a spreadsheet guessing another separator would, honouring quotes.
    (cells,) = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert not any(c.lstrip().startswith(("=", "+", "-", "@")) for c in cells), cells
