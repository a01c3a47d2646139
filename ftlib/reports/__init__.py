"""Papermill-run implementation reports, published as Voilà dashboards.

``period.py`` parses report periods, ``runner.py`` runs the template for region × period in
parallel, ``index.py`` writes the index dashboard, ``serve.py`` starts Voilà on them.
"""
