"""Files through the browser, per visitor (issue 12): notebooks 01–05 served by ftlib's Voilà from
one server, used by two visitors at once in headless Chromium. Uploads come from the visitor's
computer and each visitor sees only its own; every save/export arrives as a browser download with
the right content; a bad upload is refused with the CLI's one line; and the project tree is the
same before and after (no notebook writes into it)."""

import os
import signal
import subprocess
from pathlib import Path

import yaml

from ftlib.reports.serve import voila_command, voila_env, wait_until_up
from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import ROOT, run_cli

SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "artifacts",
             "ftlib.egg-info", ".ipynb_checkpoints_never"}


def tree() -> dict[str, tuple[int, int]]:
    """Every file of the checkout (but caches, the venv and test artifacts): size and mtime."""
    out = {}
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in names:
            path = Path(folder) / name
            st = path.stat()
            out[str(path.relative_to(ROOT))] = (st.st_size, st.st_mtime_ns)
    return out


def case_file(tmp_path: Path, case_id: str) -> Path:
    from ftlib.resources import data_path

    data = yaml.safe_load(data_path("cases", "c05-rainstorm-nursery.yaml").read_text(encoding="utf-8"))["case"]
    data["id"] = case_id
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def render(context, base: str, notebook: str):
    page = context.new_page()
    page.goto(base + f"voila/render/{notebook}", timeout=180_000)
    page.locator(".jp-OutputArea-output").first.wait_for(timeout=180_000)
    return page


def upload(page, path: Path) -> None:
    """Choose ``path`` in the page's FileUpload, as a visitor does in the file dialog."""
    with page.expect_file_chooser(timeout=30_000) as chooser:
        page.locator("button.ftlib-upload").click()
    chooser.value.set_files(str(path))


def download(page, trigger) -> tuple[str, bytes]:
    with page.expect_download(timeout=30_000) as dl:
        trigger.click()
    path = dl.value.path()
    return dl.value.suggested_filename, Path(path).read_bytes()


def test_notebooks_give_files_through_the_browser_and_write_nothing_in_the_tree(browser, tmp_path):
    register = {"FTLIB_DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite'}"}
    r = run_cli("synth", "--regions", "2", "--years", "1", "--seed", "3", env=register)  # for 03
    assert r.returncode == 0, r.stderr
    before = tree()
    port = free_port()
    results = tmp_path / "class.jsonl"
    env = voila_env({**os.environ, **register, "FTLIB_HOME": str(tmp_path / "home"),
                     "FTLIB_QUIZ_RESULTS": str(results)})
    log = open(ARTIFACTS / f"voila-files-{port}.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(voila_command(port, target=str(ROOT / "notebooks")), cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(base, proc)
        a = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        b = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        # 01: two visitors upload their own case at the same time; each sees and saves only its own
        pa, pb = render(a, base, "01_case_builder.ipynb"), render(b, base, "01_case_builder.ipynb")
        upload(pa, case_file(tmp_path, "visitor-a"))
        upload(pb, case_file(tmp_path, "visitor-b"))
        for page, mine in ((pa, "visitor-a"), (pb, "visitor-b")):
            page.locator(".ftlib-uploaded").wait_for(timeout=30_000)
            assert page.locator(".ftlib-fact-id input").input_value() == mine
            page.locator("button.ftlib-save").click()
            name, data = download(page, page.locator("a.ftlib-download"))
            assert name == f"{mine}.yaml" and yaml.safe_load(data)["id"] == mine
        pa.screenshot(path=str(ARTIFACTS / "files_case_uploaded.png"))
        # a bad upload: the CLI's one line naming the visitor's file, the form untouched
        bad = tmp_path / "broken.yaml"
        bad.write_text("id: [unclosed\n", encoding="utf-8")
        upload(pa, bad)
        pa.locator(".ftlib-error").first.wait_for(timeout=30_000)
        assert "broken.yaml: line" in pa.locator(".ftlib-error").first.inner_text()
        assert pa.locator(".ftlib-fact-id input").input_value() == "visitor-a"
        pa.close(run_before_unload=True)
        pb.close(run_before_unload=True)
        # 02 and 03 open without error
        for nb in ("02_policy_explorer.ipynb", "03_register_explorer.ipynb"):
            page = render(a, base, nb)
            assert "Traceback" not in page.content()
            page.close(run_before_unload=True)
        # 04: an answer goes to the class file; the export arrives as a CSV download
        page = render(a, base, "04_training_quiz.ipynb")
        page.locator(".ftlib-quiz-case").wait_for(timeout=60_000)
        page.get_by_label("学员姓名").fill("甲学员")
        page.get_by_label("学员姓名").press("Enter")
        page.get_by_role("button", name="提交答案").click()
        page.locator(".ftlib-quiz-score").wait_for(timeout=30_000)
        page.get_by_role("button", name="导出全班成绩（CSV）").click()
        name, data = download(page, page.locator("a.ftlib-download"))
        assert name.startswith("quiz_results_") and name.endswith(".csv")
        assert "甲学员" in data.decode("utf-8-sig") and results.is_file()
        page.close(run_before_unload=True)
        # 05: the registration form and the planned facts arrive as two downloads
        page = render(a, base, "05_exante_check.ipynb")
        page.locator(".ftlib-exante").wait_for(timeout=60_000)
        page.get_by_role("button", name="生成报备表").click()
        links = page.locator("a.ftlib-download")
        links.first.wait_for(timeout=30_000)
        got = dict(download(page, links.nth(i)) for i in range(links.count()))
        assert sorted(Path(n).suffix for n in got) == [".md", ".yaml"]
        md = next(v for n, v in got.items() if n.endswith(".md")).decode("utf-8")
        assert "# 容错报备表" in md
        page.screenshot(path=str(ARTIFACTS / "files_exante_downloads.png"))
        page.close(run_before_unload=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
    after = tree()
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}
    assert sorted(set(before) - set(after)) == []


def test_trainer_view_updates_when_a_trainee_answers(browser, tmp_path):
    import io

    from openpyxl import load_workbook

    port = free_port()
    results = tmp_path / "class.jsonl"
    env = voila_env({**os.environ, "FTLIB_HOME": str(tmp_path / "home"), "FTLIB_QUIZ_RESULTS": str(results)})
    log = open(ARTIFACTS / f"voila-trainer-{port}.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(voila_command(port, target=str(ROOT / "notebooks")), cwd=tmp_path, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(base, proc)
        trainer = render(browser.new_context(viewport={"width": 1200, "height": 1200}, accept_downloads=True),
                         base, "07_quiz_trainer.ipynb")
        count = trainer.locator(".ftlib-trainer-count")
        count.wait_for(timeout=60_000)
        assert count.get_attribute("data-answers") == "0"
        quiz = render(browser.new_context(), base, "04_training_quiz.ipynb")
        quiz.locator(".ftlib-quiz-case").wait_for(timeout=60_000)
        quiz.get_by_label("学员姓名").fill("乙学员")
        quiz.get_by_label("学员姓名").press("Enter")
        quiz.get_by_role("button", name="提交答案").click()
        quiz.locator(".ftlib-quiz-score").wait_for(timeout=30_000)
        # the trainer's page changes by itself (no reload): one answer, the trainee's name
        trainer.wait_for_function("document.querySelector('.ftlib-trainer-count').dataset.answers === '1'",
                                  timeout=30_000)
        assert "乙学员" in trainer.locator(".ftlib-trainer-who").inner_text()
        assert trainer.locator(".ftlib-trainer-scores tr[data-trainee='乙学员']").count() == 1
        trainer.screenshot(path=str(ARTIFACTS / "trainer_view.png"), full_page=True)
        trainer.locator("button.ftlib-trainer-export").click()
        name, data = download(trainer, trainer.locator("a.ftlib-download"))
        assert name == "class.xlsx"
        ws = load_workbook(io.BytesIO(data))["成绩表"]
        assert ws["A2"].value == "乙学员" and ws["B2"].value == 1 and isinstance(ws["B2"].value, int)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
