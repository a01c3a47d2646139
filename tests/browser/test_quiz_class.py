"""A small class on the quiz at once (issue 12): the 40-user benchmark's scenario
(benchmarks/capacity_bench.py) with 5 trainees — 5 headless Chromium contexts open 04 training
quiz on one server run as `ftlib notebook` runs it, each enters a name, picks an outcome and
submits at the same moment, then answers the second question (spread over 2 s); then the same
class answers over the kernel protocol without browsers. Every answer comes back scored, each
lands in the class results file once, and the kernels are gone soon after the trainees leave. Timings
and memory are the benchmark's to record, not asserted here."""

import os
import shutil

import pytest

from tests.browser.conftest import CHROMIUM


def test_five_trainees_answer_at_once_and_all_land_in_the_class_file(tmp_path):
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium not installed")
    from benchmarks.capacity_bench import run_quiz

    out = run_quiz(5, tmp_path, dict(os.environ), browsers=2, answer_over=2)
    opened, answered = out["quiz_open"], out["quiz_answer"]
    assert (opened["n_ok"], opened["failed"]) == (5, 0)
    assert opened["kernels_open"] == 5
    assert (answered["n_ok"], answered["failed"]) == (5, 0)
    # two questions each: the first submitted at once, the second spread over 2 s
    assert (answered["spread"]["n_ok"], answered["spread"]["failed"]) == (5, 0)
    assert answered["answers_in_class_file"] == 10 and answered["every_answer_once"] is True
    # the same class over the kernel protocol, without browsers: five answers, each once in the file
    bare = answered["no_browsers"]
    assert (bare["n_ok"], bare["failed"]) == (5, 0) and bare["each_answer_once_in_class_file"] is True
    assert answered["kernels_gone_after_leaving_s"] is not None and answered["kernels_gone_after_leaving_s"] < 60
