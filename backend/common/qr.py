"""QR codes as plain SVG (paths only: no script, no external reference), for
sign-in codes a coordinator prints and calendar links a learner scans."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str, *, title: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", xmldecl=False, scale=4, border=2, title=title
    )
    return buffer.getvalue().decode()
