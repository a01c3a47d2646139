"""A visitor of the dashboards reaches the interactive notebooks: the index lists them and its
link to the case desk leads, through the dashboards server's /ftlib/apps/ redirect, to the
widget server ``ftlib run`` starts beside it (the dashboards' own server denies widgets), where
the desk opens on the register and works. Without a widget server the link says in zh and en
how to start one. Both servers as ``ftlib run`` starts them (ftlib.ui.apps.start_apps and
``ftlib serve --apps-port``); nothing may leave 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from urllib.parse import urlparse

from ftlib.casedesk.steps import recent_cases
from ftlib.register import db
from ftlib.register.synth import synth
from ftlib.reports.index import write_index
from ftlib.reports.serve import wait_until_up
from ftlib.resources import data_path
from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import stop_group


def _dashboards(folder):
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps([]), encoding="utf-8")
    write_index(folder)
    shutil.copy(data_path("voila", "voila.json"), folder / "voila.json")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_index_leads_to_the_case_desk(browser, tmp_path):
    url_db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    synth(url_db, regions=1, years=1, seed=2026)
    case_id = recent_cases(url_db)[0]
    db.dispose(url_db)
    _dashboards(tmp_path / "dash")
    port, apps_port, bare_port = free_port(), free_port(), free_port()
    env = {**os.environ, "FTLIB_DATABASE_URL": url_db}
    log = open(ARTIFACTS / f"run-apps-{port}.log", "w")  # noqa: SIM115 — closed below
    procs = [subprocess.Popen([sys.executable, "-c", f"from ftlib.ui.apps import start_apps; start_apps({apps_port}).wait()"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)]
    for p, extra in ((port, ["--apps-port", str(apps_port)]), (bare_port, [])):
        procs.append(subprocess.Popen([sys.executable, "-m", "ftlib", "serve", "--dir", str(tmp_path / "dash"),
                                       "--port", str(p), *extra], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    try:
        for p, proc in ((apps_port, procs[0]), (port, procs[1]), (bare_port, procs[2])):
            wait_until_up(f"http://127.0.0.1:{p}/", proc, timeout=120)
        # without a widget server: a page saying how to start one, in both languages
        try:
            urllib.request.build_opener(_NoRedirect).open(f"http://127.0.0.1:{bare_port}/ftlib/apps/06_case_desk")
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8")
            assert err.code == 404 and "ftlib notebook 06" in body and "make run" in body and "交互式工具" in body

        page = browser.new_page(viewport={"width": 1366, "height": 900})
        outside: list[str] = []
        page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
                   lambda route: (outside.append(route.request.url), route.abort()))
        page.goto(f"http://127.0.0.1:{port}/voila/render/index.ipynb", timeout=120_000)
        page.locator(".ftlib-apps").first.wait_for(timeout=120_000)
        text = page.locator(".ftlib-apps").first.inner_text()
        for title in ("案例构建器", "政策浏览器", "登记簿浏览", "容错认定训练", "容错报备自查", "容错纠错案件办理台",
                      "培训教师视图"):
            assert title in text, title
        page.screenshot(path=str(ARTIFACTS / "index_tools_zh.png"), full_page=True)
        link = page.locator(".ftlib-apps a[data-notebook='06_case_desk']").first
        with page.context.expect_page() as opened:
            link.click()
        desk = opened.value
        desk.route(lambda u: urlparse(u).hostname != "127.0.0.1",
                   lambda route: (outside.append(route.request.url), route.abort()))
        desk.locator(".ftlib-desk").wait_for(timeout=180_000)
        assert urlparse(desk.url).port == apps_port and desk.url.endswith("06_case_desk.ipynb?lang=zh")
        desk.locator(".ftlib-desk-pick input").fill(case_id)
        desk.locator(".ftlib-desk-open").click()
        desk.locator(".ftlib-desk-case").wait_for(timeout=60_000)
        assert "当前环节" in desk.locator(".ftlib-desk-header").inner_text()
        assert desk.locator(".ftlib-desk-error").count() == 0
        desk.screenshot(path=str(ARTIFACTS / "index_to_case_desk.png"), full_page=True)
        assert outside == [], sorted(set(outside))
    finally:
        for proc in procs:
            stop_group(proc)
        log.close()
