"""04 training quiz and 05 ex-ante self-check served by Voilà, driven in headless Chromium.

Quiz: the first library case is c01 (routine filing error), whose expected outcome under every
policy is 不属于容错情形 (worked out by hand in ftlib/data/cases/c01-routine-filing-error.yaml). A trainee
who picks that outcome and no rules gets 1 of 2 points, and the answer lands in the class
results file. Ex-ante: routine work is a tolerable situation under no policy. Nothing may leave
127.0.0.1."""

import json
from urllib.parse import urlparse

from tests.browser.conftest import ARTIFACTS


def _guard(page) -> list[str]:
    outside: list[str] = []
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1",
               lambda route: (outside.append(route.request.url), route.abort()))
    return outside


def test_quiz_scores_an_answer_in_the_browser(voila_server, browser, tmp_path):
    results = tmp_path / "results.jsonl"
    url = voila_server("notebooks/04_training_quiz.ipynb", env={"FTLIB_QUIZ_RESULTS": str(results)})
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    outside = _guard(page)
    page.goto(url, timeout=120_000)
    page.locator(".ftlib-quiz-case").wait_for(timeout=120_000)
    assert "统计报表差错" in page.locator(".ftlib-quiz-case").inner_text()

    page.get_by_label("学员姓名").fill("王学员")
    page.get_by_label("学员姓名").press("Enter")
    page.get_by_text("不属于容错情形", exact=True).click()
    page.get_by_role("button", name="提交答案").click()
    answer = page.locator(".ftlib-quiz-answer")
    answer.wait_for(timeout=30_000)
    assert answer.get_attribute("data-outcome-correct") == "true"
    assert answer.get_attribute("data-rules-correct") == "false"      # no rules chosen
    assert "本次得分：1 / 2（1 题）" in page.locator(".ftlib-quiz-score").inner_text()
    assert page.locator(".ftlib-checklist input[type=checkbox]").count() >= 3   # reasons by ticking
    assert "不属于所列容错情形" in answer.locator(".ftlib-plain-reasons").inner_text()
    assert not answer.locator(".ftlib-technical table").is_visible()
    page.screenshot(path=str(ARTIFACTS / "quiz_answered.png"), full_page=False)
    page.set_viewport_size({"width": 1366, "height": 768})
    answer.locator(".ftlib-plain-reasons").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "quiz_reasons_1366.png"), full_page=False)

    [rec] = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert (rec["trainee"], rec["case_id"], rec["chosen_outcome"], rec["points"]) == \
        ("王学员", "c01-routine-filing-error", "out_of_scope", 1)

    page.locator(".ftlib-lang button", has_text="English").click()
    page.wait_for_function("(document.querySelector('.ftlib-quiz-score') || {innerText: ''})"
                           ".innerText.includes('session score: 1 / 2')", timeout=30_000)
    assert outside == [], sorted(set(outside))


def test_exante_check_reacts_to_the_planned_work(voila_server, browser):
    url = voila_server("notebooks/05_exante_check.ipynb")
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    outside = _guard(page)
    page.goto(url, timeout=120_000)
    page.locator(".ftlib-exante").wait_for(timeout=120_000)

    page.locator(".ftlib-fact-scenario select").select_option(label="日常事务")
    page.wait_for_function("(document.querySelector('.ftlib-exante') || {getAttribute: () => ''})"
                           ".getAttribute('data-in-scope') === 'false'", timeout=30_000)
    assert "不属于本政策的容错情形" in page.locator(".ftlib-exante-result").inner_text()
    page.screenshot(path=str(ARTIFACTS / "exante_routine.png"), full_page=False)

    page.locator(".ftlib-lang button", has_text="English").click()
    page.wait_for_function("(document.querySelector('.ftlib-exante-result') || {innerText: ''})"
                           ".innerText.includes('not a tolerable situation')", timeout=30_000)
    assert outside == [], sorted(set(outside))
