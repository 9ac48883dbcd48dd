"""CSV exports (registers, figures) never hand a spreadsheet a formula."""

from backend.common.csv_cells import cell


def test_csv_cells_never_start_a_formula():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(text).startswith("'")
    assert cell("Fatima") == "Fatima"
