"""The trainer's view (ftlib.ui.trainer) over a class file written by hand: counts per question,
who answered, the score table, refresh on change, and the xlsx with numbers as numbers."""

import io

from openpyxl import load_workbook

from ftlib.ui import classfile
from ftlib.ui.trainer import TrainerView, class_xlsx, per_question, scores


def rec(trainee, case_id, outcome, rules, points, right=False):
    return {"session": trainee, "trainee": trainee, "case_id": case_id, "chosen_outcome": outcome,
            "outcome_correct": right, "chosen_rules": rules, "points": points}


CLASS = [rec("张三", "c01", "out_of_scope", "scope:scope", 2, True),
         rec("李四", "c01", "exempt", "", 0),
         rec("王五", "c01", "out_of_scope", "scope:scope;grading:not_in_scope", 1, True),
         rec("张三", "c02", "exempt", "grading:exempt", 1, True)]


def test_counts_and_scores_by_hand():
    q = per_question(CLASS)
    assert q["c01"]["answers"] == 3 and q["c01"]["correct"] == 2
    assert dict(q["c01"]["chosen_outcome"]) == {"out_of_scope": 2, "exempt": 1}
    assert dict(q["c01"]["rules"]) == {"scope:scope": 2, "grading:not_in_scope": 1}
    assert scores(CLASS) == [
        {"trainee": "张三", "answers": 2, "points": 3, "possible": 4},
        {"trainee": "王五", "answers": 1, "points": 1, "possible": 2},
        {"trainee": "李四", "answers": 1, "points": 0, "possible": 2}]


def test_view_refreshes_when_the_class_file_changes(tmp_path):
    path = tmp_path / "class.jsonl"
    view = TrainerView(results_path=path, poll_s=0)
    assert "data-answers='0'" in view.summary.value
    for r in CLASS[:2]:
        classfile.append(path, r)
    assert view.refresh() is True and view.refresh() is False  # unchanged file: nothing redone
    assert "data-answers='2'" in view.summary.value and "data-trainees='2'" in view.summary.value
    assert "张三、李四" in view.summary.value
    assert "data-trainee='张三'" in view.score_table.value
    assert "data-case='c01' data-answers='2'" in view.questions.value


def test_xlsx_has_numbers_as_numbers():
    wb = load_workbook(io.BytesIO(class_xlsx(CLASS, "zh")))
    ws = wb["成绩表"]
    assert [c.value for c in ws[1]] == ["学员", "答题数", "得分", "满分"]
    assert [c.value for c in ws[2]] == ["张三", 2, 3, 4] and isinstance(ws["C2"].value, int)
    q = [[c.value for c in row] for row in wb["各题统计"].iter_rows(min_row=2)]
    assert ["c01", "chosen_outcome", "out_of_scope", 2] in q and ["c01", "rule", "scope:scope", 2] in q
    allrows = list(wb["全部答案"].iter_rows(values_only=True))
    assert allrows[0][:3] == ("session", "trainee", "case_id") and allrows[1][-1] == 2
