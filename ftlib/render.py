"""Determinations as text (zh by default, en on request) or JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from ftlib.engine import UNDETERMINED, Determination, disposition_label
from ftlib.facts import UNKNOWN
from ftlib.i18n import fact_label, label, value_label


def _yes(v: Any, lang: str) -> str:
    if isinstance(v, bool):
        return label("text.yes" if v else "text.no", lang)
    if v is None:
        return label("text.open", lang)
    if v == UNKNOWN:
        return label("text.unknown", lang)
    return str(v)


def _facts(names: list[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{fact_label(n, lang)}（{n}）" if lang == "zh" else f"{fact_label(n, lang)} ({n})" for n in names)


def unknown_lines(d: Determination, lang: str = "zh") -> list[str]:
    """What an undetermined case can still become and what to verify first; for a decided case
    with unknown facts, that they could not change the result."""
    colon = "：" if lang == "zh" else ": "
    if d.outcome == UNDETERMINED:
        sep = "、" if lang == "zh" else ", "
        return [f"{label('text.possible_outcomes', lang)}{colon}"
                f"{sep.join(disposition_label(o, d.track, lang) for o in d.possible_dispositions)}"
                if d.possible_dispositions else
                f"{label('text.possible_outcomes', lang)}{colon}"
                f"{sep.join(label('outcome.' + o, lang) for o in d.possible_outcomes)}",
                f"{label('text.to_verify', lang)}{colon}{_facts(d.decisive_unknowns, lang)}"]
    if d.unknown_facts:
        return [f"{label('text.decided_despite_unknown', lang)}{colon}{_facts(d.unknown_facts, lang)}"]
    return []


def assessment_lines(d: Determination, lang: str = "zh") -> list[str]:
    """The five assessments: each one's weight, then the facts it read grouped by how they
    weighed (for, against, open, no weight); the heading marks the table as a reading."""
    if not d.assessments:
        return []
    colon, sep, semi = ("：", "，", "；") if lang == "zh" else (": ", ", ", "; ")
    lines = [f"{label('text.assessments', lang)} ({label('status.' + d.assessments[0].status, lang)}):"]
    for a in d.assessments:
        groups = []
        for way in ("for", "against", "open", "neutral"):
            names = [k for k in a.facts if a.directions[k] == way]
            if names:
                shown = sep.join(f"{fact_label(k, lang)}={_value(k, a.facts[k], lang)}" for k in names)
                groups.append(f"{label('weight.' + way, lang)}{colon}{shown}")
        lines.append(f"  - {getattr(a.label, lang)}{colon}{label('weight.' + a.weight, lang)}"
                     + (f" — {semi.join(groups)}" if groups else ""))
    return lines


def _value(name: str, v: Any, lang: str) -> str:
    return label("text.unknown", lang) if v == UNKNOWN else value_label(name, v, lang)


def determination_text(d: Determination, lang: str = "zh") -> str:
    name = d.policy.name_zh if lang == "zh" else d.policy.name_en
    lines = [
        f"{label('text.case', lang)}: {d.case_id}",
        f"{label('text.policy_used', lang)}: {d.policy.id} ({name}) — {getattr(d.selection, lang)}",
        f"{label('text.outcome', lang)}: {d.outcome_label(lang)}"
        + (f" ← {d.deciding_words(lang)} ({d.deciding_rule})" if d.deciding_rule else ""),
        f"{label('text.disposition', lang)}: {d.disposition_label(lang)} "
        f"（{label('text.track', lang)}：{label('track.' + d.track, lang)}；"
        f"{label('text.subject', lang)}：{label('subject_kind.' + d.subject_kind, lang)}）",
        *([f"{label('text.row_status', lang)}: {label('status.' + d.deciding_status, lang)}"]
          if d.deciding_status else []),
        *unknown_lines(d, lang),
    ]
    if d.handling:
        lines.append(f"{label('text.handling', lang)}: {getattr(d.handling, lang)}")
    lines.append(f"{label('text.reasons', lang)}:")
    shown: set[str] = set()
    for t in d.trace:
        facts = ", ".join(f"{k}={_yes(v, lang)}" for k, v in t.facts.items())
        mark = f"  ◀ {label('text.decisive', lang)}" if t.decisive else ""
        lines.append(f"  {t.step:>2}. [{label('group.' + t.group, lang)}] {t.rule}: {t.condition} "
                     f"→ {_yes(t.result, lang)} ({facts}){mark}")
        if t.clause not in shown:  # each clause's text once, where it is first cited
            shown.add(t.clause)
            lines.append(f"      〔{t.clause}〕 {t.clause_zh if lang == 'zh' else t.clause_en}")
    lines += assessment_lines(d, lang)
    lines.append(f"{label('text.corrections', lang)}:")
    for c in d.corrections or []:
        lines.append(f"  - {getattr(c, lang)} ({label('text.within_days', lang).format(n=c.time_limit_working_days)})")
    if not d.corrections:
        lines.append(f"  {label('text.none', lang)}")
    months = d.aftercare.impact_period_months
    # no period (0) is said by the note ("no effect on appraisal …"), not as "0 months"
    care = [] if months == 0 else [label("text.impact_period", lang).format(n=months) if months is not None
                                   else label("text.impact_unknown", lang)]
    if d.aftercare.follow_up_visit_within_working_days:
        care.append(label("text.follow_up", lang).format(n=d.aftercare.follow_up_visit_within_working_days))
    if d.aftercare.note:
        care.append(getattr(d.aftercare.note, lang))
    lines.append(f"{label('text.aftercare', lang)}: {'; '.join(care)}")
    if d.warnings:
        lines.append(f"{label('text.warnings', lang)}:")
        lines += [f"  ! {getattr(w, lang)}" for w in d.warnings]
    return "\n".join(lines)


def determination_json(d: Determination) -> dict[str, Any]:
    out = d.model_dump(mode="json")
    out["outcome_label"] = {"zh": d.outcome_label("zh"), "en": d.outcome_label("en")}
    out["disposition_label"] = {"zh": d.disposition_label("zh"), "en": d.disposition_label("en")}
    out["track_label"] = {"zh": label(f"track.{d.track}", "zh"), "en": label(f"track.{d.track}", "en")}
    return out
