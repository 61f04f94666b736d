"""Chart builders shared by the HTML report and the dashboard: inline SVG, no network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from framing.models import OutletProfile

PALETTE = ("#1b6ca8", "#c8553d", "#3a7d44", "#8e6bb0", "#d4a017", "#5c6b73", "#b5446e")


def interval_chart(
    profiles: Sequence[OutletProfile], feature: str, title: str, width: int = 420
) -> str:
    """Dot-and-whisker SVG of one feature across outlets (mean and 95% interval)."""
    rows = [(p.outlet, p.features[feature]) for p in profiles]
    vals = [v for _, e in rows for v in (e.mean, e.low, e.high) if v is not None]
    hi = max(vals) if vals else 1.0
    lo = min(0.0, min(vals)) if vals else 0.0
    if hi <= lo:  # every value 0 (or none): an axis of 0 to 1, not two labels on one spot
        hi = lo + 1.0
    span = hi - lo
    label_w, row_h, pad = 150, 26, 12
    # Room on the right for the value label, '0.27 (n=1)' included.
    plot_w = width - label_w - 2 * pad - 78
    height = pad * 2 + row_h * len(rows) + 18

    def x(v: float) -> float:
        return label_w + pad + (v - lo) / span * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="chart" '
        f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"><title>{escape(title)}</title>',
        f'<line x1="{x(lo):.1f}" y1="{pad}" x2="{x(lo):.1f}" y2="{height - 18}" stroke="#bbb"/>',
    ]
    for i, (name, e) in enumerate(rows):
        y = pad + row_h * i + row_h / 2
        color = PALETTE[i % len(PALETTE)]
        short = name if len(name) <= 22 else name[:21] + "…"
        parts.append(
            f'<text x="{label_w}" y="{y + 4:.1f}" text-anchor="end" font-size="12">'
            f"{escape(short)}</text>"
        )
        if e.low is not None and e.high is not None:
            parts.append(
                f'<line x1="{x(e.low):.1f}" y1="{y:.1f}" x2="{x(e.high):.1f}" '
                f'y2="{y:.1f}" stroke="{color}" stroke-width="2"/>'
            )
        if e.mean is not None:
            parts.append(f'<circle cx="{x(e.mean):.1f}" cy="{y:.1f}" r="5" fill="{color}"/>')
            parts.append(
                f'<text x="{x(hi) + 8:.1f}" y="{y + 4:.1f}" font-size="11" '
                f'fill="#333">{e.mean:.2f}{"" if e.low is not None else " (n=1)"}'
                f"</text>"
            )
    parts.append(
        f'<text x="{x(lo):.1f}" y="{height - 4}" font-size="10" fill="#666">{lo:.2f}</text>'
    )
    parts.append(
        f'<text x="{x(hi):.1f}" y="{height - 4}" font-size="10" fill="#666" '
        f'text-anchor="end">{hi:.2f}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
