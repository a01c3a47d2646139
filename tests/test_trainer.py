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
    # kinds and choices in words (no policy_id on these records: a rule key stays as it was recorded)
    assert ["c01", "认定结果", "不属于容错情形", 2] in q and ["c01", "理由", "scope:scope", 2] in q
    allrows = list(wb["全部答案"].iter_rows(values_only=True))
    assert allrows[0][:3] == ("session", "trainee", "case_id") and allrows[1][-1] == 2


def test_the_disposition_question_is_counted():
    """Three trainees on c04 (CN-2019, objected to the decision: 不予问责, the objected row of
    cn-2019.yaml); the quiz asked the disposition (disposition_correct not None). Two picked
    不予问责, one 免予问责; partial reason credit adds up as a number (1.5 + 3 = 4.5)."""
    base = {"case_id": "c04", "policy_id": "CN-2019", "track": "accountability", "chosen_outcome": "exempt",
            "outcome_correct": True, "correct_disposition": "not_accountable", "max_points": 3}
    recs = [{**base, "trainee": "张三", "chosen_disposition": "exempted", "disposition_correct": False,
             "chosen_rules": "grading:objected", "points": 1.5},
            {**base, "trainee": "李四", "chosen_disposition": "not_accountable", "disposition_correct": True,
             "chosen_rules": "grading:objected", "points": 3},
            {**base, "trainee": "张三", "case_id": "c01", "policy_id": "CN-2016", "chosen_outcome": "out_of_scope",
             "chosen_disposition": "", "disposition_correct": None, "max_points": 2, "points": 3},
            {**base, "trainee": "王五", "chosen_disposition": "not_accountable", "disposition_correct": True,
             "chosen_rules": "", "points": 2}]
    q = per_question(recs)
    assert (q["c04"]["disposition_asked"], q["c04"]["disposition_correct"]) == (3, 2)
    assert dict(q["c04"]["chosen_disposition"]) == {"not_accountable": 2, "exempted": 1}
    assert q["c01"]["disposition_asked"] == 0
    assert scores(recs)[0] == {"trainee": "张三", "answers": 2, "points": 4.5, "possible": 5}
    view = TrainerView(poll_s=0, results_path="/nonexistent/class.jsonl")
    view.records = recs
    view._render()
    html = view.questions.value
    assert "data-asked='3' data-correct='2'" in html and "处理结论 — 2 / 3 人正确" in html
    assert "<li data-choice='not_accountable' data-count='2'>不予问责：2</li>" in html
    assert "<li data-choice='exempted' data-count='1'>免予问责：1</li>" in html
    c01 = html.split("data-case='c01'", 1)[1]
    assert "ftlib-trainer-disposition" not in c01   # not asked on CN-2016: nothing shown
    # the rule in words, as the trainee saw it (cn-2019.yaml row objected)
    assert "对错误决策提出过反对意见 ⇒ 免责（不予问责或免予问责）（依据：第十七条第一款第（二）项）：2" in html
    q = [[c.value for c in row] for row in load_workbook(io.BytesIO(class_xlsx(recs, "zh")))["各题统计"].iter_rows()]
    assert ["c04", "处理结论", "不予问责", 2] in q and ["c04", "处理结论", "免予问责", 1] in q
