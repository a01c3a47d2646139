"""03 register explorer in Voilà on a synthetic register: the analyst reads Chinese column
headers, codes in words and the synthetic banner; English on the switch; nothing leaves
127.0.0.1."""

from urllib.parse import urlparse

from tests.browser.conftest import ARTIFACTS
from tests.conftest import run_cli


def test_register_explorer_reads_in_chinese(voila_server, browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    r = run_cli("synth", "--regions", "4", "--years", "1", "--seed", "7", env={"FTLIB_DATABASE_URL": url})
    assert r.returncode == 0, r.stderr
    base = voila_server("notebooks/03_register_explorer.ipynb", env={"FTLIB_DATABASE_URL": url})
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    outside: list[str] = []
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
               lambda route: (outside.append(route.request.url), route.abort()))
    page.goto(base, timeout=120_000)
    table = page.locator("table.ftlib-table").first
    table.wait_for(timeout=120_000)
    head = table.locator("th").all_inner_texts()
    assert {"案件编号", "地区", "启动方式", "办理状态", "认定结果"} <= set(head), head
    body = table.inner_text()
    assert "依职权启动" in body and "ex_officio" not in body and "示例省" in body
    assert page.locator("a.ftlib-download").first.inner_text().startswith("下载所选")
    assert "Traceback" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "register_explorer_zh.png"), full_page=False)
    page.locator(".ftlib-lang button", has_text="English").click()
    page.wait_for_function("[...document.querySelectorAll('table.ftlib-table th')]"
                           ".some(th => th.innerText.trim() === 'case number')", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "register_explorer_en.png"), full_page=False)
    assert outside == [], sorted(set(outside))
