"""Serve ``dashboards/`` with Voilà and the checked-in ``voila.json`` (read from that folder)."""

# Imports inside functions: the CLI's start-up time: Voilà and the page handlers load only when a server starts.

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from ftlib import home
from ftlib.errors import FtlibError
from ftlib.reports.pagecache import SNAPSHOT_NAME
from ftlib.resources import data_path

#: Where ftlib's Voilà template lives (a Jupyter data directory); see voila_env().
TEMPLATES = data_path("voila", "share", "jupyter")


def voila_env(base: dict | None = None) -> dict:
    """The environment Voilà needs to find ftlib's template (no CDN stylesheet links)."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    return env


#: Settings of the shipped voila.json that concern the dashboards folder only: a widget notebook
#: needs the widget extensions the dashboards deny, and has no html/ or assets/ to serve.
DASHBOARD_ONLY = ("extension_denylist", "file_allowlist")


def voila_command(port: int, ip: str = "127.0.0.1", target: str = ".", config_dir: Path | None = None,
                  max_kernels: int | None = None, pool: int | None = None) -> list[str]:
    """Voilà as ftlib runs it (ftlib.reports.voila_app: kernels released on leave, a kernel limit
    with a busy page), with the interpreter running ftlib, so that it finds the same packages.
    ``config_dir``: the folder whose voila.json to read (default: the working folder);
    ``max_kernels``: overrides voila.json's limit (size it to the machine's memory); ``pool``:
    kernels kept ready for the one notebook served (widget notebooks, ``notebooks.json``)."""
    cmd = [sys.executable, "-m", "ftlib.reports.voila_app", target, "--no-browser", f"--port={port}",
           f"--Voila.ip={ip}", "--template=ftlib"]
    if config_dir is not None:
        cmd.append(f"--Voila.config_file_paths={config_dir}")
    if max_kernels is not None:
        cmd.append(f"--FtlibKernelManager.max_kernels={max_kernels}")
    if pool is not None:
        cmd.append(f"--FtlibKernelManager.pool={pool}")
    return cmd


def notebook_config() -> dict:
    """The shipped voila.json for the widget notebooks: the same kernel limit, idle cull, busy page,
    template and hidden tracebacks as the dashboards, without the dashboards-only settings, and
    with ``notebooks.json`` on top (kernels kept ready: the quiz's pool)."""
    cfg = json.loads(data_path("voila", "voila.json").read_text(encoding="utf-8"))
    for key in DASHBOARD_ONLY:
        cfg["VoilaConfiguration"].pop(key, None)
    for section, values in json.loads(data_path("voila", "notebooks.json").read_text(encoding="utf-8")).items():
        cfg.setdefault(section, {}).update(values)
    return cfg


def notebook_config_dir() -> Path:
    """The folder whose voila.json (:func:`notebook_config`) ``ftlib notebook`` reads:
    ``$FTLIB_HOME/voila-notebook``, written afresh at each start (atomically: two servers may
    start at once), never the project tree or the folder of the notebooks."""
    folder = home.home() / "voila-notebook"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".voila-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(notebook_config(), f, indent=1)
    os.replace(tmp, folder / "voila.json")
    return folder


def serve(folder: Path | None = None, port: int = 8866, ip: str = "127.0.0.1", max_kernels: int | None = None,
          apps_port: int = 0) -> int:
    """Serve the dashboards; ``apps_port``: where the widget notebooks are served (``ftlib run``),
    which the index's links (``/ftlib/apps/<notebook>``) lead to."""
    folder = Path(folder) if folder is not None else home.dashboards_dir()
    if not (folder / "index.ipynb").exists():
        raise FtlibError(f"{folder}: no index.ipynb: run `ftlib report --all` first")
    if not (folder / "voila.json").exists():
        raise FtlibError(f"{folder}: voila.json is missing")
    port_free(ip, port)   # never print a URL that leads to another server
    print(f"ftlib: dashboards at http://{ip}:{port}/voila/render/index.ipynb  (Ctrl-C stops)", flush=True)
    try:
        env = voila_env()
        snapshot = folder / SNAPSHOT_NAME  # the register as the reports were run
        if snapshot.exists():
            env["FTLIB_REPORT_FRAMES"] = str(snapshot.resolve())
        command = voila_command(port, ip, max_kernels=max_kernels)
        if apps_port:
            command.append(f"--FtlibVoila.apps_port={apps_port}")
        return subprocess.call(command, cwd=folder, env=env)
    except KeyboardInterrupt:
        return 0


def port_free(ip: str, port: int) -> None:
    """Refuse, in one line, a port that something already listens on (or that cannot be bound)."""

    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((ip, port))
        except OSError as err:
            if err.errno == 99 or isinstance(err, socket.gaierror):   # EADDRNOTAVAIL: not this machine's
                raise FtlibError(f"--ip: value {ip!r}: not an address of this machine "
                                 f"({err.strerror or 'unusable'}); the default is 127.0.0.1") from None
            why = "already in use by another program" if err.errno in (98, 48) else (err.strerror or "unusable")
            raise FtlibError(f"--port: value {port}: port {port} on {ip} is {why}; choose another "
                             "(e.g. --port 8870)") from None


def wait_until_up(base: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    """Wait until a Voilà server at ``base`` answers (any HTTP answer counts)."""

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise FtlibError(f"voila exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(base + "voila/static/", timeout=1)  # noqa: S310 — our local server
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise FtlibError(f"voila did not answer at {base} within {timeout:.0f} s")
