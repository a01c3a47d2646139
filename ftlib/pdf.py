"""HTML → PDF through the machine's headless Chromium: offline (the page is a local file, no
network), the fonts the page uses embedded in the PDF (Chinese text needs a CJK font installed,
e.g. Debian ``fonts-noto-cjk``; Chromium embeds the glyphs it draws), A4 unless the page's own
``@page`` rule says otherwise. One function for every PDF ftlib writes (reports, case documents).

Standard library only: the report run and the case desk call it without importing anything else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ftlib.errors import FtlibError

#: Where Debian puts Chromium; FTLIB_CHROMIUM overrides it.
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
#: A page with inline SVG prints in about a second; a hung Chromium is stopped after this.
TIMEOUT_S = 120


def chromium() -> str:
    """The Chromium executable (FTLIB_CHROMIUM, else the first on PATH), or FtlibError."""
    explicit = os.environ.get("FTLIB_CHROMIUM")
    if explicit:
        if Path(explicit).is_file():
            return explicit
        raise FtlibError(f"FTLIB_CHROMIUM={explicit}: no such file")
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise FtlibError("no Chromium found for PDF output: install the Debian package `chromium` (scripts/setup.sh)")


def html_to_pdf(html: str | Path, pdf: Path, timeout: float = TIMEOUT_S, fragment: str = "") -> Path:
    """Print ``html`` (an HTML string, or the path of an HTML file) to ``pdf``; returns ``pdf``.
    ``fragment``: opened as ``…#fragment`` (a report page then draws all its charts at once).

    The PDF is written beside its final name and moved into place, so a reader never gets half a
    file. Relative links and images in a file resolve against that file's folder."""
    pdf = Path(pdf)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ftlib-pdf-") as tmp:
        if isinstance(html, Path):
            source = html.resolve()
            if not source.is_file():
                raise FtlibError(f"{html}: no such HTML file")
        else:
            source = Path(tmp) / "page.html"
            source.write_text(html, encoding="utf-8")
        out = Path(tmp) / "out.pdf"
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--no-default-browser-check", "--mute-audio", "--hide-scrollbars",
               f"--user-data-dir={Path(tmp) / 'profile'}",  # its own profile: parallel runs do not meet
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={out}", source.as_uri() + (f"#{fragment}" if fragment else "")]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,  # noqa: S603
                                  env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise FtlibError(f"{pdf.name}: Chromium did not finish the PDF within {timeout:.0f} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            why = next((ln for ln in reversed(proc.stderr.splitlines()) if ln.strip()), f"exit {proc.returncode}")
            raise FtlibError(f"{pdf.name}: Chromium wrote no PDF ({why[:200]})")
        staged = pdf.with_name(f".{pdf.name}.tmp")
        shutil.move(str(out), staged)
        os.chmod(staged, 0o644)
        os.replace(staged, pdf)
    return pdf
