"""05 容错报备自查 / ex-ante self-check: before acting, a cadre describes the planned work
(situation, jurisdiction, date, planned procedure); the tool lists the conditions that must
hold for a mistake in it to stay tolerable under the policy in force — derived by
:func:`ftlib.explain.tolerance_requirements` from the policy's own rules — and gives the
registration form (bilingual Markdown) with the YAML of the planned facts as downloads to the
visitor's own computer (ftlib.ui.files): nothing is written on the server."""

# Imports inside functions: a Voilà kernel's start-up time: IPython display loads when the page is drawn.

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import ipywidgets as w
import yaml

from ftlib.errors import FtlibError
from ftlib.explain import Requirement, Requirements, tolerance_requirements
from ftlib.i18n import LANG_OPTIONS, fact_label, value_label
from ftlib.policy.cite import article_mark, article_of
from ftlib.policy.loader import PolicySet, bundled
from ftlib.regions import region_name
from ftlib.ui import files, views
from ftlib.ui.forms import FactForm
from ftlib.ui.labels import text

#: The facts the cadre plans before acting; everything else the policy reads is left open.
PLANNED_FACTS = ["jurisdiction", "conduct_date", "subject.rank", "subject.top_leader", "subject.unit_type",
                 "scenario", "public_motive", "procedure.collective_decision", "procedure.followed",
                 "procedure.emergency_onsite", "procedure.reported_after"]
#: Set by the act of registering: the work is registered, and the cadre is the one deciding
#: (neither objecting to the decision nor to a superior's: Art. 17(2) and para. 2 do not apply).
REGISTERING = {"procedure.exante_registered": True, "objected_to_decision": False, "objected_to_superior": False}


def planned_facts(form_values: dict[str, Any]) -> dict[str, Any]:
    facts = {k: v for k, v in form_values.items() if k in PLANNED_FACTS}
    facts.update(REGISTERING)
    return facts


def check(facts: dict[str, Any], policies: PolicySet | None = None) -> Requirements:
    condition_facts = {k: v for k, v in facts.items() if k not in ("jurisdiction", "conduct_date")}
    day = facts["conduct_date"]
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return tolerance_requirements(condition_facts, facts["jurisdiction"], day, policies)


def _values(fact: str, values: tuple, lang: str) -> str:
    return f" {text('exante_or', lang)} ".join(value_label(fact, v, lang) for v in values)


def requirement_text(r: Requirement, lang: str) -> str:
    return text("exante_must_be", lang, fact=fact_label(r.fact, lang), values=_values(r.fact, r.allowed, lang))


def pair_text(pair: tuple[tuple[str, Any], tuple[str, Any]], lang: str) -> str:
    (f, v), (g, u) = pair
    return text("exante_pair", lang, a=f"{fact_label(f, lang)}={value_label(f, v, lang)}",
                b=f"{fact_label(g, lang)}={value_label(g, u, lang)}")


def _cited(policies: PolicySet, pid: str, clauses: list[str], lang: str) -> str:
    """"（依据：第七条、第八条）" — the articles a requirement rests on, as their documents number them."""
    found = list(dict.fromkeys(a for a in (article_of(policies.get(pid), c) for c in clauses) if a))
    return f"（{text('exante_cited', lang)}：{'、'.join(found)}）" if found else ""


def _clause_text(policies: PolicySet, pid: str, clause: str, lang: str) -> str:
    c = policies.get(pid).clauses[clause]
    return c.zh if lang == "zh" else c.en


def requirement_lines(req: Requirements, lang: str, policies: PolicySet | None = None) -> list[str]:
    """The self-check as lines of text (Markdown list items) in one language."""
    policies = policies or bundled()
    if not req.in_scope or not req.tolerable_possible:
        return [text("exante_out_of_scope" if not req.in_scope else "exante_never", lang)]
    lines = [text("exante_in_scope", lang), "", f"{text('exante_must_tolerable', lang)}:"]
    for r in req.for_tolerance:
        lines.append(f"- {requirement_text(r, lang)}{_cited(policies, req.policy_id, r.clauses, lang)}")
    lines += [f"- {pair_text(p, lang)}" for p in req.pairs_tolerance]
    lines.append("")
    if not req.exempt_possible:
        lines.append(text("exante_never_exempt", lang))
    else:
        lines.append(f"{text('exante_must_exempt', lang)}:")
        for r in req.for_exemption:
            lines.append(f"- {requirement_text(r, lang)}{_cited(policies, req.policy_id, r.clauses, lang)}")
        lines += [f"- {pair_text(p, lang)}" for p in req.pairs_exemption]
    cited = sorted({c for r in req.for_tolerance + req.for_exemption for c in r.clauses})
    if cited:
        lines += ["", f"{text('exante_cited', lang)}:"]
        lines += [f"- {article_mark(policies.get(req.policy_id), c)}{_clause_text(policies, req.policy_id, c, lang)}"
                  for c in cited]
    return lines


def form_markdown(facts: dict[str, Any], req: Requirements, description: str = "", unit: str = "",
                  applicant: str = "", policies: PolicySet | None = None) -> str:
    """The registration form, zh then en."""
    policies = policies or bundled()
    p = policies.get(req.policy_id)
    out = []
    for lang in ("zh", "en"):
        out += [f"# {text('exante_form_title', lang)}", ""]
        out += [f"- {text('exante_unit_name', lang)}: {unit}", f"- {text('exante_applicant', lang)}: {applicant}",
                f"- {fact_label('jurisdiction', lang)}: {region_name(facts['jurisdiction'], lang)}",
                f"- {fact_label('conduct_date', lang)}: {facts['conduct_date']}",
                f"- {text('exante_policy', lang)}: {p.name.zh if lang == 'zh' else p.name.en}",
                f"- {text('exante_registration' if p.exante_registration else 'exante_no_registration', lang)}", ""]
        out += [f"## {text('exante_description', lang)}", "", description or "—", ""]
        out += [f"## {text('exante_planned', lang)}", ""]
        out += [f"- {fact_label(k, lang)}: {value_label(k, v, lang)}" for k, v in facts.items()
                if k not in ("jurisdiction", "conduct_date")]
        out += ["", f"## {text('exante_title', lang)}", ""]
        out += requirement_lines(req, lang, policies)
        out += ["", f"## {text('exante_signature', lang)}", "", "&nbsp;", "", "---", ""]
    return "\n".join(out)


def form_files(facts: dict[str, Any], req: Requirements, description: str = "", unit: str = "",
               applicant: str = "", policies: PolicySet | None = None) -> list[tuple[str, str]]:
    """(name, text) of ``exante-<jurisdiction>-<date>.md`` and the planned facts as ``.yaml``."""
    stem = re.sub(r"[^A-Za-z0-9-]", "", f"exante-{facts['jurisdiction']}-{facts['conduct_date']}")
    md = form_markdown(facts, req, description, unit, applicant, policies)
    data = {"planned": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items()},
            "policy": req.policy_id, "description": description, "unit": unit, "applicant": applicant,
            "requirements": {
                "for_tolerance": {r.fact: list(r.allowed) for r in req.for_tolerance},
                "for_exemption": {r.fact: list(r.allowed) for r in req.for_exemption},
                "not_together_for_tolerance": [[list(a), list(b)] for a, b in req.pairs_tolerance],
                "not_together_for_exemption": [[list(a), list(b)] for a, b in req.pairs_exemption]}}
    return [(f"{stem}.md", md), (f"{stem}.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))]


def write_form(facts: dict[str, Any], req: Requirements, out_dir: str | Path, description: str = "",
               unit: str = "", applicant: str = "", policies: PolicySet | None = None) -> tuple[Path, Path]:
    """Write the form's two files into ``out_dir`` (for scripts; the app offers them as downloads)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in form_files(facts, req, description, unit, applicant, policies):
        paths.append(out_dir / name)
        paths[-1].write_text(content, encoding="utf-8")
    return paths[0], paths[1]


class ExanteCheck:
    def __init__(self, lang: str = "zh", policies: PolicySet | None = None) -> None:
        self.policies = policies or bundled()
        self.lang = lang
        self.requirements: Requirements | None = None
        self.form = FactForm(lang, facts=PLANNED_FACTS)
        self.form.set_values({"conduct_date": dt.date.today(), "procedure.followed": "full"})
        self.lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
        self.lang_w.add_class("ftlib-lang")
        self.description = w.Textarea(layout=w.Layout(width="95%", height="80px"))
        self.unit = w.Text()
        self.applicant = w.Text()
        self.result = w.HTML()
        self.result.add_class("ftlib-exante-result")
        self.make = w.Button(button_style="primary")
        self.status = w.HTML()
        for widget in self.form.widgets.values():
            widget.observe(lambda _: self.update(), names="value")
        self.lang_w.observe(self._on_lang, names="value")
        self.make.on_click(lambda _: self._on_make())
        self.widget = w.VBox([self.lang_w, self.form.box, self.description, self.unit, self.applicant,
                              self.result, self.make, self.status])
        self._relabel()
        self.update()

    def _relabel(self) -> None:
        lang = self.lang
        self.description.description = text("exante_description", lang)
        self.unit.description = text("exante_unit_name", lang)
        self.applicant.description = text("exante_applicant", lang)
        self.make.description = text("exante_make", lang)

    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self.form.relabel(self.lang)
        self._relabel()
        self.update()

    def facts(self) -> dict[str, Any]:
        return planned_facts(self.form.values())

    def update(self) -> None:
        lang = self.lang
        try:
            self.requirements = check(self.facts(), self.policies)
        except (FtlibError, KeyError) as err:
            self.requirements = None
            self.result.value = views.error_html(err, lang)
            return
        req = self.requirements
        name = self.policies.get(req.policy_id).name
        lines = requirement_lines(req, lang, self.policies)
        body = "".join(f"<li>{views.e(ln[2:])}</li>" if ln.startswith("- ") else
                       (f"<p>{views.e(ln)}</p>" if ln else "") for ln in lines)
        self.result.value = (f"<h4>{views.e(text('exante_policy', lang))}：{views.e(name.zh if lang == 'zh' else name.en)}</h4>"
                             f"<div class='ftlib-exante' data-in-scope='{str(req.in_scope).lower()}'>{body}</div>")

    def files(self) -> list[tuple[str, str]]:
        """(name, text) of the registration form and the planned facts."""
        if self.requirements is None:
            raise FtlibError(text("exante_no_policy", self.lang))
        return form_files(self.facts(), self.requirements, self.description.value, self.unit.value,
                          self.applicant.value, self.policies)

    def _on_make(self) -> None:

        try:
            made = self.files()
        except FtlibError as err:
            self.status.value = views.error_html(err, self.lang)
            return
        links = files.download_links(made, lambda name: text("download", self.lang, name=name))
        self.status.value = f"<p class='ftlib-written'>{views.e(text('download_ready', self.lang))} {links}</p>"


def app(lang: str = "zh", **kw: Any) -> ExanteCheck:
    from IPython.display import display

    c = ExanteCheck(lang=lang, **kw)
    display(c.widget)
    return c
