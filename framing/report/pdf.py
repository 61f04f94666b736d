"""report.pdf from the very same HTML, printed by headless Chromium (no network, no scripts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Where Debian/Ubuntu put Chromium; ``FRAMING_CHROMIUM`` overrides.
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

#: Flags that keep a headless print offline and quiet.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-pdf-header-footer",
)


class PdfError(RuntimeError):
    """The PDF could not be produced (no Chromium, or Chromium failed)."""


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    env = os.environ.get("FRAMING_CHROMIUM")
    for cand in ((env,) if env else ()) + CANDIDATES:
        path = cand if os.path.isabs(cand) else shutil.which(cand)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def html_to_pdf(
    html_path: str | Path,
    pdf_path: str | Path | None = None,
    chromium: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Print ``html_path`` to PDF with headless Chromium; returns the PDF path.

    The report is self-contained (inline CSS and SVG, a CSP that forbids every request), so the
    print needs no network; the page's ``@media print`` rules lay it out for paper.
    """
    src = Path(html_path).resolve()
    if not src.is_file():
        raise PdfError(f"no such report: {src}")
    out = Path(pdf_path) if pdf_path is not None else src.with_suffix(".pdf")
    exe = chromium or find_chromium()
    if exe is None:
        raise PdfError(
            "Chromium not found: install it (apt-get install chromium) or set FRAMING_CHROMIUM"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_pdf = out.with_name(out.name + ".part")
    with tempfile.TemporaryDirectory(prefix="framing-chromium-") as profile:
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp_pdf}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not finish printing within {timeout:.0f} s") from exc
        except OSError as exc:
            raise PdfError(f"cannot run Chromium at {exe}: {exc}") from exc
    if proc.returncode != 0 or not tmp_pdf.exists() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise PdfError(f"Chromium failed to print (exit {proc.returncode}): {' | '.join(tail)}")
    tmp_pdf.replace(out)
    return out
