"""The widget notebooks beside the dashboards: ``ftlib run`` serves the checkout's notebooks
folder with a second Voilà (widgets allowed; the kernel limit, idle cull and busy page of the
shipped voila.json, as ``ftlib notebook``), and the dashboards server links to it
(``/ftlib/apps/<notebook>``, ``ftlib.reports.voila_app.AppsHandler``). Two servers because the
dashboards deny the widget extensions: their pages stay light for the many who only read.
``ftlib apps`` runs the same server alone, e.g. behind nginx under ``/apps/``
(deploy/nginx/ftlib.conf)."""

from __future__ import annotations

import subprocess

from ftlib.reports.serve import notebook_config_dir, port_free, voila_command, voila_env
from ftlib.ui.lab import SOURCE


def apps_command(port: int, ip: str = "127.0.0.1", max_kernels: int | None = None, base_url: str = "/") -> list[str]:
    """The widget notebooks' Voilà; ``base_url``: the path it answers under (behind a proxy that
    serves the dashboards at ``/``, e.g. ``/apps/``)."""
    command = voila_command(port, ip, str(SOURCE), notebook_config_dir(), max_kernels)
    if base_url != "/":
        command.append(f"--Voila.base_url={base_url}")
    return command


def start_apps(port: int, ip: str = "127.0.0.1", max_kernels: int | None = None, base_url: str = "/") -> subprocess.Popen:
    """Start the widget notebooks' Voilà on ``port`` (in this process group: stopping ``ftlib run``
    stops it); the caller stops it when the dashboards server ends."""
    port_free(ip, port)
    return subprocess.Popen(apps_command(port, ip, max_kernels, base_url), cwd=SOURCE, env=voila_env())


def serve_apps(port: int = 8876, ip: str = "127.0.0.1", max_kernels: int | None = None, base_url: str = "/") -> int:
    """``ftlib apps``: the widget notebooks alone, until Ctrl-C."""
    port_free(ip, port)   # never print a URL that leads to another server
    print(f"ftlib: interactive notebooks at http://{ip}:{port}{base_url}voila/render/06_case_desk.ipynb "
          "(Ctrl-C stops)", flush=True)
    try:
        return subprocess.call(apps_command(port, ip, max_kernels, base_url), cwd=SOURCE, env=voila_env())
    except KeyboardInterrupt:
        return 0


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
