"""Where the data that ships inside the package lives (policies, jurisdictions, the case
library, label catalogues, the report template): ``ftlib/data/``, read through
``importlib.resources`` so that an installed wheel finds the same files as a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

#: libyaml's parser where PyYAML was built with it (Debian's and the wheels are): the package's
#: own files parse about ten times faster, which is most of a kernel's start-up (docs/serving.md).
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_path(*parts: str) -> Path:
    """A path inside ``ftlib/data``. ftlib is installed unzipped (a wheel or a checkout), so the
    resource is a real file and callers may pass it to libraries that want a path."""
    return Path(str(files("ftlib").joinpath("data", *parts)))


def read_yaml(*parts: str) -> Any:
    """A YAML file that ships inside ``ftlib/data`` (trusted: the limits on aliases and depth of
    ``ftlib.safeinput`` are for users' files), parsed with :data:`FAST_LOADER`."""
    return yaml.load(data_path(*parts).read_text(encoding="utf-8"), Loader=FAST_LOADER)


def is_package_data(path: str | Path) -> bool:
    """Whether ``path`` is one of the files that ship inside ``ftlib/data``."""
    try:
        Path(path).resolve().relative_to(data_path().resolve())
    except ValueError:
        return False
    return True
