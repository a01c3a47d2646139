"""Where the data that ships inside the package lives (policies, jurisdictions, the case
library, label catalogues, the report template): ``ftlib/data/``, read through
``importlib.resources`` so that an installed wheel finds the same files as a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_path(*parts: str) -> Path:
    """A path inside ``ftlib/data``. ftlib is installed unzipped (a wheel or a checkout), so the
    resource is a real file and callers may pass it to libraries that want a path."""
    return Path(str(files("ftlib").joinpath("data", *parts)))
