"""The quiz's disposition question and reasons in words (issue 15), and the trainer's view counting
it, in headless Chromium on one ftlib Voilà serving notebooks/ (with `ftlib notebook`'s settings).

c04 (CN-2019): the deputy objected to the wrong decision — Art. 17(2); row ``objected`` of
cn-2019.yaml gives 不予问责 (not 免予问责). The trainee picks 免责 and 不予问责 and ticks that row:
outcome, disposition and reasons right. c01 (CN-2016, first case) has one disposition per outcome:
no disposition question."""

import json
import os
import re
import subprocess
from urllib.parse import urlparse

from ftlib.reports.serve import notebook_config_dir, voila_command, voila_env, wait_until_up
from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import ROOT, stop_group

OBJECTED = "[认定结果] 对错误决策提出过反对意见 ⇒ 免责（不予问责或免予问责）（依据：第十七条第一款第（二）项）"


def test_quiz_asks_the_disposition_and_names_clauses_in_words(browser, tmp_path):
    port = free_port()
    results = tmp_path / "class.jsonl"
    env = voila_env({**os.environ, "FTLIB_QUIZ_RESULTS": str(results)})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"voila-disposition-{port}.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(voila_command(port, target=str(ROOT / "notebooks"), config_dir=notebook_config_dir()),
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(base, proc)
        trainer = browser.new_page(viewport={"width": 1366, "height": 1400})
        trainer.goto(base + "voila/render/07_quiz_trainer.ipynb", timeout=180_000)
        trainer.locator(".ftlib-trainer-count").wait_for(timeout=180_000)

        page = browser.new_page(viewport={"width": 1366, "height": 768})
        outside: list[str] = []
        page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
                   lambda route: (outside.append(route.request.url), route.abort()))
        page.goto(base + "voila/render/04_training_quiz.ipynb", timeout=180_000)
        page.locator(".ftlib-quiz-case").wait_for(timeout=180_000)
        assert not page.locator(".ftlib-quiz-disposition").is_visible()     # c01, CN-2016: not asked
        options = page.locator(".ftlib-checklist input[type=checkbox] + span, .ftlib-checklist label").all_inner_texts()
        assert options and not [o for o in options if "〔" in o or re.search(r"\b(art\d|opinions_|_reading)", o)]
        page.get_by_label("学员姓名").fill("丙学员")
        page.get_by_label("学员姓名").press("Enter")
        for k in (2, 3, 4):                                                 # c01 → c02 → c03 → c04
            page.get_by_role("button", name="下一题").click()
            # one step at a time: a click sent while the kernel still redraws the last one can be
            # lost under load (CI, two workers)
            page.wait_for_function(f"document.body.innerText.includes('案例 {k} / ')", timeout=60_000)
        page.wait_for_function("document.querySelector('.ftlib-quiz-case').innerText.includes('反对错误决策的副县长')",
                               timeout=30_000)
        dispo = page.locator(".ftlib-quiz-disposition")
        dispo.wait_for(state="visible", timeout=30_000)
        assert "处理结论" in dispo.inner_text()
        assert [t.strip() for t in dispo.locator("label").all_inner_texts() if t.strip()][-5:] == [
            "不予问责", "免予问责", "从轻问责", "减轻问责", "不适用（不予容错或不属于容错情形）"]
        page.get_by_text("免责（不予问责或免予问责）", exact=True).click()
        dispo.get_by_text("不予问责", exact=True).click()
        page.get_by_text(OBJECTED, exact=True).click()
        dispo.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "quiz_disposition_question.png"), full_page=False)
        page.get_by_text(OBJECTED, exact=True).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "quiz_reason_options.png"), full_page=False)
        page.get_by_role("button", name="提交答案").click()
        answer = page.locator(".ftlib-quiz-answer")
        answer.wait_for(timeout=60_000)
        assert answer.get_attribute("data-outcome-correct") == "true"
        assert answer.get_attribute("data-disposition-correct") == "true"
        assert "正确的处理结论：不予问责" in answer.locator(".ftlib-quiz-right-disposition").inner_text()
        answer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "quiz_disposition_answered.png"), full_page=False)
        [rec] = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
        assert (rec["case_id"], rec["chosen_disposition"], rec["correct_disposition"], rec["max_points"]) == \
            ("c04-objected-deputy", "not_accountable", "not_accountable", 3)

        # the trainer's page counts the new question by itself
        trainer.wait_for_function("document.querySelector('.ftlib-trainer-count').dataset.answers === '1'",
                                  timeout=30_000)
        q = trainer.locator(".ftlib-trainer-q[data-case='c04-objected-deputy']")
        assert q.locator(".ftlib-trainer-disposition").get_attribute("data-correct") == "1"
        assert "不予问责：1" in q.inner_text() and "处理结论 — 1 / 1 人正确" in q.inner_text()
        assert "反对错误决策的副县长" in q.inner_text()   # the case by its title, not its id
        assert "对错误决策提出过反对意见" in q.inner_text()
        trainer.screenshot(path=str(ARTIFACTS / "trainer_disposition.png"), full_page=True)

        page.locator(".ftlib-lang button", has_text="English").click()
        page.wait_for_function("document.querySelector('.ftlib-quiz-right-disposition') && document.querySelector("
                               "'.ftlib-quiz-right-disposition').innerText.includes('not held accountable')",
                               timeout=30_000)
        page.locator(".ftlib-quiz-disposition").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "quiz_disposition_en.png"), full_page=False)
        assert outside == [], sorted(set(outside))
    finally:
        stop_group(proc, timeout=20)
        log.close()
