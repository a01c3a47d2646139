"""02 policy explorer: its widgets, without a browser, and the notebook run headless."""

import re

import nbformat
import pandas as pd
from nbclient import NotebookClient

from ftlib.policy.loader import bundled
from ftlib.ui import policy_explorer as pe
from tests.conftest import ROOT

CASES = pd.DataFrame([
    {"region": "CN-A", "subject.rank": "county", "scenario": "reform_pilot", "public_motive": True,
     "procedure.collective_decision": True, "procedure.followed": "full", "consequence.severity": "minor",
     "after.concealed": True},
    {"region": "CN-B", "subject.rank": "township", "scenario": "routine", "public_motive": True,
     "procedure.collective_decision": True, "procedure.followed": "full", "consequence.severity": "minor"},
])


def test_clause_table_puts_each_rule_beside_its_clause():
    t = pe.clause_table(bundled().compiled["CN-2019"], "en").set_index("clause")
    # cn-2019.yaml: grading row "objected" cites art17_2 (its label, its disposition 不予问责);
    # "force_majeure" cites art17_3. In words; the conditions kept apart for the technical detail.
    assert "[grading] objected to the wrong decision ⇒ not held accountable" in t.loc["art17_2", "rules"], \
        t.loc["art17_2", "rules"]
    assert "objected: objected_to_decision" in t.loc["art17_2", "conditions"]
    assert any(c.startswith("force_majeure") for c in t.loc["art17_3", "conditions"])
    # the article as its source numbers it (第十七条第一款第（二）项), not the file's clause id
    assert t.loc["art17_2", "article"] == "第十七条第一款第（二）项"
    h = pe.clause_html(bundled().compiled["CN-2019"], "zh")
    shown = re.sub(r"<details>.*?</details>", "", h, flags=re.S)   # what a reader sees unfolded
    assert "<code>" not in h and "art17_2" not in shown and "objected_to_decision" not in shown
    assert "objected_to_decision" in h   # the encoding is one click away
    # art17_2 is now the verified quotation of Art. 17 (wording: quotation), so its English is a translation
    assert t.loc["art17_2", "text"].startswith("(translation)")


def test_diff_2018_to_2019_shows_the_added_scenarios():
    h = pe.diff_html(bundled(), "CN-2018", "CN-2019", "en")
    # cn-2019.yaml's scope adds policy_change and force_majeure to the inherited list.
    # Shown in words (the scenario labels), never as ids: "tolerable situations | ... | added".
    assert "<td>tolerable situations</td><td>loss from a policy change</td><td>added" in h
    assert "<td>tolerable situations</td><td>force majeure</td><td>added" in h
    assert "policy_change" not in h and "<code>" not in h


def test_widget_impact_of_dropping_an_exclusion():
    box = pe.app(cases=CASES, lang="en")
    w = box.widgets
    w["policy"].value = "CN-2019"
    w["edit"].value = "drop"
    w["target"].value = "exclusions:concealed"
    w["run"].click()
    # Row 1 is excluded only by "concealed" and otherwise exempt; row 2 is "routine", out of
    # scope either way: 1 of 2 cases changes, not tolerated -> exempted.
    assert "1 of 2 cases change outcome" in w["impact"].value
    assert "not tolerated" in w["impact"].value and "exempted from accountability" in w["impact"].value
    assert "data-source='cases_library'" in w["impact"].value  # no register column: the cases given
    w["edit"].value = "condition"
    w["target"].value = "exclusions:concealed"
    w["value"].value = "no_such_fact and"
    w["run"].click()  # a bad condition: said in words, the parser's line folded away
    assert "The policy cannot be edited this way" in w["impact"].value and "<details>" in w["impact"].value


def test_default_input_runs_without_a_python_error_in_both_languages():
    """The impact tab as it opens (first rule of the policy, drop) computes; lint findings in words."""
    box = pe.app(cases=CASES, lang="zh")
    w = box.widgets
    w["run"].click()
    assert "个案件中有" in w["impact"].value and "Error" not in w["impact"].value
    w["policy"].value = "CN-2019"
    assert "data-code=" in w["lint"].value or "未发现错误或警告" in w["lint"].value
    for f in pe.lint_policy(bundled().compiled["CN-2019"]):
        words = pe.finding_text(f, bundled(), "zh")
        assert words != f.message and not any(c.isascii() and c.isalpha() for c in words.replace("ftlib", "")), words
    w["lang"].value = "zh"
    assert "逐条" in w["clauses"].value or "条款" in w["clauses"].value


def test_notebook_runs_headless():
    nb = nbformat.read(ROOT / "notebooks/02_policy_explorer.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
