"""A report process does not compile jsonschema's IRI grammars (``rfc3987_syntax``: 3.3 s of a
core at import) yet still validates notebooks."""

from __future__ import annotations

import subprocess
import sys


def test_report_processes_skip_the_iri_grammars_and_still_validate_notebooks():
    code = ("import sys\nfrom ftlib.reports import skip_iri_grammars\nskip_iri_grammars()\n"
            "import altair, nbformat\nnbformat.validate(nbformat.v4.new_notebook())\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "None"   # blocked, not imported
    # once jsonschema is loaded the call changes nothing
    code = ("import sys, jsonschema\nfrom ftlib.reports import skip_iri_grammars\nbefore = sys.modules.get('rfc3987_syntax', 'absent')\n"
            "skip_iri_grammars()\nprint(sys.modules.get('rfc3987_syntax', 'absent') is before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
