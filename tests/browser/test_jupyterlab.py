"""The README's JupyterLab way (`ftlib lab`): JupyterLab starts on the user's own copy of the
notebooks, a notebook opens in Chromium, running it renders the case builder's widgets, and the
checkout's notebooks/ stay untouched."""

import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from ftlib.ui.lab import SOURCE, lab_command, prepare
from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import stop_group


def test_a_notebook_opens_in_jupyterlab_and_its_widgets_render(browser, tmp_path):
    before = sorted(p.name for p in SOURCE.iterdir())
    folder = prepare(target=tmp_path / "notebooks")
    assert (folder / "01_case_builder.ipynb").exists()
    port, token = free_port(), secrets.token_hex(8)
    # the app object in the page lets the test run the notebook as the Run menu would
    cmd = lab_command(folder, port) + [f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
                                       "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "jupyterlab.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(cmd, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")})
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"jupyter lab exited; see {log.name}"
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)  # noqa: S310 — local
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert time.monotonic() < deadline, "jupyter lab did not start"
                time.sleep(0.5)

        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside: list[str] = []
        page.route(lambda url: urlparse(url).hostname != "127.0.0.1",
                   lambda route: (outside.append(route.request.url), route.abort()))
        page.goto(f"{base}lab/tree/01_case_builder.ipynb?token={token}", timeout=120_000)
        page.locator(".jp-Notebook").wait_for(timeout=120_000)
        # run all cells once the notebook's kernel is idle (the status bar's "Idle")
        page.wait_for_function(
            "(() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
            " return k && k.status === 'idle'; })()", timeout=180_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        outcome = page.locator(".ftlib-outcome")
        try:
            outcome.wait_for(timeout=180_000)
        finally:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab_case_builder.png"))
        assert outcome.get_attribute("data-outcome") == "exempt"   # the builder's default case (test_case_builder_voila)
        assert page.locator(".jp-OutputArea .widget-checkbox, .jp-OutputArea .jupyter-widgets").count() > 0
        assert outside == [], outside[:3]
    finally:
        stop_group(proc)
        log.close()
    assert sorted(p.name for p in SOURCE.iterdir()) == before, "JupyterLab wrote into the checkout's notebooks"
