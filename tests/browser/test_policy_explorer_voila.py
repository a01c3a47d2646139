"""02 policy explorer in Voilà on a synthetic register: policies chosen by name, the clauses,
the lint findings in Chinese, and the impact of dropping a rule measured on the register's own
cases of that policy (their number counted here straight from the database); English on the
switch; nothing leaves 127.0.0.1."""

import re
import sqlite3
from urllib.parse import urlparse

from tests.browser.conftest import ARTIFACTS
from tests.conftest import run_cli

#: The Demo Province 2022 measures, by the names its policy file gives.
NAME_ZH, NAME_EN = "示例省容错纠错办法（2022年修订，示例）", "Demo Province measures on fault tolerance and error correction (2022 revision; illustrative)"
ID = re.compile(r"\bCN(-[A-Z0-9]+)+\b")


def test_policy_explorer_reads_by_name_and_measures_the_register(voila_server, browser, tmp_path):
    db = tmp_path / "register.sqlite"
    r = run_cli("synth", "--regions", "4", "--years", "1", "--seed", "7", env={"FTLIB_DATABASE_URL": f"sqlite:///{db}"})
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(db) as con:
        governed = con.execute("select count(*) from cases where policy_id = 'CN-DM-2022'").fetchone()[0]
    assert governed > 0  # the premise: the sample has cases under the province's own measures
    base = voila_server("notebooks/02_policy_explorer.ipynb", env={"FTLIB_DATABASE_URL": f"sqlite:///{db}"})
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    outside: list[str] = []
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
               lambda route: (outside.append(route.request.url), route.abort()))
    page.goto(base, timeout=120_000)
    chooser = page.locator(".ftlib-policy select")
    chooser.wait_for(timeout=120_000)
    names = chooser.evaluate("s => [...s.options].map(o => o.text)")
    assert NAME_ZH in names and not any(ID.search(n) for n in names), names
    chooser.select_option(label=NAME_ZH)
    page.get_by_role("tab", name="检查").click()
    lint = page.locator(".ftlib-lint")
    lint.wait_for(timeout=30_000)
    assert re.search(r"[\u4e00-\u9fff]", lint.inner_text()) and "Traceback" not in lint.inner_text()
    page.get_by_role("tab", name="修改影响").click()
    page.locator(".ftlib-run button, button.ftlib-run").first.click()
    source = page.locator(".ftlib-impact-source")
    source.wait_for(timeout=60_000)
    assert source.get_attribute("data-source") == "cases_register"
    assert source.inner_text().strip() == f"计算范围：登记簿中适用本政策的 {governed} 件案件"
    assert "Traceback" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "policy_explorer_zh.png"), full_page=True)
    page.get_by_role("tab", name="政策比较").click()
    compared = page.locator(".ftlib-diff")
    compared.wait_for(timeout=30_000)
    shown = compared.inner_text()   # the folded technical detail is not read
    assert "适用地区: 全国 → 示例省" in shown and "性质: 正式条款与示例性解读并存 → 示例性" in shown and not ID.search(shown) and "{'id'" not in shown, shown
    page.screenshot(path=str(ARTIFACTS / "policy_explorer_diff_zh.png"), full_page=True)

    page.locator(".ftlib-lang button", has_text="English").click()
    # (ipywidgets writes an option's spaces as no-break spaces)
    page.wait_for_function("(document.querySelector('.ftlib-policy select') || {options: []}).options.length > 0 && "
                           "[...document.querySelector('.ftlib-policy select').options]"
                           f".some(o => o.text.replace(/\\u00a0/g, ' ') === {NAME_EN!r})",
                           timeout=120_000)   # the switch recomputes the comparison over the fact space
    shown = chooser.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
    assert shown == NAME_EN  # the same policy, by its English name
    page.locator(".ftlib-diff", has_text="textual differences").wait_for(timeout=120_000)   # redrawn in English
    assert "适用地区" not in page.locator(".ftlib-diff").inner_text()
    page.screenshot(path=str(ARTIFACTS / "policy_explorer_en.png"), full_page=True)
    assert outside == [], sorted(set(outside))
