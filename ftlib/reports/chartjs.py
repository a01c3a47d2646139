"""The script that draws a report's charts in the reader's browser, served with the pages.

Charts are no longer drawn as SVG when a report is built (vl-convert took ~0.7 s of a core a
report, half of a national run): the page carries each chart's Vega-Lite spec — built from
published figures only, as before — and the browser draws it with Vega, Vega-Lite and
Vega-Embed. Those come as one file (``vl_convert.javascript_bundle()``, kept gzipped in
``assets/``) that the run writes beside the pages under a name holding its digest, so a browser
fetches it once and keeps it; nothing is loaded from outside. The page's own small script
(``assets/charts.js``, inline) loads that file and draws only the charts of the language shown,
as they come near the screen, and every shown chart before printing.

Regenerate the packaged bundle after upgrading vl-convert: ``python -m ftlib.reports.chartjs``.
"""

# Imports inside functions: a visitor's Voilà kernel imports this with the standard library only; vl-convert only to regenerate the bundle.

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

PACKAGED = "vega-bundle.js.gz"
#: Where the Voilà page finds the bundle: ``dashboards/assets/`` served as ``voila/files/assets/``.
VOILA_DIR = "../files/assets/"
#: Set on the page's outer element; the page's script reads the bundle's address from it.
ATTR = "data-ftlib-charts"


def _packaged() -> bytes:
    return (files("ftlib.reports") / "assets" / PACKAGED).read_bytes()


@lru_cache(maxsize=1)
def bundle_name() -> str:
    """The bundle's file name: its digest in it, so that a new bundle is a new address."""
    return f"ftlib-vega-{hashlib.sha256(_packaged()).hexdigest()[:12]}.js"


def write_bundle(folder: Path) -> Path:
    """``folder/<bundle_name()>`` (written unless already there; atomically: workers share it)."""
    folder = Path(folder)
    path = folder / bundle_name()
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".ftlib-vega-", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(gzip.decompress(_packaged()))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    for old in folder.glob("ftlib-vega-*.js"):   # an earlier version's bundle: no page points to it
        if old != path:
            old.unlink(missing_ok=True)
    return path


def script() -> str:
    """The page's inline script that draws its charts (installs itself once a page)."""
    from ftlib.reports.langswitch import asset

    return f"<script>{asset('charts.js')}</script>"


def regenerate() -> Path:
    """Write the packaged bundle from the installed vl-convert (a developer's step, ~15 s)."""
    import vl_convert as vlc

    head = (f"/* Vega, Vega-Lite and Vega-Embed (BSD-3-Clause, University of Washington Interactive Data Lab), "
            f"bundled by vl-convert {vlc.__version__} (vl_convert.javascript_bundle()) for ftlib's report pages. */\n")
    target = Path(str(files("ftlib.reports") / "assets" / PACKAGED))
    # in a function of its own: the bundle's top-level ``const`` names would otherwise be globals of
    # the page (a second script declaring one of them would fail to load)
    text = f"{head}(function(){{\n{vlc.javascript_bundle()}\n}})();\n"
    target.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return target


if __name__ == "__main__":
    print(regenerate())
