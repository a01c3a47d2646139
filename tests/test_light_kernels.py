"""The quiz and the trainer's view run in one kernel per visitor: a class of 40 must fit the
memory target (issue 12), so their import path loads neither pandas, Altair nor SQLAlchemy — not
when the page opens, nor when a trainee answers, nor when the trainer refreshes and exports — and
the quiz not even numpy (one case at a time needs no vectors; ~14 MB a kernel). Each runs in a
fresh interpreter, as a kernel would."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("pandas", "altair", "sqlalchemy", "numpy")
PROBE = f"import sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"


def cells(notebook: str) -> str:
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def run(code: str, tmp_path) -> list[str]:
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**__import__("os").environ, "FTLIB_QUIZ_RESULTS": str(tmp_path / "class.jsonl")})
    assert r.returncode == 0, r.stderr
    return r.stdout.strip().splitlines()


@pytest.mark.parametrize("use", [
    "",
    # a trainee answers (the class file is written), moves on, switches language, exports the CSV
    "session.trainee.value = '学员'\nsession.answer('exempt', set())\nsession.go(3)\n"
    "session.answer('exempt', {'grading:objected'}, 'not_accountable')\n"
    "session.lang_w.value = 'en'\nsession._on_export()\n",
])
def test_quiz_kernel_loads_no_pandas_altair_sqlalchemy_or_numpy(use, tmp_path):
    out = run(cells("04_training_quiz.ipynb") + "\n" + use + PROBE, tmp_path)
    assert out[-1] == "[]"


def test_trainer_kernel_loads_no_pandas_altair_or_sqlalchemy(tmp_path):
    answer = ("from ftlib.ui import quiz as _q\n_s = _q.QuizSession()\n_s.trainee.value = '学员'\n"
              "_s.answer('exempt', set())\n")
    use = "view.refresh(force=True)\nview._on_export()\nview.stop()\n"
    out = run(answer + cells("07_quiz_trainer.ipynb") + "\n" + use + PROBE, tmp_path)
    assert out[-1] == "['numpy']"  # openpyxl's, for the trainer's Excel export only
