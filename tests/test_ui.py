"""Widget apps without a browser: set widget values, click buttons, read the views.
Expected outcomes are worked out by hand from the policy files (reasoning in comments)."""

import datetime as dt
import re

import pytest

from ftlib.facts import VOCABULARY, load_case
from ftlib.policy.loader import bundled
from ftlib.ui import case_builder
from ftlib.ui.labels import factor_groups, ui_data

ipywidgets = pytest.importorskip("ipywidgets")


def outcome_of(html: str) -> str:
    return re.search(r"data-outcome='([a-z_]+)'", html).group(1)


@pytest.fixture
def builder(tmp_path):
    return case_builder.CaseBuilder()


def test_every_fact_has_one_place_and_labels_in_both_languages():
    placed = [f for g in factor_groups().values() for f in g["facts"]]
    assert sorted(placed) == sorted(VOCABULARY) and len(placed) == len(set(placed))
    assert set(factor_groups()) == {"header", "motive_attitude", "objective_conditions", "procedure_method",
                                    "nature_degree", "consequences", "losses_recovered"}
    for name in VOCABULARY:
        assert set(ui_data()["facts"][name]) == {"zh", "en"}
    for name, spec in VOCABULARY.items():
        if spec.kind == "enum":
            assert set(ui_data()["values"][name]) == set(spec.values), name


def test_default_case_is_exempt_and_knowingly_violated_is_not_tolerated(builder):
    # Default form: CN, 2023-03-01 -> CN-2019. Reform pilot (in scope), public motive, full
    # procedure (conditions met), minor consequences (<= serious), followed == full -> row exempt.
    assert outcome_of(builder.outcome.value) == "exempt"
    assert "免予问责" in builder.outcome.value and "全国基线（2019年" in builder.outcome.value
    assert "CN-2019" not in builder.outcome.value and "<code>" not in builder.outcome.value  # words, no ids
    # the reasons carry the text of each clause, e.g. Art. 17(2) quoted from cn-2019.yaml
    assert "在集体决策中对错误决策提出明确反对意见" in builder.reasons.value
    assert "批评教育、谈话提醒" in builder.outcome.value
    # 明知故犯 is distinction 1 -> violates_distinction -> first row red_line: not tolerated
    builder.form.widgets["knowingly_violated"].value = True
    assert outcome_of(builder.outcome.value) == "not_tolerated"
    assert "不予容错" in builder.outcome.value and "触碰红线" in builder.outcome.value
    builder.form.widgets["knowingly_violated"].value = False
    # procedure partial: conditions still met but neither full procedure nor full remedy -> mitigated
    builder.form.widgets["procedure.followed"].value = "partial"
    assert outcome_of(builder.outcome.value) == "mitigated" and "从轻或减轻问责" in builder.outcome.value


def test_corrections_comparison_and_counterfactuals(builder):
    # CN-2019 inherits CN-2018's corrections: "rectify" always (30 working days); recover_losses
    # only with a loss > 0 not fully recovered. Loss 0 -> only rectify.
    assert "限期整改，采取补救措施，消除不良影响" in builder.corrections.value
    assert "30 个工作日内" in builder.corrections.value and "追回或弥补经济损失" not in builder.corrections.value
    builder.form.widgets["consequence.loss_cny"].value = 100000.0
    assert "追回或弥补经济损失" in builder.corrections.value
    # Exempt after-care (cn-2016.yaml, inherited): no impact period — said as "no effect on appraisal
    # and promotion", not as "0 months" — and a follow-up within 60 days.
    assert "不影响考核评优和选拔任用" in builder.corrections.value and "影响期" not in builder.corrections.value
    assert "60 个工作日内跟踪回访" in builder.corrections.value
    # Under CN-DM-FTZ-2020 (in force 2023) the "correction" condition needs after.remedy != none:
    # it fails, nothing else applies -> default row, not tolerated.
    rows = dict(re.findall(r"data-policy='([A-Z0-9-]+)' data-outcome='([a-z_]+)'", builder.comparison.value))
    assert rows["CN-2019"] == "exempt" and rows["CN-DM-FTZ-2020"] == "not_tolerated"
    assert len(rows) == len(bundled().families())
    # counterfactuals of the default case (tests/test_explain.py case A): to out_of_scope only
    # by the scenario "routine"
    cf = builder.counterfactuals.value
    assert "改为“不属于容错情形”" in cf and "容错情形：改革试点、先行先试 → 日常事务" in cf
    # what can still be done, with partial procedure (case B): full remedy gives the exemption
    builder.form.widgets["procedure.followed"].value = "partial"
    builder.cf_mode.value = "what_can_still_be_done"
    cf = builder.counterfactuals.value
    assert "改为“免责（不予问责或免予问责）”" in cf and "挽回损失、消除影响：未挽回 → 全部挽回" in cf
    assert "日常事务" not in cf


def test_language_switch_relabels_everything_and_keeps_values(builder):
    builder.form.widgets["scenario"].value = "emergency"
    builder.form.widgets["procedure.followed"].value = "partial"
    builder.lang_w.value = "en"
    assert builder.form.widgets["scenario"].value == "emergency"
    assert builder.form.widgets["procedure.followed"].value == "partial"
    assert builder.form.widgets["knowingly_violated"].description == "knowingly violated"
    assert ("emergency response", "emergency") in builder.form.widgets["scenario"].options
    assert builder.form.titles["motive_attitude"].value == "<b>motive and attitude</b>"
    assert "lighter or reduced accountability" in builder.outcome.value
    assert "Reasons" in builder.reasons.value or "reasons" in builder.reasons.value
    assert builder.save_button.description == "save as YAML"
    builder.lang_w.value = "zh"
    assert builder.form.titles["procedure_method"].value == "<b>程序方法</b>"
    assert builder.form.widgets["knowingly_violated"].description == "明知故犯"


def test_load_from_library(builder):
    # pub-huaian-qingjiangpu-2023 (reasoning in the file): CN-2019, key project, public motive,
    # partial procedure, minor, remedy full -> exempt row.
    path = next(v for _, v in builder.library_w.options if v.endswith("pub-huaian-qingjiangpu-2023.yaml"))
    builder.library_w.value = path
    assert builder.form.widgets["scenario"].value == "key_project"
    assert builder.form.widgets["jurisdiction"].value == "CN-JS-HA"
    assert builder.form.widgets["after.remedy"].value == "full"
    assert outcome_of(builder.outcome.value) == "exempt" and "全国基线（2019年" in builder.outcome.value


def downloads(html_value: str) -> dict[str, bytes]:
    """The files offered by the download links in a widget's HTML: {file name: content}."""
    import base64
    import re

    return {name: base64.b64decode(data) for name, data in
            re.findall(r"download='([^']+)' href='data:[^;]+;base64,([^']*)'", html_value)}


def test_save_gives_a_file_the_cli_accepts(builder, tmp_path, cli):
    builder.form.widgets["id"].value = "my-case"
    builder.form.widgets["knowingly_violated"].value = True
    builder.save_button.click()
    assert "ftlib-saved" in builder.save_status.value
    files = downloads(builder.save_status.value)
    assert list(files) == ["my-case.yaml"]
    saved = tmp_path / "my-case.yaml"
    saved.write_bytes(files["my-case.yaml"])
    assert load_case(saved) == builder.case
    r = cli("determine", str(saved))
    assert r.returncode == 0, r.stderr
    assert "不予容错" in r.stdout and "red_line" in r.stdout
    r = cli("determine", str(saved), "--lang", "en")
    assert "not tolerated" in r.stdout


def test_invalid_facts_show_an_error_not_a_result(builder):
    builder.form.widgets["decision_date"].value = dt.date(2020, 1, 1)  # before the conduct date
    assert "ftlib-error" in builder.outcome.value and "decision_date" in builder.outcome.value
    assert builder.case is None and builder.reasons.value == ""
    builder.save_button.click()
    assert "ftlib-error" in builder.save_status.value
    builder.form.widgets["decision_date"].value = None
    assert outcome_of(builder.outcome.value) == "exempt"


# -- 04 training quiz ---------------------------------------------------------------------------

def quiz_item(case_id, **facts):
    from pathlib import Path

    from ftlib.facts import case_from_dict
    from ftlib.library import LibraryCase

    base = {"id": case_id, "jurisdiction": "CN", "conduct_date": "2023-03-01", "subject.rank": "township",
            "scenario": "reform_pilot", "public_motive": True, "procedure.collective_decision": True,
            "procedure.followed": "full", "consequence.severity": "minor"}
    return LibraryCase(Path(f"{case_id}.yaml"), "constructed", {}, case_from_dict({**base, **facts}))


@pytest.fixture
def quiz(tmp_path):
    from ftlib.ui.quiz import QuizSession

    cases = [quiz_item("q-exempt"), quiz_item("q-knowing", knowingly_violated=True),
             quiz_item("q-routine", scenario="routine")]
    return QuizSession(cases=cases, results_path=tmp_path / "results.jsonl")


def test_quiz_scores_outcome_and_deciding_rules(quiz, tmp_path):
    import csv

    from ftlib.ui.quiz import CSV_COLUMNS

    w = quiz
    assert "出于公心：是" in w.case_html.value and "容错情形：改革试点、先行先试" in w.case_html.value
    # the clause in words: art17_reading cites no document; its text opens "（示例性解读）属于第十七条第一款第（一）项情形、…"
    assert ("[认定结果] 符合免责条件 ⇒ 免责（不予问责或免予问责）（依据：（示例性解读）属于第十七条第一款第（一）项情形）",
            "grading:exempt") in w.rules_w.options
    # CN-2019 tells 不予问责 from 免予问责 (rows objected vs exempt) and 从轻 from 减轻: the disposition is asked
    assert w.disposition_w.layout.display is None
    assert [k for _, k in w.disposition_w.options] == ["not_accountable", "exempted", "lighter", "reduced", "none"]
    assert w.disposition_w.options[1][0] == "免予问责"
    w.submit.click()  # no name yet
    assert "请先填写学员姓名" in w.feedback.value and w.records == []
    w.trainee.value = "张三"
    # Case 1 (test_explain.py case A): the exempt row decides; it reads conditions_met, true by
    # both CN-2018 conditions (public_motive, procedure) -> those three rules. The exempt row of
    # cn-2019.yaml gives disposition exempted (免予问责): 1 + 1 + 1 of 3 points.
    w.outcome_w.value = "exempt"
    w.disposition_w.value = "exempted"
    w.rules_w.value = ("grading:exempt", "conditions:public_motive", "conditions:procedure")
    w.submit.click()
    assert "data-outcome-correct='true'" in w.feedback.value and "data-rules-correct='true'" in w.feedback.value
    assert "data-disposition-correct='true'" in w.feedback.value and "正确的处理结论：<b>免予问责</b>" in w.feedback.value
    assert "本次得分：3 / 3（1 题）" in w.score.value
    assert "◀ 决定性" in w.feedback.value  # the trace is shown with the answer
    # Case 2: 明知故犯 -> red_line = violates_distinction or excluded; only the true operand
    # (violates_distinction, by its true member knowingly_violated) decided.
    w.next.click()
    assert w.feedback.value == "" and w.outcome_w.value is None and w.disposition_w.value is None
    w.outcome_w.value = "not_tolerated"
    w.rules_w.value = ("grading:red_line",)
    w.submit.click()   # no disposition picked: the right one was "none" (not tolerated)
    rec = w.records[-1]
    assert rec["outcome_correct"] and not rec["rules_correct"]
    assert rec["correct_disposition"] == "none" and rec["disposition_correct"] is False
    assert rec["correct_rules"] == "distinctions:knowingly_violated;grading:red_line"
    # partial credit (module docstring): 1 of the 2 deciding reasons ticked, none wrong -> 1/2
    assert rec["reasons_credit"] == 0.5 and rec["points"] == 1.5 and rec["max_points"] == 3
    # Case 3: routine -> not in_scope; in_scope is false because its only member is false.
    w.next.click()
    w.outcome_w.value = "not_tolerated"
    w.disposition_w.value = "none"    # right: outside the situations, no tolerance disposition
    w.rules_w.value = ("grading:not_in_scope", "scope:scope")
    w.submit.click()
    assert w.records[-1]["points"] == 2 and w.records[-1]["correct_outcome"] == "out_of_scope"
    assert "本次得分：6.5 / 9（3 题）" in w.score.value   # 3 + 1.5 + 2
    # a second trainee in the class answers the first case wrongly
    from ftlib.ui.quiz import QuizSession

    other = QuizSession(cases=quiz.cases, results_path=tmp_path / "results.jsonl", lang="en")
    other.trainee.value = "Li Si"
    other.outcome_w.value = "mitigated"
    other.submit.click()
    assert "session score: 0 / 3 (1 cases)" in other.score.value
    # the trainer exports the class's results
    w.export.click()
    assert "已导出 4 条记录" in w.export_status.value
    [(name, data)] = downloads(w.export_status.value).items()
    assert name.startswith("quiz_results_") and name.endswith(".csv") and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["trainee"], r["case_id"], r["chosen_outcome"], r["correct_outcome"], r["points"]) for r in rows] == [
        ("张三", "q-exempt", "exempt", "exempt", "3"),
        ("张三", "q-knowing", "not_tolerated", "not_tolerated", "1.5"),
        ("张三", "q-routine", "not_tolerated", "out_of_scope", "2"),
        ("Li Si", "q-exempt", "mitigated", "exempt", "0"),
    ]
    assert rows[0]["correct_rules"] == "conditions:procedure;conditions:public_motive;grading:exempt"
    assert [(r["chosen_disposition"], r["correct_disposition"], r["max_points"]) for r in rows] == [
        ("exempted", "exempted", "3"), ("", "none", "3"), ("none", "none", "3"), ("", "exempted", "3")]
    assert rows[0]["session"] == rows[2]["session"] != rows[3]["session"]


def test_quiz_language_switch(quiz):
    quiz.lang_w.value = "en"
    assert "public motive：yes" in quiz.case_html.value
    assert ("exempt (not held accountable or exempted from accountability)", "exempt") in quiz.outcome_w.options
    assert quiz.submit.description == "submit"


def test_quiz_relabels_its_checkboxes_instead_of_opening_new_ones():
    """From question to question (library cases under three policies with different rule
    lists) the reason checkboxes show exactly the current question's options, ticks cleared, and
    the kernel's open widgets do not grow by a set of boxes a question."""
    import ipywidgets as w

    from ftlib.ui.quiz import QuizSession, quiz_cases, rule_options

    session = QuizSession(cases=quiz_cases()[:12])
    first = most = len(session.rules_w.box.children)
    opened = len(w.Widget.widgets)
    for i in range(12):
        session.go(i)
        options = rule_options(session.compiled(), "zh")
        most = max(most, len(options))
        boxes = session.rules_w.box.children
        assert [b.description for b in boxes] == [words for words, _ in options]
        assert not any(b.value for b in boxes)
        boxes[0].value = True                      # a tick that must not follow to the next question
        assert session.rules_w.value == (options[0][1],)
    before = len(w.Widget.widgets)
    w.Checkbox(indent=False, layout=w.Layout(width="auto"))
    per_box = len(w.Widget.widgets) - before       # a box with its layout and style widgets
    # only the boxes beyond the first question's list may be new (12 new sets would be hundreds)
    assert most > first
    assert len(w.Widget.widgets) - opened <= per_box * (most - first + 1)


# -- 05 ex-ante self-check -----------------------------------------------------------------------

def test_exante_check_lists_conditions_and_writes_the_form(tmp_path):
    import yaml

    from ftlib.ui.exante import ExanteCheck

    c = ExanteCheck()
    c.form.widgets["jurisdiction"].value = "CN"
    c.form.widgets["conduct_date"].value = dt.date(2023, 3, 1)
    c.form.widgets["procedure.followed"].value = "partial"
    # CN-2019 with partial procedure (tests/test_explain.py): the red-line facts must stay false;
    # severity not major (a major loss alone bars), and no incident (safety, pollution, food safety,
    # mass) with serious consequences; exemption further needs full remedy.
    v = c.result.value
    assert "data-in-scope='true'" in v and "明知故犯：须为 否" in v
    assert "不得同时出现：发生安全事故=是，且后果程度=严重" in v
    assert "不得同时出现：引发群体性事件=是，且后果程度=严重" in v
    assert "挽回损失、消除影响：须为 全部挽回" in v and "后果程度：须为 无 或 轻微 或 严重" in v
    # the policy by its name (cn-2019.yaml), clauses by their articles — no id of the policy file
    assert "适用政策：全国基线（2019年：问责条例第十七、十八条）" in v and "CN-2019" not in v
    assert not re.search(r"\b(art|cn|dm)[a-z0-9]*_[a-z0-9_]+\b|〔[a-z][a-z0-9_]*〕", v), v
    c.description.value = "试点：容缺受理"
    c.unit.value = "示例乡人民政府"
    c.make.click()
    files = downloads(c.status.value)
    assert "ftlib-written" in c.status.value and list(files) == ["exante-CN-2023-03-01.md", "exante-CN-2023-03-01.yaml"]
    text = files["exante-CN-2023-03-01.md"].decode("utf-8")
    assert "# 容错报备表" in text and "# Ex-ante fault-tolerance registration form" in text
    assert "knowingly violated: must be no" in text and "试点：容缺受理" in text
    assert "CN-2019" not in text and not re.search(r"〔[a-z][a-z0-9_]*〕", text)   # the form names, never ids
    data = yaml.safe_load(files["exante-CN-2023-03-01.yaml"].decode("utf-8"))
    assert data["policy"] == "CN-2019" and data["planned"]["procedure.followed"] == "partial"
    assert data["planned"]["procedure.exante_registered"] is True
    assert data["requirements"]["for_exemption"] == {"after.remedy": ["full"]}
    # routine work is no tolerable situation anywhere
    c.form.widgets["scenario"].value = "routine"
    assert "data-in-scope='false'" in c.result.value and "不属于本政策的容错情形" in c.result.value
    c.lang_w.value = "en"
    assert "not a tolerable situation" in c.result.value


def test_every_rule_a_trainee_picks_from_has_words_not_code():
    """The quiz lists rules by their labels; the scope rule reads as the listed situations, and
    no policy leaves a rule of the four single-rule groups unlabelled (CN-2018 once did)."""
    from ftlib.policy.loader import bundled
    from ftlib.ui.quiz import rule_options

    ps = bundled()
    for pid, compiled in ps.compiled.items():
        for lang in ("zh", "en"):
            options = rule_options(compiled, lang)
            # the clause each rests on is named in words, never by its id
            assert not [n for n, _ in options if "〔" in n or any(cid in n for cid in compiled.policy.clauses)], pid
            names = [name.split("] ", 1)[1].split("（依据：" if lang == "zh" else " (rests on: ", 1)[0]
                     for name, key in options if not key.startswith("grading:")]
            # a condition's text would show fact names (with _ or .), quotes or operators
            assert not [n for n in names if any(tok in n for tok in ("_", '"', "==", ">", "<"))], (pid, lang, names)
    zh = dict((k, n) for n, k in rule_options(ps.compiled["CN-2016"], "zh"))
    assert zh["scope:scope"].startswith("[容错情形] 属于所列容错情形：") and "先行先试" in zh["scope:scope"]


def test_regions_are_shown_by_name_without_their_code():
    from ftlib.ui.labels import value_label

    # ftlib/data/jurisdictions.yaml: CN-HB is 湖北省 / Hubei Province; a reader never meets the code
    assert value_label("jurisdiction", "CN-HB", "zh") == "湖北省"
    assert value_label("jurisdiction", "CN-HB", "en") == "Hubei Province"
    assert value_label("jurisdiction", "CN-NOWHERE", "zh") == "CN-NOWHERE"


def test_decisive_row_takes_jupyterlab_theme_colours():
    """In JupyterLab's dark theme text is white: a fixed pale background made the row unreadable."""
    import re

    from ftlib.engine import determine
    from ftlib.library import library
    from ftlib.ui.views import reasons_html

    page = reasons_html(determine(library()[0].case), "zh")
    row = re.search(r"<tr class='ftlib-decisive' style='([^']*)'", page).group(1)
    assert "background:var(--jp-layout-color2" in row and "color:var(--jp-content-font-color0" in row
    assert not re.search(r"background:#", row)


def test_partial_credit_per_reason():
    from ftlib.ui.quiz import reasons_credit

    right = {"a", "b", "c", "d"}
    assert reasons_credit({"a", "b", "c", "d"}, right) == 1.0
    assert reasons_credit({"a"}, right) == 0.25
    assert reasons_credit({"a", "b", "x"}, right) == 0.25     # (2 − 1) / 4
    assert reasons_credit({"a", "x", "y"}, right) == 0.0      # never below zero
    assert reasons_credit(right | {"x", "y", "z", "w"}, right) == 0.0   # ticking everything earns nothing
    assert reasons_credit(set(), right) == 0.0


def test_plain_reasons_come_first_and_the_trace_is_one_click_away():
    """c02 (CN-DM 2022 measures): a reform pilot that knowingly broke the rules. The policy's own
    words: distinction 明知故犯 (Art. 3) and negative list 隐瞒真相、弄虚作假 (Art. 6)."""
    from ftlib.engine import determine
    from ftlib.library import library
    from ftlib.ui.views import reasons_html

    case = next(lc.case for lc in library() if lc.path.name.startswith("c02"))
    page = reasons_html(determine(case), "zh")
    plain, technical = page.split("<details", 1)
    assert "<ol class='ftlib-plain-reasons'" in plain
    assert "未发现“为谋取私利”" in plain or "存在“明知故犯”的情形" in plain
    assert "属于“改革试点、先行先试”情形，在容错范围内" in plain
    assert "→" in plain and "依据" in plain
    assert "scenario in [" not in plain and "<code>" not in plain   # no rule ids or conditions
    assert "scenario in [" in technical                              # ... one click away
    en = reasons_html(determine(case), "en").split("<details", 1)[0]
    assert "reform pilot: one of the tolerable situations" in en


def test_quiz_asks_the_disposition_where_the_policy_distinguishes_it(tmp_path):
    """c04 (CN-2019): the deputy objected to the wrong decision — Art. 17(2), row ``objected`` of
    cn-2019.yaml gives 不予问责 (not 免予问责). c01 (CN-2016): that policy's rows give one
    disposition per outcome, so the question is not shown and a case is worth 2 points."""
    from ftlib.library import library
    from ftlib.ui.quiz import QuizSession

    by_id = {item.case.id: item for item in library() if item.case is not None}
    w = QuizSession(cases=[by_id["c04-objected-deputy"], by_id["c01-routine-filing-error"]],
                    results_path=tmp_path / "class.jsonl")
    w.trainee.value = "赵六"
    assert w.disposition_w.layout.display is None and "处理结论" in w.disposition_w.description
    rec = w.answer("exempt", {"grading:objected"}, "exempted")    # 免责 right, 免予问责 wrong
    assert (rec["correct_disposition"], rec["disposition_correct"], rec["outcome_correct"]) == \
        ("not_accountable", False, True)
    assert rec["max_points"] == 3 and "正确的处理结论：<b>不予问责</b>" in w.feedback.value
    w.lang_w.value = "en"
    assert "not held accountable" in w.feedback.value
    w.lang_w.value = "zh"
    w.go(1)
    assert w.disposition_w.layout.display == "none"
    rec = w.answer("out_of_scope", set())
    assert rec["max_points"] == 2 and rec["disposition_correct"] is None and rec["chosen_disposition"] == ""
    assert "data-disposition-correct" not in w.feedback.value
