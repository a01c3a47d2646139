"""01 case builder served by Voilà and driven in headless Chromium: ticking 明知故犯
(knowingly violated) turns the outcome from 免予问责 into 不予容错; the en switch relabels the
page; no request leaves 127.0.0.1."""

import re
from urllib.parse import urlparse

from tests.browser.conftest import ARTIFACTS


def test_knowingly_violated_turns_the_outcome(voila_server, browser):
    url = voila_server("notebooks/01_case_builder.ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    hosts: list[str] = []
    outside: list[str] = []
    page.on("request", lambda req: hosts.append(urlparse(req.url).hostname or req.url))
    page.route(lambda url: urlparse(url).hostname != "127.0.0.1",
               lambda route: (outside.append(route.request.url), route.abort()))
    page.goto(url, timeout=120_000)

    outcome = page.locator(".ftlib-outcome")
    outcome.wait_for(timeout=120_000)
    # default form: reform pilot done properly under CN-2019 -> exempt (tests/test_ui.py)
    assert "免予问责" in outcome.inner_text()
    assert outcome.get_attribute("data-outcome") == "exempt"

    page.locator(".ftlib-fact-knowingly-violated input[type=checkbox]").check()
    page.wait_for_function(
        "(document.querySelector('.ftlib-outcome') || {getAttribute: () => ''}).getAttribute('data-outcome')"
        " === 'not_tolerated'",
        timeout=30_000)
    text = page.locator(".ftlib-outcome").inner_text()
    assert "不予容错" in text and "触碰红线" in text and "red_line" not in text   # the row in words, no id
    # the reasons a class reads: plain sentences first, the technical trace folded away
    plain = page.locator(".ftlib-plain-reasons").first
    assert "存在“明知故犯”的情形" in plain.inner_text()
    assert "→ 不予容错" in plain.inner_text()
    assert not page.locator(".ftlib-technical table").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "case_builder_not_tolerated.png"), full_page=False)
    # the same case under other policies: by name, no policy or region id anywhere in the table
    compared = page.locator(".ftlib-comparison").first.text_content()
    assert "全国基线（2019年：问责条例第十七、十八条）" in compared, compared
    assert not re.search(r"\bCN(-[A-Z0-9]+)*\b", compared), compared
    page.set_viewport_size({"width": 1366, "height": 768})   # a classroom projector
    plain.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "case_builder_reasons_1366.png"), full_page=False)

    page.locator(".ftlib-lang button", has_text="English").click()
    page.wait_for_function("(document.querySelector('.ftlib-outcome') || {innerText: ''}).innerText.includes('not tolerated')",
                           timeout=30_000)
    assert page.locator(".ftlib-fact-knowingly-violated").inner_text().strip() == "knowingly violated"
    page.wait_for_function("(document.querySelector('.ftlib-plain-reasons') || {innerText: ''})"
                           ".innerText.includes('knowingly violated: yes')", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "case_builder_en.png"), full_page=False)

    assert "127.0.0.1" in hosts
    # ftlib's Voilà template drops the lab template's two CDN stylesheet links: nothing leaves.
    assert outside == [], sorted(set(outside))
