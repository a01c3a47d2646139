"""04 容错认定训练 / training quiz: a trainee reads a typical case (facts in words), picks the
outcome and ticks the reasons (rules) that decided it, then sees the answer in plain words with
the full trace one click away; every answer is appended to a class results file (JSON lines)
which the trainer exports as CSV.

Where the case's policy distinguishes dispositions (不予问责 from 免予问责, 从轻 from 减轻: two
of its grading rows give the same outcome with different dispositions), the trainee also picks
the disposition: one of the tolerated dispositions the policy's rows give (named on the case's
track: 免予问责, 免予党纪处分 …), or "none" when the case is not tolerated or outside the
tolerable situations. The right answer is the engine's ``disposition`` of the determination.

Scoring, per case (at most 2 points, 3 where the disposition is asked): 1 point for the right
outcome; 1 point for the right disposition where it is asked; up to 1 point for the reasons,
with partial credit: each deciding reason ticked earns 1/n (n = the number of deciding reasons),
each reason ticked that did not decide takes 1/n away, never below 0 (so ticking everything
earns nothing). Points are rounded to two decimals."""

# Imports inside functions: a Voilà kernel's start-up time: IPython display loads when the quiz is drawn.

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import uuid
from pathlib import Path
from typing import Any

import ipywidgets as w

from ftlib import home
from ftlib.engine import Determination, determine, disposition_label
from ftlib.facts import Case
from ftlib.i18n import LANG_OPTIONS, fact_label, factor_groups, label, outcome_label, value_label
from ftlib.library import LibraryCase, library
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import BoolOp, Node, Not, Ref
from ftlib.policy.loader import PolicySet, bundled
from ftlib.ui import classfile, files, views
from ftlib.ui.labels import text
from ftlib.vocabulary import DISPOSITIONS, OUTCOMES, TOLERATED

#: A class's shared results file (say on the training centre's share) can be named here instead.
RESULTS_ENV = "FTLIB_QUIZ_RESULTS"
CSV_COLUMNS = ["session", "trainee", "answered_at", "case_id", "policy_id", "track", "chosen_outcome", "correct_outcome",
               "outcome_correct", "chosen_disposition", "correct_disposition", "disposition_correct",
               "chosen_rules", "correct_rules", "rules_correct", "reasons_credit", "points", "max_points"]
#: The disposition answer "no tolerance disposition" (not tolerated, or outside the situations).
NO_DISPOSITION = "none"


def quiz_cases() -> list[LibraryCase]:
    """Library cases that have facts to decide (clarifications have none)."""
    return [item for item in library() if item.case is not None]


def facts_in_words(case: Case, lang: str = "zh") -> str:
    """The case's facts as HTML, grouped like the case builder (header, then the six factors)."""
    flat = case.flat()
    parts = []
    for group in factor_groups().values():
        items = []
        for f in group["facts"]:
            if f in ("id", "title.zh", "title.en") or flat.get(f) is None:
                continue
            items.append(f"<li>{views.e(fact_label(f, lang))}：{views.e(value_label(f, flat[f], lang))}</li>")
        parts.append(f"<b>{views.e(group['label'][lang])}</b><ul>{''.join(items)}</ul>")
    title = case.title.zh if lang == "zh" else case.title.en
    return f"<h4 class='ftlib-quiz-case'>{views.e(title or case.id)}</h4>{''.join(parts)}"


def rule_key(group: str, rule_id: str) -> str:
    return f"{group}:{rule_id}"


def clause_words(policy: Any, clause_id: str, lang: str = "zh", width: int = 28) -> str:
    """The clause a rule rests on, in words a class can read, short: the article of the document
    it cites (or the document's title); else the opening words of the clause's own text (its
    bracketed status and first phrase, e.g. "（示例）第四条") — never its id."""
    clause = policy.clauses.get(clause_id)
    if clause is None:
        return ""
    src = clause.source
    if src is not None and (src.article or src.title):
        return src.article or src.title
    body = " ".join((clause.zh if lang == "zh" else clause.en).split())
    prefix = re.match(r"^\s*[（(][^）)]*[）)]\s*", body)
    head, rest = (prefix.group(0), body[prefix.end():]) if prefix else ("", body)
    article = re.match(r"Art\. ?\d+\w*", rest) if lang == "en" else None
    breaks = r"[\s，：。、；]" if lang == "zh" else r"(?<!Art)[,:;.] "
    rest = article.group(0) if article else re.split(breaks, rest, maxsplit=1)[0]
    words = (head + rest).strip()
    width = width if lang == "zh" else 2 * width  # Latin letters are half as wide
    return words if len(words) <= width else words[:width - 1].rstrip() + "…"


def _option(group: str, name: str, policy: Any, clause_id: str, lang: str) -> str:
    where = clause_words(policy, clause_id, lang)
    rests = label("plain.rests_on", lang)
    ref = (f"（{rests}：{where}）" if lang == "zh" else f" ({rests}: {where})") if where else ""
    return f"[{label('group.' + group, lang)}] {name}{ref}"


def rule_options(compiled: CompiledPolicy, lang: str = "zh") -> list[tuple[str, str]]:
    """Every rule of the policy (the single rules of each group, then the grading rows) as
    (label, key) pairs for a multi-select."""
    p = compiled.policy
    labels = {rule_key(g, r.id): r.label for g in ("distinctions", "exclusions", "conditions", "mitigations")
              for r in getattr(p, g)}
    out = []
    scenarios = ("、" if lang == "zh" else ", ").join(value_label("scenario", v, lang) for v in p.scope.scenarios)
    for s in compiled.steps:
        lab = labels.get(rule_key(s.group, s.rule_id))
        if s.group == "scope":
            name = text("quiz_scope", lang, scenarios=scenarios)
        else:
            name = getattr(lab, lang) if lab else s.condition.text
        out.append((_option(s.group, name, p, s.clause, lang), rule_key(s.group, s.rule_id)))
    row_words = {g.id: g.label for g in p.grading}  # a grading row's name lives in its policy
    for s in compiled.grading:
        words = getattr(row_words[s.rule_id], lang) if row_words.get(s.rule_id) else s.rule_id
        out.append((_option("grading", f"{words} ⇒ {outcome_label(s.outcome, lang)}", p, s.clause, lang),
                    rule_key("grading", s.rule_id)))
    return out


def policy_dispositions(compiled: CompiledPolicy) -> list[str]:
    """The tolerated dispositions the policy's grading rows give, in vocabulary order."""
    given = {s.disposition for s in compiled.grading if s.outcome in TOLERATED}
    return [d for d in DISPOSITIONS if d in given]


def asks_disposition(compiled: CompiledPolicy) -> bool:
    """True when the policy distinguishes dispositions: two of its rows give one outcome with
    different dispositions (e.g. CN-2019: 不予问责 and 免予问责 are both 免责)."""
    by_outcome: dict[str, set[str]] = {}
    for s in compiled.grading:
        by_outcome.setdefault(s.outcome, set()).add(s.disposition)
    return any(len(ds) > 1 for ds in by_outcome.values())


def disposition_options(compiled: CompiledPolicy, track: str, lang: str = "zh") -> list[tuple[str, str]]:
    """(words, key) of the disposition question: the policy's tolerated dispositions named on the
    case's track, then "none"."""
    return [*((disposition_label(d, track, lang), d) for d in policy_dispositions(compiled)),
            (text("quiz_disposition_none", lang), NO_DISPOSITION)]


def right_disposition(det: Determination) -> str:
    """The disposition question's right answer for a determination."""
    return det.disposition if det.outcome in TOLERATED else NO_DISPOSITION


def disposition_words(key: str, track: str, lang: str = "zh") -> str:
    return text("quiz_disposition_none", lang) if key == NO_DISPOSITION else disposition_label(key, track, lang)


def deciding_rules(case: Case, compiled: CompiledPolicy) -> set[str]:
    """The rules that decided: the grading row that matched, and the rules that made its
    condition true — through ``and`` every operand, through ``or`` the operands that were true,
    through ``not`` the reasons for the opposite value; a group aggregate is explained by its
    members the same way (an 'any' group that is true by its true members, false by all of
    them; an 'all' group that is true by all members, false by its false members)."""
    _, row, _, env = compiled.run(case.flat())
    by_name = {s.derived_name: s for s in compiled.steps}
    aggregates = {agg: (mode, members) for agg, mode, members in compiled.aggregates}

    def value(node: Node) -> bool:
        return bool(node.eval(env, {}))

    def support(node: Node, want: bool) -> set[str]:
        if isinstance(node, Not):
            return support(node.arg, not want)
        if isinstance(node, BoolOp):
            every = want == node.is_and  # and→true / or→false: every operand counts
            return set().union(*(support(a, want) for a in node.args if every or value(a) == want))
        if isinstance(node, Ref) and node.name in aggregates:
            mode, members = aggregates[node.name]
            every = want == (mode == "all")
            keep = [m for m in members if every or env[m] == want]
            return {rule_key(by_name[m].group, by_name[m].rule_id) for m in keep}
        if isinstance(node, Ref) and node.name in by_name:
            return {rule_key(by_name[node.name].group, by_name[node.name].rule_id)}
        return set()

    return {rule_key("grading", row.rule_id)} | support(row.condition.root, True)


def reasons_credit(chosen: set[str], right: set[str]) -> float:
    """The reasons' share of a point (see the module docstring)."""
    if not right:
        return 1.0 if not chosen else 0.0
    return round(max(0.0, (len(chosen & right) - len(chosen - right)) / len(right)), 2)


class CheckList:
    """Multiple choice as one checkbox per option (a projected class cannot Ctrl-click); the
    ``options`` / ``value`` of a ``SelectMultiple``."""

    def __init__(self) -> None:
        self.title = w.HTML()
        self.box = w.VBox(layout=w.Layout(width="95%"))
        self.widget = w.VBox([self.title, self.box])
        self.widget.add_class("ftlib-checklist")
        self._options: list[tuple[str, str]] = []
        self._boxes: list[w.Checkbox] = []

    @property
    def description(self) -> str:
        return self.title.value

    @description.setter
    def description(self, text_: str) -> None:
        self.title.value = f"<b>{views.e(text_)}</b>"

    @property
    def options(self) -> list[tuple[str, str]]:
        return list(self._options)

    @options.setter
    def options(self, options: list[tuple[str, str]]) -> None:
        # The checkboxes are kept and relabelled from question to question: new ones each time
        # cost a kernel two widgets a box and left the old ones open for the whole session.
        options = list(options)
        if options == self._options:
            return
        chosen = set(self.value)
        while len(self._boxes) < len(options):
            self._boxes.append(w.Checkbox(indent=False, layout=w.Layout(width="auto")))
        for (words, key), box in zip(options, self._boxes):
            with box.hold_sync():
                box.description = words
                box.value = key in chosen
        self._options = options
        shown = tuple(self._boxes[:len(options)])
        if tuple(self.box.children) != shown:
            self.box.children = shown

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(key for (_, key), b in zip(self._options, self._boxes) if b.value)

    @value.setter
    def value(self, keys) -> None:
        keys = set(keys)
        for (_, key), b in zip(self._options, self._boxes):
            b.value = key in keys


class QuizSession:
    """One trainee's session over the library cases, in library order."""

    def __init__(self, lang: str = "zh", policies: PolicySet | None = None,
                 results_path: str | Path | None = None, cases: list[LibraryCase] | None = None) -> None:
        self.policies = policies or bundled()
        self.lang = lang
        self.results_path = Path(results_path or os.environ.get(RESULTS_ENV) or home.quiz_results_path())
        self.cases = cases if cases is not None else quiz_cases()
        self.session = uuid.uuid4().hex[:8]
        self.index = 0
        self.records: list[dict[str, Any]] = []
        self.answered = False
        self._det: tuple[int, Determination] | None = None
        self.lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
        self.lang_w.add_class("ftlib-lang")
        self.trainee = w.Text(style={"description_width": "initial"})
        self.case_html = w.HTML()
        self.outcome_w = w.RadioButtons(options=[(o, o) for o in OUTCOMES], value=None)
        self.disposition_w = w.RadioButtons(options=[(NO_DISPOSITION, NO_DISPOSITION)], value=None,
                                            style={"description_width": "initial"})
        self.disposition_w.add_class("ftlib-quiz-disposition")
        self.rules_w = CheckList()
        self.submit = w.Button(button_style="primary")
        self.next = w.Button()
        self.feedback = w.HTML()
        self.score = w.HTML()
        self.export = w.Button()
        self.export_status = w.HTML()
        self.feedback.add_class("ftlib-quiz-feedback")
        self.submit.on_click(lambda _: self.answer())
        self.next.on_click(lambda _: self.go(self.index + 1))
        self.export.on_click(lambda _: self._on_export())
        self.lang_w.observe(self._on_lang, names="value")
        self.widget = w.VBox([self.lang_w, self.trainee, self.case_html, self.outcome_w, self.disposition_w, self.rules_w.widget,
                              w.HBox([self.submit, self.next]), self.feedback, self.score,
                              w.HBox([self.export]), self.export_status])
        self.go(0)

    # -- current case -------------------------------------------------------------------------
    @property
    def item(self) -> LibraryCase:
        return self.cases[self.index]

    def determination(self) -> Determination:
        # once a question: an answer, its feedback and a language switch all read it several times
        if self._det is None or self._det[0] != self.index:
            self._det = (self.index, determine(self.item.case, policies=self.policies))
        return self._det[1]

    def compiled(self) -> CompiledPolicy:
        return self.policies.compiled[self.determination().policy.id]

    def go(self, index: int) -> None:
        self.index = index % len(self.cases)
        self.answered = False
        self.outcome_w.value = None
        self.disposition_w.value = None
        self.rules_w.value = ()
        self.feedback.value = ""
        self._render()

    def _render(self) -> None:
        lang = self.lang
        det = self.determination()
        name = det.policy.name_zh if lang == "zh" else det.policy.name_en
        self.case_html.value = (f"<p>{views.e(text('quiz_case', lang))} {self.index + 1} / {len(self.cases)} · "
                                f"{views.e(text('quiz_policy', lang))}：{views.e(name)}</p>"
                                + facts_in_words(self.item.case, lang))
        value = self.outcome_w.value
        self.outcome_w.options = [(outcome_label(o, lang), o) for o in OUTCOMES]
        self.outcome_w.value = value
        asked = asks_disposition(self.compiled())
        self.disposition_w.layout.display = None if asked else "none"
        value = self.disposition_w.value
        self.disposition_w.options = disposition_options(self.compiled(), det.track, lang)
        self.disposition_w.value = value
        self.disposition_w.description = text("quiz_disposition", lang)
        chosen = self.rules_w.value
        self.rules_w.options = rule_options(self.compiled(), lang)
        self.rules_w.value = chosen
        self.outcome_w.description = text("quiz_outcome", lang)
        self.rules_w.description = text("quiz_rules", lang)
        self.trainee.description = text("trainee", lang)
        self.submit.description = text("quiz_submit", lang)
        self.next.description = text("quiz_next", lang)
        self.export.description = text("quiz_export", lang)
        self._render_score()
        if self.answered and self.records:
            self.feedback.value = self._feedback_html(self.records[-1])

    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self._render()

    # -- answering ----------------------------------------------------------------------------
    def answer(self, outcome: str | None = None, rules: set[str] | None = None,
               disposition: str | None = None) -> dict[str, Any] | None:
        """Score the current answer (from the widgets unless given), record it, show the answer."""
        if not self.trainee.value.strip():
            self.feedback.value = f"<p style='color:#b3261e'>{views.e(text('quiz_need_name', self.lang))}</p>"
            return None
        if self.answered:
            return self.records[-1]
        outcome = outcome if outcome is not None else self.outcome_w.value
        rules = set(rules if rules is not None else self.rules_w.value)
        det = self.determination()
        right_rules = deciding_rules(self.item.case, self.compiled())
        asked = asks_disposition(self.compiled())
        disposition = (disposition if disposition is not None else self.disposition_w.value) if asked else None
        rec = {
            "session": self.session, "trainee": self.trainee.value.strip(),
            "answered_at": dt.datetime.now().isoformat(timespec="seconds"),
            "case_id": self.item.case.id, "policy_id": det.policy.id,
            "chosen_outcome": outcome or "", "correct_outcome": det.outcome,
            "outcome_correct": outcome == det.outcome,
            "chosen_disposition": disposition or "", "correct_disposition": right_disposition(det) if asked else "",
            "disposition_correct": (disposition == right_disposition(det)) if asked else None,
            "track": det.track,
            "chosen_rules": ";".join(sorted(rules)), "correct_rules": ";".join(sorted(right_rules)),
            "rules_correct": rules == right_rules,
        }
        rec["reasons_credit"] = reasons_credit(rules, right_rules)
        points = round(int(rec["outcome_correct"]) + int(bool(rec["disposition_correct"])) + rec["reasons_credit"], 2)
        rec["points"] = int(points) if points == int(points) else points
        rec["max_points"] = 3 if asked else 2
        self.records.append(rec)
        self.answered = True
        classfile.append(self.results_path, rec)  # one class file, many trainees at once
        self.feedback.value = self._feedback_html(rec)
        self._render_score()
        return rec

    def _feedback_html(self, rec: dict[str, Any]) -> str:
        lang = self.lang
        det = self.determination()

        def mark(ok: bool) -> str:
            colour = "#1b7a3a" if ok else "#b3261e"
            return f"<b style='color:{colour}'>{views.e(text('quiz_correct' if ok else 'quiz_wrong', lang))}</b>"

        asked = rec.get("disposition_correct") is not None
        disposition_attr = f" data-disposition-correct='{str(rec['disposition_correct']).lower()}'" if asked else ""
        disposition_mark = (f"{views.e(text('quiz_disposition', lang))}：{mark(rec['disposition_correct'])} · "
                            if asked else "")
        disposition_line = (f"<p class='ftlib-quiz-right-disposition'>{views.e(text('quiz_right_disposition', lang))}："
                            f"<b>{views.e(disposition_words(rec['correct_disposition'], det.track, lang))}</b></p>"
                            if asked else "")
        labels = dict((k, v) for v, k in rule_options(self.compiled(), lang))
        right = "".join(f"<li>{views.e(labels.get(k, k))}</li>" for k in rec["correct_rules"].split(";") if k)
        return (f"<div class='ftlib-quiz-answer' data-outcome-correct='{str(rec['outcome_correct']).lower()}' "
                f"data-rules-correct='{str(rec['rules_correct']).lower()}'"
                f"{disposition_attr}>"
                f"<p>{views.e(text('quiz_outcome', lang))}：{mark(rec['outcome_correct'])} · {disposition_mark}"
                f"{views.e(text('quiz_rules', lang))}：{mark(rec['rules_correct'])}</p>"
                f"{disposition_line}"
                f"<h4>{views.e(text('quiz_answer', lang))}</h4>{views.outcome_html(det, lang)}"
                f"<p>{views.e(text('quiz_right_rules', lang))}：</p><ul>{right}</ul>"
                f"{self._published_html()}{views.reasons_html(det, lang)}</div>")

    def _published_html(self) -> str:
        pub = self.item.published_outcome
        if not pub or pub not in OUTCOMES:
            return ""
        return f"<p>{views.e(text('quiz_published', self.lang))}：{views.e(outcome_label(pub, self.lang))}</p>"

    def session_score(self) -> tuple[float, int]:
        total = round(sum(r["points"] for r in self.records), 2)
        return (int(total) if total == int(total) else total), sum(r["max_points"] for r in self.records)

    def _render_score(self) -> None:
        score, total = self.session_score()
        self.score.value = (f"<p class='ftlib-quiz-score'>"
                            f"{views.e(text('quiz_score', self.lang, score=score, total=total, n=len(self.records)))}</p>")

    # -- trainer ------------------------------------------------------------------------------
    def results_csv(self) -> tuple[str, str, int]:
        """(file name, CSV text, rows) of every answer in the class results file (with a BOM, so
        that Excel reads it as UTF-8)."""

        rows = read_results(self.results_path)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return f"quiz_results_{dt.date.today():%Y%m%d}.csv", "\ufeff" + out.getvalue(), len(rows)

    def export_csv(self, path: str | Path) -> tuple[Path, int]:
        """Write the class's answers as CSV to ``path`` (for scripts; the app offers a download)."""
        _, data, n = self.results_csv()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data, encoding="utf-8", newline="")
        return path, n

    def _on_export(self) -> None:

        name, data, n = self.results_csv()
        link = files.download_html(data, name, text("download", self.lang, name=name), "text/csv")
        self.export_status.value = (f"<p class='ftlib-exported'>"
                                    f"{views.e(text('quiz_exported', self.lang, n=n, path=name))} {link}</p>")


def read_results(path: str | Path) -> list[dict[str, Any]]:
    return classfile.read(path)


def app(lang: str = "zh", **kw: Any) -> QuizSession:
    from IPython.display import display

    session = QuizSession(lang=lang, **kw)
    display(session.widget)
    return session
