"""06 培训教师视图 / trainer's view of a class: the answers in the class results file
(``FTLIB_QUIZ_RESULTS``) as they come in — per question, how many trainees chose each outcome,
each disposition (where the quiz asked it) and each rule, who has answered (by the name they entered), and a score table — refreshed in place
while the page is open (a kernel thread polls the file; ipywidgets send the change to the browser)
and offered as an Excel download (counts and points as numbers, not text).

Reads the file only (under the shared lock of ftlib.ui.classfile); never writes it."""

# Imports inside functions: a Voilà kernel's start-up time: the library, openpyxl and IPython display load when used.

from __future__ import annotations

import io
import os
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import ipywidgets as w

from ftlib import home
from ftlib.i18n import LANG_OPTIONS
from ftlib.ui import classfile, files, views
from ftlib.ui.labels import outcome_label, text
from ftlib.ui.quiz import RESULTS_ENV, disposition_words, rule_options

#: Seconds between two looks at the class file while the view is open.
POLL_S = 2.0
#: Outcome-like fields a record may carry (the quiz's chosen outcome; a disposition if recorded).
CHOICE_FIELDS = ("chosen_outcome", "chosen_disposition")


def _rules(rec: dict[str, Any]) -> list[str]:
    return [r for r in str(rec.get("chosen_rules", "")).split(";") if r]


def per_question(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{case id: {"answers": n, "<field>": Counter of choices, "rules": Counter, "correct": n,
    "disposition_asked": n, "disposition_correct": n, "track": the case's track}}."""
    out: dict[str, dict[str, Any]] = {}
    for rec in records:
        q = out.setdefault(rec["case_id"], {"answers": 0, "rules": Counter(), "correct": 0, "disposition_asked": 0,
                                            "disposition_correct": 0, "track": "accountability",
                                            **{f: Counter() for f in CHOICE_FIELDS}})
        q["answers"] += 1
        q["correct"] += int(bool(rec.get("outcome_correct")))
        if rec.get("disposition_correct") is not None:  # None (or absent): the quiz did not ask it
            q["disposition_asked"] += 1
            q["disposition_correct"] += int(bool(rec["disposition_correct"]))
        q["track"] = rec.get("track") or q["track"]
        for field in CHOICE_FIELDS:
            if rec.get(field):
                q[field][rec[field]] += 1
        q["rules"].update(_rules(rec))
    return out


def scores(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row a trainee (by name), best first: answers, points, points possible."""
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"answers": 0, "points": 0, "possible": 0})
    for rec in records:
        row = rows[str(rec.get("trainee", "")).strip() or "?"]
        row["answers"] += 1
        row["points"] += rec.get("points", 0)  # partial credit: 1.5, 2.25 …
        row["possible"] += int(rec.get("max_points", 2))
    out = [{"trainee": k, **v, "points": _number(v["points"])} for k, v in rows.items()]
    return sorted(out, key=lambda r: (-r["points"], r["trainee"]))


def _number(x: float) -> float | int:
    x = round(x, 2)
    return int(x) if x == int(x) else x


def case_titles(lang: str = "zh") -> dict[str, str]:
    """Library case id → its title (a question is shown by its title, as the trainee read it)."""
    from ftlib.library import library

    out = {}
    for item in library():
        if item.case is not None:
            title = item.case.title.zh if lang == "zh" else item.case.title.en
            out[item.case.id] = title or item.case.id
    return out


def _rule_names(records: list[dict[str, Any]], case_id: str, lang: str) -> dict[str, str]:
    """A question's rule keys in words (as the trainee saw them), from its policy."""
    from ftlib.policy.loader import bundled

    policy_id = next((r.get("policy_id") for r in records if r["case_id"] == case_id), None)
    compiled = bundled().compiled.get(policy_id) if policy_id else None
    return {key: name for name, key in rule_options(compiled, lang)} if compiled else {}


def class_xlsx(records: list[dict[str, Any]], lang: str = "zh") -> bytes:
    """The class as an Excel workbook: scores, per-question counts, every answer; numbers as numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = text("trainer_scores", lang)[:31]
    ws.append([text("trainer_trainee", lang), text("trainer_answers", lang), text("trainer_points", lang),
               text("trainer_possible", lang)])
    for r in scores(records):
        ws.append([r["trainee"], r["answers"], r["points"], r["possible"]])
    ws = wb.create_sheet(text("trainer_questions", lang)[:31])
    ws.append([text("quiz_case", lang), text("trainer_kind", lang), text("trainer_choice", lang),
               text("trainer_count", lang)])
    for case_id, q in per_question(records).items():
        ws.append([case_id, text("trainer_answers", lang), "", q["answers"]])
        for choice, n in q["chosen_outcome"].most_common():
            ws.append([case_id, text("trainer_kind_outcome", lang), outcome_label(choice, lang), n])
        for choice, n in q["chosen_disposition"].most_common():
            ws.append([case_id, text("trainer_kind_disposition", lang), disposition_words(choice, q["track"], lang), n])
        names = _rule_names(records, case_id, lang)
        for rule, n in q["rules"].most_common():
            ws.append([case_id, text("trainer_kind_rule", lang), names.get(rule, rule), n])
    ws = wb.create_sheet(text("trainer_all", lang)[:31])
    columns = list(dict.fromkeys(k for rec in records for k in rec))
    ws.append(columns)
    for rec in records:
        ws.append([rec.get(c) for c in columns])  # ints and bools stay typed cells
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class TrainerView:
    """The trainer's widgets over one class file; ``refresh()`` reads it again."""

    def __init__(self, lang: str = "zh", results_path: str | Path | None = None, poll_s: float = POLL_S) -> None:
        self.lang = lang
        self.results_path = Path(results_path or os.environ.get(RESULTS_ENV) or home.quiz_results_path())
        self.records: list[dict[str, Any]] = []
        self._seen: tuple[int, int] | None = None
        self.lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
        self.lang_w.add_class("ftlib-lang")
        self.summary = w.HTML()
        self.questions = w.HTML()
        self.score_table = w.HTML()
        for widget, cls in ((self.summary, "ftlib-trainer-summary"), (self.questions, "ftlib-trainer-questions"),
                            (self.score_table, "ftlib-trainer-scores")):
            widget.add_class(cls)
        self.export = w.Button(layout=w.Layout(width="auto"))
        self.export.add_class("ftlib-trainer-export")
        self.export_status = w.HTML()
        self.lang_w.observe(self._on_lang, names="value")
        self.export.on_click(lambda _: self._on_export())
        self.widget = w.VBox([self.lang_w, self.summary, self.score_table, self.questions,
                              w.HBox([self.export]), self.export_status])
        self._stop = threading.Event()
        self.refresh(force=True)
        if poll_s > 0:
            threading.Thread(target=self._poll, args=(poll_s,), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _poll(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 — a half-copied file is read again at the next look
                continue

    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Read the class file again if it changed (or ``force``); True when the view changed."""
        try:
            st = self.results_path.stat()
            seen = (st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            seen = (0, 0)
        if seen == self._seen and not force:
            return False
        self._seen = seen
        self.records = classfile.read(self.results_path)
        self._render()
        return True

    def _render(self) -> None:
        lang, e = self.lang, views.e
        names = sorted({str(r.get("trainee", "")).strip() for r in self.records} - {""})
        self.export.description = text("trainer_export", lang)
        self.summary.value = (f"<h3>{e(text('trainer_title', lang))}</h3>"
                              f"<p class='ftlib-trainer-count' data-answers='{len(self.records)}' "
                              f"data-trainees='{len(names)}'>"
                              f"{e(text('trainer_summary', lang, n=len(self.records), t=len(names)))}</p>"
                              f"<p class='ftlib-trainer-who'>{e(text('trainer_who', lang))}："
                              f"{e('、'.join(names) if names else '—')}</p>")
        rows = "".join(f"<tr data-trainee='{e(r['trainee'])}'><td>{e(r['trainee'])}</td><td>{r['answers']}</td>"
                       f"<td>{r['points']}</td><td>{r['possible']}</td></tr>" for r in scores(self.records))
        self.score_table.value = (f"<h4>{e(text('trainer_scores', lang))}</h4><table class='ftlib-table'>"
                                  f"<tr><th>{e(text('trainer_trainee', lang))}</th><th>{e(text('trainer_answers', lang))}</th>"
                                  f"<th>{e(text('trainer_points', lang))}</th><th>{e(text('trainer_possible', lang))}</th></tr>"
                                  f"{rows}</table>")
        parts = [f"<h4>{e(text('trainer_questions', lang))}</h4>"]
        titles = case_titles(lang)
        for case_id, q in per_question(self.records).items():
            outcomes = "".join(f"<li data-choice='{e(k)}' data-count='{n}'>{e(outcome_label(k, lang))}：{n}</li>"
                               for k, n in q["chosen_outcome"].most_common())
            dispositions = "".join(f"<li data-choice='{e(k)}' data-count='{n}'>"
                                   f"{e(disposition_words(k, q['track'], lang))}：{n}</li>"
                                   for k, n in q["chosen_disposition"].most_common())
            disposition = (f"<div class='ftlib-trainer-disposition' data-asked='{q['disposition_asked']}' "
                           f"data-correct='{q['disposition_correct']}'>{e(text('trainer_kind_disposition', lang))} — "
                           f"{e(text('trainer_q_disposition', lang, n=q['disposition_asked'], c=q['disposition_correct']))}"
                           f"<ul>{dispositions}</ul></div>" if q["disposition_asked"] else "")
            names_of = _rule_names(self.records, case_id, lang)
            rules = "".join(f"<li data-rule='{e(k)}' data-count='{n}'>{e(names_of.get(k, k))}：{n}</li>"
                            for k, n in q["rules"].most_common())
            parts.append(f"<div class='ftlib-trainer-q' data-case='{e(case_id)}' data-answers='{q['answers']}'>"
                         f"<b>{e(titles.get(case_id, case_id))}</b> — "
                         f"{e(text('trainer_q_line', lang, n=q['answers'], c=q['correct']))}"
                         f"<div>{e(text('trainer_kind_outcome', lang))}<ul>{outcomes}</ul></div>{disposition}"
                         f"<div>{e(text('quiz_rules', lang))}<ul>{rules or '<li>—</li>'}</ul></div></div>")
        self.questions.value = "".join(parts)

    def _on_export(self) -> None:
        self.refresh()
        name = f"{self.results_path.stem}.xlsx"
        data = class_xlsx(self.records, self.lang)
        self.export_status.value = files.download_html(data, name, text("download", self.lang, name=name))


def app(lang: str = "zh", **kw: Any) -> TrainerView:
    from IPython.display import display

    view = TrainerView(lang=lang, **kw)
    display(view.widget)
    return view
