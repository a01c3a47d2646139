"""The widget notebooks beside the dashboards: ``ftlib run`` serves the checkout's notebooks
folder with a second Voilà (widgets allowed; the kernel limit, idle cull and busy page of the
shipped voila.json, as ``ftlib notebook``), and the dashboards server links to it
(``/ftlib/apps/<notebook>``, ``ftlib.reports.voila_app.AppsHandler``). Two servers because the
dashboards deny the widget extensions: their pages stay light for the many who only read."""

from __future__ import annotations

import subprocess

from ftlib.reports.serve import notebook_config_dir, port_free, voila_command, voila_env
from ftlib.ui.lab import SOURCE


def start_apps(port: int, ip: str = "127.0.0.1", max_kernels: int | None = None) -> subprocess.Popen:
    """Start the widget notebooks' Voilà on ``port`` (in this process group: stopping ``ftlib run``
    stops it); the caller stops it when the dashboards server ends."""
    port_free(ip, port)
    command = voila_command(port, ip, str(SOURCE), notebook_config_dir(), max_kernels)
    return subprocess.Popen(command, cwd=SOURCE, env=voila_env())


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
