"""06 case desk served by Voilà, driven in headless Chromium: a case recorded from the
cadre's application to filing on a small seeded sample register (a temporary file, never the
project tree), each event checked in the register, each deadline checked on the page, and the
determination opinion downloaded through the browser as PDF and .docx.

The expected deadlines are the ones worked out by hand in tests/test_case_desk.py (CN-DM-2022,
2025 calendar). Nothing may leave 127.0.0.1."""

import re
import shutil
import subprocess
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ftlib.register import db
from ftlib.register.models import Event
from ftlib.register.synth import synth
from tests.browser.conftest import ARTIFACTS
from tests.test_case_desk import EXPECTED_DUE

STEPS = ("started", "accepted", "investigation_started", "investigated", "decided", "feedback_sent", "filed")


def _guard(page) -> list[str]:
    outside: list[str] = []
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
               lambda route: (outside.append(route.request.url), route.abort()))
    return outside


def _wait_ok(page, kind: str) -> None:
    page.locator(f".ftlib-desk-ok[data-kind='{kind}']").wait_for(timeout=60_000)


def _record(page, step_label: str, kind: str, day: str, actor: str = "纪委办公室") -> None:
    page.locator(".ftlib-desk-step select").select_option(label=step_label)
    page.locator(".ftlib-step-at input").fill(day)
    page.locator(".ftlib-step-actor input").fill(actor)


def _click_record(page, kind: str) -> None:
    page.locator(".ftlib-desk-record").click()
    _wait_ok(page, kind)


def test_case_from_application_to_filing_in_the_browser(voila_server, browser, tmp_path):
    url_db = f"sqlite:///{tmp_path / 'register.sqlite'}"
    synth(url_db, regions=1, years=1, seed=2026)
    db.dispose(url_db)
    url = voila_server("notebooks/06_case_desk.ipynb", env={"FTLIB_DATABASE_URL": url_db})
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    outside = _guard(page)
    page.goto(url, timeout=120_000)
    page.locator(".ftlib-desk").wait_for(timeout=120_000)

    page.locator(".ftlib-desk-user input").fill("王录入")
    page.locator(".ftlib-desk-new").click()
    page.locator(".ftlib-fact-id input").fill("DESK-1")
    region = page.locator(".ftlib-fact-jurisdiction select")
    region.select_option(label="\u3000示例省")
    # the reader picks a region by its name (indented under 全国), never by a code
    assert region.evaluate("s => s.options[s.selectedIndex].text").strip() == "示例省"
    page.locator(".ftlib-fact-conduct-date input").fill("2025-03-10")
    page.locator(".ftlib-new-cadre input").fill("C-7001")
    page.locator(".ftlib-new-channel select").select_option(label="干部本人申请")
    page.locator(".ftlib-new-received input").fill("2025-04-01")
    page.locator(".ftlib-new-actor input").fill("申请人")
    # the window line is redrawn by the kernel after the channel changes: wait for it, don't race it
    expect(page.locator(".ftlib-new-window")).to_contain_text("收到问责调查通知后 10 个工作日内", timeout=60_000)
    page.locator(".ftlib-desk-start").click()  # without the notice day: refused, in Chinese
    page.locator(".ftlib-desk-error[data-code='notice_missing']").wait_for(timeout=60_000)
    assert "请填写收到问责调查通知的日期" in page.locator(".ftlib-desk-status").inner_text()
    page.locator(".ftlib-new-notice input").fill("2025-03-10")  # window over on 2025-03-24
    page.locator(".ftlib-desk-start").click()
    page.locator(".ftlib-desk-error[data-code='application_late']").wait_for(timeout=60_000)
    shown = page.locator(".ftlib-desk-status").inner_text()
    assert "已于 2025-03-24 届满" in shown and "window" not in shown  # the English line stays folded
    page.screenshot(path=str(ARTIFACTS / "case_desk_application_late.png"), full_page=True)
    page.locator(".ftlib-new-notice input").fill("2025-03-20")
    page.locator(".ftlib-desk-start").click()
    _wait_ok(page, "started")
    offered = page.locator(".ftlib-desk-step select option").all_inner_texts()
    assert "受理" in offered and "集体认定" not in offered  # only the steps legal now

    _record(page, "受理", "accepted", "2025-04-02")
    _click_record(page, "accepted")
    _record(page, "开始调查核实", "investigation_started", "2025-04-03", "核查组")
    page.locator(".ftlib-step-team input").fill("第一核查组")
    _click_record(page, "investigation_started")
    _record(page, "调查核实完毕", "investigated", "2025-04-25", "核查组")
    page.locator(".ftlib-step-findings textarea").fill("在改革试点中因缺乏经验造成轻微损失，已全部挽回。")
    _click_record(page, "investigated")

    _record(page, "集体认定", "decided", "2025-05-06", "省纪委常委会")
    page.locator(".ftlib-recommended[data-outcome='exempt']").wait_for(timeout=60_000)
    words = page.locator(".ftlib-recommendation").inner_text()
    assert "免予问责" in words and "符合免责条件" in words
    for raw in ("exempt", "art", "CN-DM"):  # words only; the clause ids live in the folded trace
        assert raw not in words, raw
    for cls, n in (("members-total", "9"), ("members-present", "5"), ("votes-for", "5")):
        page.locator(f".ftlib-dec-{cls} input").fill(n)
        page.locator(f".ftlib-dec-{cls} input").press("Tab")
    page.locator(".ftlib-desk-record").click()
    page.locator(".ftlib-desk-error").wait_for(timeout=60_000)
    shown = page.locator(".ftlib-desk-status").inner_text()
    assert "未达到法定人数：应到 9 人，实到 5 人" in shown and "quorum" not in shown
    page.screenshot(path=str(ARTIFACTS / "case_desk_quorum_refused.png"), full_page=True)
    for cls, n in (("members-present", "7"), ("votes-for", "6"), ("votes-against", "1")):
        page.locator(f".ftlib-dec-{cls} input").fill(n)
        page.locator(f".ftlib-dec-{cls} input").press("Tab")
    # the disposition follows the engine's (免予问责); of the handling, an exemption offers no sanction
    disposition = page.locator(".ftlib-dec-disposition select")
    assert disposition.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ").strip() == "免予问责"
    assert page.locator(".ftlib-dec-handling-party-warning").count() == 0
    page.locator(".ftlib-dec-handling-criticism-education input").check()
    page.screenshot(path=str(ARTIFACTS / "case_desk_decision.png"), full_page=True)
    _click_record(page, "decided")

    _record(page, "书面反馈", "feedback_sent", "2025-05-08")
    _click_record(page, "feedback_sent")
    _record(page, "报上级备案", "filed", "2025-05-12")
    page.locator(".ftlib-step-to input").fill("上级纪委监委")
    _click_record(page, "filed")
    page.locator(".ftlib-desk-case[data-state='filed']").wait_for(timeout=60_000)
    for what, due in EXPECTED_DUE.items():
        row = page.locator(f".ftlib-deadline[data-what='{what}']")
        assert row.get_attribute("data-due") == due, what
        assert due in row.inner_text(), what
    assert "按时完成" in page.locator(".ftlib-deadline[data-what='filing']").inner_text()
    page.screenshot(path=str(ARTIFACTS / "case_desk_filed.png"), full_page=True)

    with db.session_scope(url_db) as s:
        got = s.execute(select(Event.kind, Event.at, Event.recorded_by).where(Event.case_id == "DESK-1")
                        .order_by(Event.seq)).all()
    db.dispose(url_db)
    assert [k for k, _, _ in got] == list(STEPS)
    assert [str(a) for _, a, _ in got] == ["2025-04-01", "2025-04-02", "2025-04-03", "2025-04-25", "2025-05-06",
                                           "2025-05-08", "2025-05-12"]
    assert {r for _, _, r in got} == {"王录入"}
    with db.session_scope(url_db) as s:
        decided = s.scalars(select(Event.payload).where(Event.case_id == "DESK-1", Event.kind == "decided")).one()
    db.dispose(url_db)
    assert (decided["disposition"], decided["handling_imposed"]) == ("exempted", ["criticism_education"])

    page.locator(".ftlib-doc-kind select").select_option(label="容错纠错认定意见")
    for fmt, button in (("pdf", ".ftlib-doc-pdf"), ("docx", ".ftlib-doc-docx")):
        page.locator(button).click()
        link = page.locator(f".ftlib-download[download$='.{fmt}']")
        link.wait_for(timeout=120_000)
        with page.expect_download() as dl:
            link.click()
        saved = tmp_path / dl.value.suggested_filename
        dl.value.save_as(saved)
        assert saved.name == f"DESK-1_容错纠错认定意见.{fmt}"
        if fmt == "pdf" and shutil.which("pdftotext"):
            text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(saved), "-"], capture_output=True, text=True,
                                                     check=True).stdout)
            assert "认定为：免予问责" in text and "即2025年5月27日前" in text
        if fmt == "docx":
            import docx

            body = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
            assert "认定为：免予问责（符合免责条件）" in body and "示例文书" in body

    page.locator(".ftlib-lang button", has_text="English").click()
    page.wait_for_function("(document.querySelector('.ftlib-desk-state') || {innerText: ''})"
                           ".innerText.includes('filed')", timeout=30_000)
    assert outside == [], sorted(set(outside))


@pytest.fixture(autouse=True)
def _no_checkout_writes():
    """The desk writes nothing into the project tree (downloads go to the browser)."""
    from tests.conftest import ROOT

    before = set(p for p in (ROOT / "notebooks").iterdir())
    yield
    assert set(p for p in (ROOT / "notebooks").iterdir()) == before
