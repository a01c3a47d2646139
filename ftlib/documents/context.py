"""What each document says, worked out from a :class:`CaseFile`: one plain dict per document
(issuing organ, number, title, addressee, sections of paragraphs, an optional two-column
table, signature, date, the illustrative marks) that the .docx template and the HTML
template both render, so the .docx and the PDF carry the same text.

The sentences come from ``ftlib/data/templates/documents.yaml``; dates and deadlines are the
register's own (corrections as ordered, with their due dates) or counted here on the official
working-day calendar from the policy's time limits (``ftlib.workdays``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ftlib.documents.labels import desk_label, wording
from ftlib.documents.record import CaseFile
from ftlib.errors import FtlibError
from ftlib.i18n import fact_label, factor_groups, label, value_label
from ftlib.policy.cite import article_mark, article_of
from ftlib.regions import region_name, regions
from ftlib.register.casepolicy import impact_months, imposed_codes
from ftlib.workdays import add_working_days

#: The assessment factors in the order the opinion lists them (ui_labels.yaml ``factors``).
GROUP_ORDER = ("distinctions", "exclusions", "scope", "conditions", "mitigations")


def cn_date(day: dt.date | None) -> str:
    """A date the way Chinese official documents write it: 2025年5月6日."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _fmt(template: str, **kw: Any) -> str:
    return template.format(**kw)


def _policy_name(policy) -> str:
    return policy.name.zh


def _illustrative(cf: CaseFile) -> bool:
    """A document under an illustrative policy (or about a fictional region) says so on its face."""
    pol = cf.decision_policy or cf.policy
    region = regions().get(cf.row.region_code, {})
    return pol.status == "illustrative" or cf.policy.status == "illustrative" or bool(region.get("illustrative"))


def _fact_text(name: str, value: Any) -> str:
    return f"{fact_label(name, 'zh')}：{value_label(name, value, 'zh')}"


def _cadre(cf: CaseFile) -> str:
    return f"{cf.row.cadre_id}同志" if cf.row.cadre_id else "当事干部"


def _applicant(cf: CaseFile) -> tuple[str, str]:
    """(addressee, who applied) by the channel the case started on."""
    cadre = _cadre(cf)
    if cf.row.channel == "unit_application":
        return (f"{cadre}所在单位", "你单位")
    if cf.row.channel == "cadre_application":
        return (cadre, "你")
    return (f"{cadre}及所在单位", "本机关依职权启动的容错纠错事项，相关材料")


def _base(cf: CaseFile, kind: str, day: dt.date | None) -> dict[str, Any]:
    words = wording()
    spec = words["kinds"][kind]
    proc = cf.policy.procedure
    region = region_name(cf.row.region_code, "zh")
    illustrative = _illustrative(cf)
    pol = cf.decision_policy or cf.policy
    year = (day or cf.row.received_on).year
    organ = _organ(cf.row.region_code, proc.decision_body.zh)
    return {
        "kind": kind,
        "title": desk_label(f"document.{kind}", "zh"),
        "organ": organ,
        "number": _fmt(words["number"], region=region, code=spec["code"], year=year, serial=cf.row.id),
        "signature": organ,
        "date": cn_date(day),
        "illustrative": illustrative,
        "banner": _fmt(words["illustrative_banner"], policy=_policy_name(pol)) if illustrative else "",
        "sections": [],
        "table": [],
        "case_id": cf.row.id,
        "policy_id": pol.id,
    }


def _organ(region_code: str, body_zh: str) -> str:
    """The issuing organ: the deciding body, preceded by its region unless the body's name
    already says its level (省纪委常委会) or the region is the whole country."""
    if region_code == "CN" or body_zh.startswith(("省", "市", "县", "区", "乡", "镇", "中央", "全国")):
        return body_zh
    return f"{region_name(region_code, 'zh')}{body_zh}"


def _need(cf: CaseFile, kind: str) -> dt.date:
    """The day of the event the document records; refused (one line) before it happened."""
    needs = wording()["kinds"][kind]["needs"]
    day = cf.on(needs)
    if day is None:
        state = desk_label("event." + needs, "zh")
        raise FtlibError(f"case {cf.row.id}: --kind {kind}: the case has no {needs} event yet "
                         f"({state} not recorded), so there is no {kind} document")
    return day


def _para(text: str) -> dict[str, Any]:
    return {"heading": "", "paras": [text]}


def acceptance(cf: CaseFile) -> dict[str, Any]:
    day = _need(cf, "acceptance")
    spec = wording()["kinds"]["acceptance"]
    proc = cf.policy.procedure
    limits = proc.time_limits_working_days
    ctx = _base(cf, "acceptance", day)
    addressee, applied = _applicant(cf)
    inv_days = limits.get("investigation")
    inv = add_working_days(day, inv_days) if inv_days else None
    kw = dict(applicant=addressee, applied=applied, received=cn_date(cf.row.received_on),
              policy=_policy_name(cf.policy), investigation_days=inv_days or "—",
              investigation_due=cn_date(inv.due) if inv else "—", body=proc.decision_body.zh,
              decision_days=limits.get("decision", "—"))
    ctx["addressee"] = _fmt(spec["addressee"], **kw)
    ctx["sections"] = [{"heading": "", "paras": [_fmt(p, **kw) for p in spec["body"]]}]
    ctx["deadlines"] = {"investigation_due": inv.due if inv else None}
    return ctx


def refusal(cf: CaseFile) -> dict[str, Any]:
    day = _need(cf, "refusal")
    spec = wording()["kinds"]["refusal"]
    proc = cf.policy.procedure
    ctx = _base(cf, "refusal", day)
    addressee, applied = _applicant(cf)
    appeal = add_working_days(day, proc.appeal_window_working_days)
    kw = dict(applicant=addressee, applied=applied, received=cn_date(cf.row.received_on),
              reason=str(cf.last("refused").payload.get("reason", "")).strip(),
              appeal_days=proc.appeal_window_working_days, appeal_due=cn_date(appeal.due))
    ctx["addressee"] = _fmt(spec["addressee"], **kw)
    ctx["sections"] = [{"heading": "", "paras": [_fmt(p, **kw) for p in spec["body"]]}]
    ctx["deadlines"] = {"appeal_due": appeal.due}
    return ctx


def _clauses(cf: CaseFile) -> list[dict[str, str]]:
    """Every clause the determination cites (trace, then corrections), once, in order."""
    pol = cf.decision_policy
    det = cf.determination
    ids: list[str] = []
    for t in det.trace:
        if t.clause not in ids and (t.group != "grading" or t.decisive):
            ids.append(t.clause)
    for c in det.corrections:
        if c.clause not in ids:
            ids.append(c.clause)
    out = []
    for cid in ids:
        c = pol.clauses[cid]
        src = c.source
        if src is not None:
            parts = [f"《{src.title}》" if not src.title.startswith("《") else src.title]
            if src.article:
                parts.append(src.article)
            if src.date:
                parts.append(cn_date(src.date))
            if src.url:
                parts.append(src.url)
            source = "，".join(parts)
        else:
            source = f"《{_policy_name(pol)}》"
        out.append({"id": cid, "text": c.zh, "source": source, "status": label(f"status.{c.status}", "zh"),
                    "wording": "原文" if c.wording == "quotation" else "归纳", "illustrative": c.status != "official"})
    return out


def _corrections(cf: CaseFile) -> list[dict[str, Any]]:
    return [{"measure": c.measure, "text": c.text_zh, "days": c.working_days, "ordered": c.ordered_on,
             "due": c.due_on, "completed": c.completed_on, "warning": c.calendar_warning or ""}
            for c in cf.corrections]


def _decided(cf: CaseFile) -> tuple[dt.date, Any]:
    day = _need(cf, "opinion")
    return day, cf.decision


def _factor_lines(cf: CaseFile, spec: dict[str, Any]) -> list[str]:
    facts = cf.row.facts
    lines = []
    n = 0
    for gid, group in factor_groups().items():
        if gid == "header":
            continue
        given = [f for f in group["facts"] if f in facts]
        if not given:
            continue
        n += 1
        lines.append(_fmt(spec["factor_line"], n=n, factor=group["label"]["zh"],
                          facts="；".join(_fact_text(f, facts[f]) for f in given)))
    return lines


def opinion(cf: CaseFile) -> dict[str, Any]:
    day, dec = _decided(cf)
    det = cf.determination
    spec = wording()["kinds"]["opinion"]
    proc = cf.policy.procedure
    ctx = _base(cf, "opinion", day)
    cadre = _cadre(cf)
    rank = value_label("subject.rank", cf.row.facts.get("subject.rank"), "zh") if cf.row.facts.get("subject.rank") \
        else "—"
    ctx["addressee"] = _fmt(spec["addressee"], cadre=cadre)
    sections = [_para(_fmt(spec["intro"], channel_text=desk_label(f"channel.{cf.row.channel}", "zh")
                           + f"（{cn_date(cf.row.received_on)}）",
                           body=proc.decision_body.zh, decided=cn_date(day), cadre=cadre, rank=rank,
                           region=region_name(cf.row.region_code, "zh")))]
    findings = cf.last("investigated")
    facts_paras = []
    text = str((findings.payload or {}).get("findings", "")).strip() if findings is not None else ""
    if text:
        facts_paras.append(_fmt(spec["findings"], findings=text))
    sections.append({"heading": spec["facts_heading"], "paras": facts_paras})
    sections.append({"heading": spec["factors_heading"], "paras": _factor_lines(cf, spec)})
    rules = []
    for t in det.trace:
        if t.group == "grading":
            continue
        rule = _rule_label(cf, t.group, t.rule)
        cite = article_of(cf.decision_policy, t.clause)
        rules.append(_fmt(spec["rule_line"], group=label(f"group.{t.group}", "zh"), rule=rule,
                          result="是" if t.result else "否",
                          basis=_fmt(spec["rule_basis"], article=cite) if cite else ""))
    sections.append({"heading": spec["assessment_heading"], "paras": rules})
    disp = [_fmt(spec["disposition"], policy=_policy_name(cf.decision_policy), conclusion=_conclusion(dec, det))]
    if det.handling and dec.outcome == det.outcome:
        disp.append(_fmt(spec["handling"], handling=det.handling.zh))
    disp.append(_fmt(spec["selection"], selection=det.selection.zh))
    consulted = "、".join(_body_name(cf, b) for b in (dec.consulted or [])) or desk_label("desk.none", "zh")
    disp.append(_fmt(spec["collective"], body=_body_name(cf, dec.body), total=dec.members_total,
                     present=dec.members_present, votes_for=dec.votes_for, votes_against=dec.votes_against,
                     votes_abstain=dec.votes_abstain, consulted=consulted))
    engine = label(f"outcome.{dec.engine_outcome}", "zh")
    if dec.outcome == dec.engine_outcome:
        disp.append(_fmt(spec["engine_agrees"], engine=engine))
    else:
        disp.append(_fmt(spec["engine_departs"], engine=engine, reason=dec.departure_reason or ""))
    sections.append({"heading": spec["disposition_heading"], "paras": disp})
    clauses = _clauses(cf)
    cl_paras = []
    for c in clauses:
        cl_paras.append(_fmt(spec["clause_line"], article=article_mark(cf.decision_policy, c["id"]), text=c["text"]))
        cl_paras.append(_fmt(spec["clause_source"], source=c["source"], status=c["status"], wording=c["wording"]))
    if any(c["illustrative"] for c in clauses):
        cl_paras.append(wording()["illustrative_clause_note"])
    sections.append({"heading": spec["clauses_heading"], "paras": cl_paras})
    corr = _corrections(cf)
    corr_paras = [_fmt(spec["correction_line"], n=i, text=c["text"], ordered=cn_date(c["ordered"]), days=c["days"],
                       due=cn_date(c["due"])) for i, c in enumerate(corr, 1)] or [spec["no_corrections"]]
    corr_paras += _aftercare(cf, dec.outcome)
    sections.append({"heading": spec["corrections_heading"], "paras": corr_paras})
    sections.append({"heading": spec["remedy_heading"],
                     "paras": [_fmt(spec["remedy"], appeal_days=proc.appeal_window_working_days)]})
    ctx["sections"] = sections
    ctx["clauses"] = clauses
    ctx["deadlines"] = {c["measure"]: c["due"] for c in corr}
    return ctx


def _conclusion(dec, det) -> str:
    """The decided outcome; with the grading row's name when the decision follows the engine
    (a departure rests on the committee's reason, stated beside it, not on that row)."""
    if dec.outcome == det.outcome:
        # the engine's disposition in the texts' words (免予问责, 不予问责, 从轻, 减轻 …)
        return f"{det.disposition_label('zh')}（{det.deciding_words('zh')}）"
    return label(f"outcome.{dec.outcome}", "zh")


def _aftercare(cf: CaseFile, outcome: str) -> list[str]:
    """The after-care of the outcome decided: the handling actually imposed and the impact period
    it carries (casepolicy.impact_months: the imposed handling, else the deciding row's when the
    decision follows the engine — never a constant per outcome), and the policy's follow-up."""
    spec = wording()["kinds"]["opinion"]
    care = cf.decision_policy.aftercare.get(outcome)
    decided = cf.last("decided")
    p = decided.payload if decided is not None else {}
    imposed = imposed_codes(p.get("handling_imposed"))
    follows = p.get("engine_outcome") == outcome and p.get("engine_disposition") in (None, p.get("disposition"))
    months = impact_months(cf.decision_policy, outcome, p.get("engine_rule"), imposed, follows)
    out = []
    if imposed:
        out.append(_fmt(spec["handling_imposed"], handling="、".join(label(f"handling.{c}", "zh") for c in imposed)))
    if months:
        out.append(_fmt(spec["aftercare"], months=months))
    elif months == 0 and outcome == "exempt":
        out.append(spec["aftercare_none"])
    elif months is None:
        out.append(spec["aftercare_open"])
    if care is not None and care.follow_up_visit_within_working_days:
        out.append(_fmt(spec["follow_up"], days=care.follow_up_visit_within_working_days))
    return out


def _rule_label(cf: CaseFile, group: str, rule_id: str) -> str:
    pol = cf.decision_policy
    for r in getattr(pol, group, []) or []:
        if getattr(r, "id", None) == rule_id and getattr(r, "label", None) is not None:
            return r.label.zh
    if group == "scope":
        return "属于所列容错情形（" + "、".join(value_label("scenario", s, "zh") for s in pol.scope.scenarios) + "）"
    return rule_id


def _body_name(cf: CaseFile, body_id: str | None) -> str:
    proc = cf.policy.procedure
    bodies = [proc.decision_body, *proc.consult] + ([proc.higher_approval] if proc.higher_approval else [])
    for b in bodies:
        if b.id == body_id:
            return b.zh
    return desk_label(f"value.{body_id}", "zh") if body_id else ""


def feedback(cf: CaseFile) -> dict[str, Any]:
    day = _need(cf, "feedback")
    decided, dec = _decided(cf)
    det = cf.determination
    spec = wording()["kinds"]["feedback"]
    proc = cf.policy.procedure
    ctx = _base(cf, "feedback", day)
    appeal = add_working_days(day, proc.appeal_window_working_days)
    corr = _corrections(cf)
    opinion_spec = wording()["kinds"]["opinion"]
    corrections = "；".join(_fmt(opinion_spec["correction_line"], n=i, text=c["text"], ordered=cn_date(c["ordered"]),
                                 days=c["days"], due=cn_date(c["due"])).rstrip("。")
                           for i, c in enumerate(corr, 1)) + "。" if corr else opinion_spec["no_corrections"]
    care = _aftercare(cf, dec.outcome)
    decisive = [t for t in det.trace if t.decisive]
    reasons = "；".join(_clause_text(cf, t.clause) for t in decisive) or "—"
    handling = _fmt(opinion_spec["handling"], handling=det.handling.zh) if det.handling and dec.outcome == det.outcome \
        else ""
    kw = dict(cadre=_cadre(cf), body=proc.decision_body.zh, decided=cn_date(decided),
              conclusion=_conclusion(dec, det), handling_text=handling, reasons=reasons, corrections=corrections, aftercare="".join(care),
              appeal_days=proc.appeal_window_working_days, appeal_due=cn_date(appeal.due))
    ctx["addressee"] = _fmt(spec["addressee"], **kw)
    ctx["sections"] = [{"heading": "", "paras": [p for p in (_fmt(t, **kw) for t in spec["body"]) if p.strip()]}]
    ctx["deadlines"] = {"appeal_due": appeal.due, **{c["measure"]: c["due"] for c in corr}}
    return ctx


def _clause_text(cf: CaseFile, cid: str) -> str:
    return cf.decision_policy.clauses[cid].zh


def filing(cf: CaseFile) -> dict[str, Any]:
    day = _need(cf, "filing")
    decided, dec = _decided(cf)
    spec = wording()["kinds"]["filing"]
    ctx = _base(cf, "filing", day)
    filed = cf.last("filed")
    to = str((filed.payload or {}).get("to", "")).strip() or "上级纪检监察机关"
    kw = dict(cadre=_cadre(cf), to=to)
    ctx["addressee"] = _fmt(spec["addressee"], **kw)
    ctx["sections"] = [{"heading": "", "paras": [_fmt(p, **kw) for p in spec["body"]]}]
    corr = _corrections(cf)
    clauses = _clauses(cf)
    values = {
        "case_id": cf.row.id, "cadre": cf.row.cadre_id or "—",
        "rank": value_label("subject.rank", cf.row.facts.get("subject.rank"), "zh"),
        "region": region_name(cf.row.region_code, "zh"),
        "channel": desk_label(f"channel.{cf.row.channel}", "zh"),
        "received": cn_date(cf.row.received_on), "accepted": cn_date(cf.on("accepted")),
        "investigated": cn_date(cf.on("investigated")), "decided": cn_date(decided),
        "body": _body_name(cf, dec.body),
        "votes": f"应到{dec.members_total}人，实到{dec.members_present}人；赞成{dec.votes_for}票，"
                 f"反对{dec.votes_against}票，弃权{dec.votes_abstain}票",
        "consulted": "、".join(_body_name(cf, b) for b in (dec.consulted or [])) or "无",
        "outcome": label(f"outcome.{dec.outcome}", "zh"), "engine": label(f"outcome.{dec.engine_outcome}", "zh"),
        "departure": dec.departure_reason or "无",
        "clauses": "；".join(f"{article_mark(cf.decision_policy, c['id'])}{c['text']}（{c['status']}）" for c in clauses),
        "corrections": "；".join(f"{c['text']}，{c['days']}个工作日内，{cn_date(c['due'])}前" for c in corr) or "无",
        "feedback": cn_date(cf.on("feedback_sent")), "filed": cn_date(day),
    }
    ctx["table"] = [{"label": name, "value": values[key]} for key, name in spec["rows"].items()]
    ctx["deadlines"] = {c["measure"]: c["due"] for c in corr}
    return ctx


BUILDERS = {"acceptance": acceptance, "refusal": refusal, "opinion": opinion, "feedback": feedback,
            "filing": filing}


def build(cf: CaseFile, kind: str) -> dict[str, Any]:
    if kind not in BUILDERS:
        raise FtlibError(f"--kind: value {kind!r}: not one of {', '.join(BUILDERS)}")
    return BUILDERS[kind](cf)


def available(cf: CaseFile) -> list[str]:
    """The documents a case has so far (each needs the event it records)."""
    return [k for k in BUILDERS if cf.on(wording()["kinds"][k]["needs"]) is not None]
