"""The figures funders ask for, computed from attendance, and CSV exports."""
