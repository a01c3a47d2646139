"""Papermill-run implementation reports, published as Voilà dashboards.

Report periods are ``ftlib.period``'s (the metrics read them too). ``content.py`` computes what a report says, ``page.py``
turns it into one HTML page (every language, charts as Vega-Lite specs), ``pagecache.py`` keeps
that page for the dashboard's visitors, ``dashboard.py`` is the template's one call,
``runner.py`` runs the template for region × period in parallel, ``index.py`` writes the index
dashboard, ``static.py`` the offline HTML files, ``serve.py`` starts Voilà on them.
"""

from ftlib.errors import FtlibError


class ReportError(FtlibError):
    """Report parameters that cannot be used (unknown region, inverted period, bad language)."""
