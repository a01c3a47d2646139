"""A refused step in the reader's language: the register's refusal code and parameters
(``ftlib.register.errors``) through the desk's ``error.<code>`` labels, the field, step and state
by their names — never an id. The register's own line stays available as the technical detail."""

from __future__ import annotations

from typing import Any

from ftlib.i18n import fact_label, has_label, label
from ftlib.register.errors import ProcedureError, describe


def desk_label(key: str, lang: str, **kw: Any) -> str:
    return label(f"desk.{key}", lang, **kw)


def field_name(name: str, lang: str) -> str:
    """A payload field or a case fact by its name in ``lang`` (the last resort: the step's word 'field')."""
    if has_label(f"desk.field.{name}"):
        return desk_label(f"field.{name}", lang)
    if has_label(f"ui.facts.{name}"):
        return fact_label(name, lang)
    return desk_label("error.some_field", lang)


def _body_names(policy, which: str, given: dict[str, Any], lang: str) -> str:
    if policy is None:
        return str(given.get("body") or given.get("missing") or "")
    proc = policy.procedure
    if which == "decision":
        return getattr(proc.decision_body, lang)
    if which == "approval":
        return getattr(proc.higher_approval, lang) if proc.higher_approval else ""
    missing = str(given.get("missing", ""))
    sep = "、" if lang == "zh" else ", "
    return sep.join(getattr(b, lang) for b in proc.consult if b.id in missing) or missing


def refusal_text(err: Exception, lang: str, policy: Any = None) -> str:
    """One sentence saying why a step was not recorded, in ``lang``."""
    code, params = (err.code, dict(err.params)) if isinstance(err, ProcedureError) else describe(str(err))
    if not has_label(f"desk.error.{code}"):
        code = "refused"
    p: dict[str, Any] = {k: str(v).strip("'") for k, v in params.items()}
    if "field" in p:
        p["field"] = field_name(p["field"], lang)
    for key, group in (("step", "event"), ("kind", "event"), ("state", "state")):
        if key in p:
            value = "none" if p[key].startswith("(") else p[key]
            p[key] = desk_label(f"{group}.{value}", lang) if has_label(f"desk.{group}.{value}") else ""
    if code == "wrong_body":
        p["body"] = _body_names(policy, "decision", params, lang)
    elif code == "approval_missing":
        p["body"] = _body_names(policy, "approval", params, lang)
    elif code == "consult_missing":
        p["missing"] = _body_names(policy, "consult", params, lang)
    p.setdefault("field", desk_label("error.some_field", lang))
    try:
        return desk_label(f"error.{code}", lang, **p)
    except (KeyError, IndexError, ValueError):  # a template naming a figure this message lacks
        return desk_label("error.refused", lang, field=p["field"])
