"""Quiz kernels kept ready for a class (issue 12): `ftlib notebook 04 --pool 2` starts two kernels
that run the quiz before anyone arrives; the first two trainees get those (the page comes already
drawn), a third gets a kernel started for it, and the pool is not refilled while its kernels are
handed out (a pool is a reserve, not a count of spares: a class of 40 with a pool of 40 holds 40
kernels). Past --max-kernels the busy page; trainees who close their tabs release their kernels at
once and the pool is filled again to two. A trainee on a kept kernel answers and the answer lands
in the class file."""

import os
import subprocess
import sys
import time

from ftlib.ui.classfile import read
from tests.browser.conftest import ARTIFACTS, answer_quiz, free_port
from tests.browser.test_notebook_limits import open_quiz, voila_of, wait_kernels
from tests.conftest import stop_group


def test_pool_serves_the_first_trainees_and_is_a_reserve(browser, tmp_path):
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"ftlib-notebook-pool-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 — closed below
    results = tmp_path / "class.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "ftlib", "notebook", "04", "--port", str(port), "--pool", "2",
                             "--max-kernels", "3"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env={**os.environ, "FTLIB_QUIZ_RESULTS": str(results)})
    try:
        voila = voila_of(proc)
        assert "--FtlibKernelManager.pool=2" in voila.cmdline()
        url = f"http://127.0.0.1:{port}/"
        from ftlib.reports.serve import wait_until_up

        wait_until_up(url, proc)
        assert wait_kernels(proc, 2, timeout=90) == 2     # ready before anyone arrives
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        trainees = [open_quiz(context, url) for _ in range(3)]
        assert log_path.read_text().count("Using pre-heated kernel") == 2   # the first two: the pool's
        assert wait_kernels(proc, 3) == 3                 # the third's own; the pool is not refilled
        busy = context.new_page()
        assert busy.goto(url, timeout=60_000).status == 503   # past --max-kernels 3
        busy.close()

        first = trainees[0]
        first.get_by_label("学员姓名").fill("学员甲")
        first.get_by_label("学员姓名").press("Enter")
        first.get_by_text("不属于容错情形", exact=True).click()
        first.get_by_role("button", name="提交答案").click()
        first.locator(".ftlib-quiz-answer").wait_for(timeout=60_000)
        assert [r["trainee"] for r in read(results)] == ["学员甲"]

        for page in trainees:
            page.close(run_before_unload=True)
        # Released at once (three shutdowns), then the pool is filled again to two.
        deadline_log = log_path.read_text
        deadline = time.monotonic() + 30
        while deadline_log().count("Kernel shutdown") < 3 and time.monotonic() < deadline:
            time.sleep(0.25)
        assert deadline_log().count("Kernel shutdown") == 3
        assert wait_kernels(proc, 2, timeout=60) == 2
        time.sleep(3)
        assert wait_kernels(proc, 2) == 2                 # and no more than two
        assert "Traceback" not in log_path.read_text()
    finally:
        stop_group(proc, timeout=30)
        log.close()


def test_a_kept_kernel_handed_out_late_is_not_culled_before_its_page_connects(browser, tmp_path):
    """A pool's kernel ran the quiz long before its trainee came: handed out, it must not count as
    idle since then, or the culler takes it while the page is still opening its websocket (here: a
    7 s idle cull, the kernel kept 12 s, the page's scripts slowed by 3 s as on a busy machine)."""
    from ftlib.reports.serve import notebook_config_dir, voila_command, voila_env, wait_until_up
    from tests.conftest import ROOT

    port = free_port()
    log = open(ARTIFACTS / f"voila-pool-cull-{port}.log", "w")  # noqa: SIM115 — closed below
    results = tmp_path / "class.jsonl"
    cmd = [*voila_command(port, target=str(ROOT / "notebooks" / "04_training_quiz.ipynb"),
                          config_dir=notebook_config_dir(), pool=1),
           "--MappingKernelManager.cull_idle_timeout=7", "--MappingKernelManager.cull_interval=1"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=voila_env({**os.environ, "FTLIB_QUIZ_RESULTS": str(results)}))
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, proc)
        assert wait_kernels(proc, 1, timeout=90) == 1
        time.sleep(12)   # kept, idle, longer than the cull: the pool protects it
        assert wait_kernels(proc, 1) == 1
        page = browser.new_context().new_page()

        def slow(route):
            time.sleep(3)
            route.continue_()

        page.route("**/voila.js*", slow)
        page.goto(url, timeout=60_000)
        answer_quiz(page, "学员乙", timeout_ms=60_000)   # its kernel is alive and answers
        assert [r["trainee"] for r in read(results)] == ["学员乙"]
        page.close(run_before_unload=True)
    finally:
        stop_group(proc, timeout=30)
        log.close()
