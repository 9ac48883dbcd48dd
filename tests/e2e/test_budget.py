"""Size budget: what a phone downloads to run the app. Every JS and CSS file
under frontend/ (our modules and frontend/vendor alike; test files excluded),
gzip-compressed at level 9, must total under 100 KB. Run with -s for figures."""

from __future__ import annotations

import gzip
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
BUDGET_BYTES = 100 * 1024
TEST_PARTS = {"test", "tests", "__tests__"}


def _is_test(path: Path) -> bool:
    relative = path.relative_to(FRONTEND)
    return bool(TEST_PARTS & set(relative.parts[:-1])) or ".test." in path.name


def shipped_files() -> list[Path]:
    return sorted(
        path
        for path in FRONTEND.rglob("*")
        if path.suffix in (".js", ".mjs", ".css") and path.is_file() and not _is_test(path)
    )


def test_frontend_js_and_css_gzip_under_100_kb():
    sizes = {
        path.relative_to(FRONTEND).as_posix(): len(gzip.compress(path.read_bytes(), 9))
        for path in shipped_files()
    }
    assert sizes, f"no JS or CSS found under {FRONTEND}"
    total = sum(sizes.values())
    label = "total (gzip -9)"
    width = max(len(name) for name in [*sizes, label])
    lines = [
        f"  {name:<{width}}  {size:>8,} B"
        for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])
    ]
    lines.append(f"  {label:<{width}}  {total:>8,} B of {BUDGET_BYTES:,} B")
    report = "\n".join(lines)
    print(f"\nfrontend size budget:\n{report}")
    assert total < BUDGET_BYTES, f"frontend JS+CSS is over budget:\n{report}"
