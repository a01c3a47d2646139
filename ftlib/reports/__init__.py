"""Papermill-run implementation reports, published as Voilà dashboards.

Report periods are ``ftlib.period``'s (the metrics read them too). ``content.py`` computes what a report says, ``page.py``
turns it into one HTML page (every language, charts as Vega-Lite specs), ``pagecache.py`` keeps
that page for the dashboard's visitors, ``dashboard.py`` is the template's one call,
``runner.py`` runs the template for region × period in parallel, ``index.py`` writes the index
dashboard, ``static.py`` the offline HTML files, ``serve.py`` starts Voilà on them.
"""

import sys

from ftlib.errors import FtlibError


def skip_iri_grammars() -> None:
    """Before nbformat is first imported in this process: keep ``jsonschema`` from loading
    ``rfc3987_syntax`` (when installed), which compiles 38 Lark grammars for the "iri" string
    formats — 3.3 s of a core in every process that reads or writes a notebook (the report run and
    each of its workers), for a check no notebook schema uses. ``jsonschema`` skips those two
    formats when the module cannot be imported, which ``None`` in ``sys.modules`` makes it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


class ReportError(FtlibError):
    """Report parameters that cannot be used (unknown region, inverted period, bad language)."""
