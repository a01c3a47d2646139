"""Open the notebooks in JupyterLab on the user's own copy (``$FTLIB_HOME/notebooks``).

JupyterLab saves and autosaves the notebooks it opens (outputs included) and writes
``.ipynb_checkpoints/`` beside them, so it never runs on the checkout's ``notebooks/``: those stay
the clean, output-free originals that Voilà serves. A copy that already exists is kept (it holds
the analyst's own edits); a notebook that is new in ftlib is added."""

# Imports inside functions: the CLI's start-up time: Voilà's command line is built only when a notebook is served.

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ftlib import home
from ftlib.errors import FtlibError
from ftlib.resources import data_path

#: The notebooks as shipped, inside the package (the checkout's ``notebooks/`` links here), so an
#: installed wheel serves them too.
SOURCE = data_path("notebooks")


def prepare(source: Path = SOURCE, target: Path | None = None) -> Path:
    """Copy the notebooks that ``target`` lacks; return ``target``."""
    target = Path(target) if target is not None else home.home() / "notebooks"
    found = sorted(Path(source).glob("*.ipynb"))
    if not found:
        raise FtlibError(f"{source}: no notebooks here (they ship inside the ftlib package)")
    target.mkdir(parents=True, exist_ok=True)
    for nb in found:
        if not (target / nb.name).exists():
            shutil.copy2(nb, target / nb.name)
    return target


def lab_command(folder: Path, port: int, ip: str = "127.0.0.1") -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={ip}", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Jupyter refuses root without it
        cmd.append("--allow-root")
    return cmd


def notebook(name: str, port: int = 8866, ip: str = "127.0.0.1", max_kernels: int | None = None,
             pool: int | None = None) -> int:
    """Serve one of the checkout's notebooks with Voilà, ftlib's offline template and the limits of
    the shipped voila.json (kernel maximum with the busy page, idle cull), as ``ftlib serve``;
    ``pool``: kernels kept ready with the notebook already run (a class arriving at once)."""

    from ftlib.reports.serve import notebook_config_dir, port_free, voila_command, voila_env

    stem = name.removesuffix(".ipynb")
    found = sorted(SOURCE.glob(f"{stem}*.ipynb"))
    if len(found) != 1:
        known = ", ".join(p.stem for p in sorted(SOURCE.glob("*.ipynb"))) or "none"
        raise FtlibError(f"notebook {name!r}: {'ambiguous' if found else 'not found'} (known: {known})")
    port_free(ip, port)  # never print a URL that leads to another server
    print(f"ftlib: {found[0].stem} at http://{ip}:{port}/  (Ctrl-C stops)", flush=True)
    command = voila_command(port, ip, str(found[0]), notebook_config_dir(), max_kernels, pool)
    try:
        return subprocess.call(command, cwd=SOURCE, env=voila_env())
    except KeyboardInterrupt:
        return 0


def lab(port: int = 8888, ip: str = "127.0.0.1") -> int:

    folder = prepare()
    print(f"ftlib: JupyterLab on your copy of the notebooks in {folder} (Ctrl-C stops); "
          "open the URL with the token that JupyterLab prints", flush=True)
    try:
        return subprocess.call(lab_command(folder, port, ip), cwd=folder)
    except KeyboardInterrupt:
        return 0
