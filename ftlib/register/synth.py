"""A **synthetic** case register — invented data for demonstrations, notebooks, dashboards and
tests. No row describes a real person or a real case; cadre ids are pseudonyms ``C-<region>-n``.

Seeded and reproducible: the same ``--regions``, ``--years``, ``--seed`` (and the same policies
and calendar) give the same register. Everything is written through the procedure
(``ftlib.register.procedure``) and the decision rules (``ftlib.register.decisions``), so the synthetic
register obeys the same checks as a real one.

Proportions (no province-wide counts are published, so these are judgement, documented here
and in docs/register.md):

- accountability cases (问责) per year ≈ 0.4 % of a region's cadres; about 22 % of cases are
  tolerance applications by the cadre or the unit, the rest are ex officio (most from clues
  transferred by audit, petitions or inspection);
- tolerance decisions (exempt or mitigated) are rare compared with accountability cases, and
  some regions have none at all (the last region of the list, and ``CN-DM-LY`` when present,
  receive only ex officio cases with non-tolerable facts — "in many places nobody has ever
  applied");
- clarifications of false accusations (澄清正名) are more frequent than tolerance decisions
  (Hubei: 5,040 cadres cleared and 186 accusers dealt with in two years): ≈ 0.3 % of cadres a
  year, ≈ 4 % with the accuser referred;
- applications carry the day the accountability notice reached the applicant, 0 to N calendar
  days before the application (N: the policy's window in working days, else 20), so every one is
  inside its window (``notice_day``);
- timings: each stage is usually within the policy's limit, about 15 % late; cases received
  near the end of the period are still open, some overdue; ~10 % of refusals and decisions are
  appealed; ~5 % of committee decisions depart from the engine, always with a reason; most
  corrections are completed (some late), tolerated cadres get follow-up visits, every decision
  is shared with the organisation department; ex-ante registrations (容错报备) precede some
  cases in regions whose policy provides them.

Regions come from ``ftlib/data/jurisdictions.yaml``, the fictional ones only (示例省 ``CN-DM*``
regions under their own illustrative policies, and sub-regions that fall back to their parent's
policy): invented figures never appear under a real region's name. Each case's policy is picked by
``jurisdiction`` and ``conduct_date``. The register is marked synthetic (``ftlib_meta``), so every
page built from it shows the synthetic-data banner.
"""

# Imports inside functions: pandas only for the career review of a synthetic register; the sample builder stays light.

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from ftlib import home
from ftlib.errors import FtlibError
from ftlib.facts import Case, case_from_dict
from ftlib.policy.handling import catalogue
from ftlib.regions import regions
from ftlib.register import db
from ftlib.register import procedure as pr
from ftlib.register.decisions import recommendation, record_decision
from ftlib.register.models import CaseRow, Event, Headcount, Meta
from ftlib.register.national import CADRES, national_tree
from ftlib.workdays import add_working_days

FALLBACK_REGIONS = {
    "CN-DM": ("示例省", "Demo Province", "CN"),
    "CN-DM-FTZ": ("示例省自贸试验片区", "Demo Province free-trade pilot area", "CN-DM"),
    "CN-DM-BR": ("示例省滨河市", "Binhe City, Demo Province", "CN-DM"),
    "CN-DM-SS": ("示例省山水县", "Shanshui County, Demo Province", "CN-DM"),
    "CN-DM-BR-HX": ("滨河市河西区", "Hexi District, Binhe City", "CN-DM-BR"),
    "CN-DM-SS-QS": ("山水县青石镇", "Qingshi Town, Shanshui County", "CN-DM-SS"),
    "CN-DM-LY": ("示例省临阳市", "Linyang City, Demo Province", "CN-DM"),
}
PREFERRED = list(FALLBACK_REGIONS)
NO_TOLERANCE = ("CN-DM-LY",)
TOLERABLE = ("reform_pilot", "exploration", "historical_legacy", "emergency", "key_project", "livelihood",
             "policy_change", "force_majeure")
REFUSAL_REASONS = ("申请事项不属于容错范围 / not a matter the mechanism covers",
                   "申请材料不全且逾期未补正 / documents incomplete and not supplied in time",
                   "已有生效处理决定 / an effective decision already exists")
#: Committee departures from the engine, by direction: a harsher outcome cites harsher facts, a
#: lighter one lighter facts, a re-classification between the two accountability outcomes says why the case is (not) one of the
#: tolerable situations.
DEPARTURE_REASONS = {
    "lighter": ("集体研究认为损失已全部挽回且系初次失误 / collective view: losses fully recovered, a first mistake",
                "当地为改革试点单位，经会商认为属先行先试 / the unit is a designated pilot; consultation found "
                "the act exploratory"),
    "harsher": ("调查补充材料显示存在明知故犯情节 / further evidence showed the violation was knowing",
                "损失进一步扩大且未能挽回 / the loss grew further and was not recovered"),
    "to_out_of_scope": ("经会商认为属于日常工作失误，不属于容错情形 / consultation found an ordinary work "
                        "error, not a tolerable situation",),
    "to_not_tolerated": ("经会商认为属于所列容错情形，但触碰纪律红线 / consultation found a listed situation, but a "
                         "red line of discipline was crossed",),
}
#: How heavy each outcome is for the cadre (out_of_scope and not_tolerated are both accountability).
SEVERITY = {"exempt": 0, "mitigated": 1, "not_tolerated": 2, "out_of_scope": 2}
#: Days at most between the notice and the application where no window in working days bounds them.
MAX_NOTICE_LEAD_DAYS = 20
#: Marks a register written by synth (table ftlib_meta): pages then show the synthetic-data banner.
SYNTHETIC_KEY = "synthetic"


def departure_direction(recommended: str, decided: str) -> str:
    """``lighter``, ``harsher``, or (same weight, other ground) ``to_out_of_scope`` / ``to_not_tolerated``."""
    a, b = SEVERITY[recommended], SEVERITY[decided]
    return "lighter" if b < a else "harsher" if b > a else f"to_{decided}"


def notice_day(seed: int, case_id: str, channel: str, received: dt.date, conduct: dt.date, policy) -> dt.date | None:
    """The day the accountability notice reached an applicant (synthetic): an application is
    received 0 to N calendar days after it, N the policy's window in working days (so never
    outside it: the register refuses a start outside the window, as it would a late application),
    or up to 20 days where the window closes with the decision or the policy sets none; never
    before the conduct. Ex officio cases have none. Drawn from a generator of the case's own, so
    adding the day left every other draw of the synthetic register as it was."""
    if channel == "ex_officio":
        return None
    window = policy.procedure.application_window_working_days
    most = window if policy.procedure.window_closes() == "working_days" and window else MAX_NOTICE_LEAD_DAYS
    lead = random.Random(f"{seed}/{case_id}/notice").randint(0, min(most, (received - conduct).days))
    return received - dt.timedelta(days=lead)


def region_list(n: int) -> list[tuple[str, str, str, str | None]]:
    """``n`` regions (code, zh, en, parent): the jurisdictions file's, else a built-in list."""

    # Fictional regions only: real ones (湖北省 CN-HB …) carry real policies, and invented figures
    # must never appear under a real name.
    known = {c: (v.get("zh", c), v.get("en", c), v.get("parent")) for c, v in regions().items()
             if c != "CN" and v.get("illustrative") and c.startswith("CN-DM")}
    if not known:
        known = dict(FALLBACK_REGIONS)
    order = [c for c in PREFERRED if c in known] + sorted(c for c in known if c not in PREFERRED)
    # More regions than the jurisdictions file lists: invented counties under the fictional
    # prefectures (they fall back to their parent's policy), so benchmarks can ask for 30 or 100.
    parents = [c for c in order if c.startswith("CN-DM-") and c.count("-") == 2 and c != "CN-DM-FTZ"]
    for i in range(max(0, n - len(order))):
        par = parents[i % len(parents)] if parents else "CN"
        code = f"{par}-X{i + 1:02d}"
        zh, en, _ = known.get(par, (par, par, None))
        known[code] = (f"{zh}示例县{i + 1}", f"{en} sample county {i + 1}", par)
        order.append(code)
    if n < 1 or n > len(order):

        raise FtlibError(f"--regions: value {n}: between 1 and {len(order)} regions are available")
    return [(c, *known[c]) for c in order[:n]]


@dataclass
class Summary:
    url: str
    regions: list[str]
    years: list[int]
    seed: int
    cases: int = 0
    events: int = 0
    tolerated: int = 0
    departures: int = 0
    appeals: int = 0
    clarifications: int = 0
    registrations: int = 0
    no_tolerance_regions: list[str] = field(default_factory=list)
    policies: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        pols = ", ".join(f"{k}: {v}" for k, v in sorted(self.policies.items()))
        return (f"synthetic register {db.shown(self.url)} (seed {self.seed}, {len(self.regions)} regions, "
                f"{self.years[0]}–{self.years[-1]}): {self.cases} cases, {self.events} events, "
                f"{self.tolerated} tolerated (exempt/mitigated), {self.departures} committee departures from "
                f"the engine, {self.appeals} appeals, {self.clarifications} clarifications, {self.registrations} "
                f"ex-ante registrations; regions without any tolerance decision: "
                f"{', '.join(self.no_tolerance_regions) or 'none'}; cases by policy: {pols}")


def _facts(rng: random.Random, cid: str, region: str, conduct: dt.date, tolerance_claim: bool,
           clean_only: bool) -> dict:
    rank = rng.choices(["village", "township", "county", "prefecture"], [30, 45, 20, 5])[0]
    unit = "village" if rank == "village" else rng.choices(["party_gov", "soe", "institution"], [70, 15, 15])[0]
    f = {
        "id": cid, "jurisdiction": region, "conduct_date": conduct.isoformat(),
        "title": {"zh": f"合成案例 {cid}", "en": f"synthetic case {cid}"},
        "subject": {"rank": rank, "unit_type": unit, "top_leader": rng.random() < 0.2},
        "procedure": {"collective_decision": True, "followed": "full"},
        "consequence": {"severity": "minor", "loss_cny": 0.0},
        "after": {"remedy": "full", "cooperated": True},
        "public_motive": True,
    }
    if tolerance_claim and not clean_only:
        f["scenario"] = rng.choice(TOLERABLE)
        f["procedure"]["followed"] = rng.choices(["full", "partial", "none"], [70, 25, 5])[0]
        f["procedure"]["collective_decision"] = rng.random() < 0.8
        if f["scenario"] == "emergency":
            f["procedure"]["emergency_onsite"] = True
            f["procedure"]["reported_after"] = rng.random() < 0.85
        f["consequence"] = {"severity": rng.choices(["none", "minor", "serious", "major"], [15, 55, 25, 5])[0],
                            "loss_cny": float(rng.choice([0, 5000, 20000, 150000, 800000]))}
        f["after"] = {"remedy": rng.choices(["full", "partial", "none"], [55, 35, 10])[0],
                      "cooperated": rng.random() < 0.9, "self_reported": rng.random() < 0.4}
        f["personal_gain"] = rng.random() < 0.08
        f["knowingly_violated"] = rng.random() < 0.08
    else:
        # ordinary accountability: routine work, often with a red line crossed
        f["scenario"] = rng.choices(["routine", "key_project", "livelihood"], [80, 10, 10])[0]
        f["public_motive"] = rng.random() < 0.4
        f["personal_gain"] = rng.random() < 0.45
        f["knowingly_violated"] = rng.random() < 0.5
        f["defied_prohibition"] = rng.random() < 0.15
        f["procedure"]["followed"] = rng.choices(["full", "partial", "none"], [20, 40, 40])[0]
        f["consequence"] = {"severity": rng.choices(["minor", "serious", "major"], [40, 45, 15])[0],
                            "loss_cny": float(rng.choice([10000, 50000, 300000, 2000000]))}
        f["after"] = {"remedy": rng.choices(["full", "partial", "none"], [20, 40, 40])[0],
                      "concealed": rng.random() < 0.1, "cooperated": rng.random() < 0.6}
        if clean_only:
            f["personal_gain"] = True
    return f


def synth(url: str | None = None, regions: int = 8, years: int = 3, seed: int = 2026, end_year: int = 2025,
          scale: float = 1.0, national: tuple[int, int, int] | None = None) -> Summary:
    """Write a synthetic register into ``url`` (created or upgraded first; must be empty of cases).

    ``national`` (provinces, prefectures, counties) replaces the ``regions`` list by the fictional
    national tree of ``ftlib.register.national`` (``NATIONAL_SHAPE`` for the country's size)."""


    url = db.database_url(url)
    db.upgrade(url)
    rng = random.Random(seed)
    if national is not None:

        tree = national_tree(national)
        chosen = [(r.code, r.zh, r.en, r.parent) for r in tree]
        cadres = {r.code: CADRES[r.level] for r in tree}
    else:
        chosen = region_list(regions)
        cadres = {}
    year_list = list(range(end_year - years + 1, end_year + 1))
    as_of = dt.date(end_year, 12, 31)  # events after this day have not happened yet
    summary = Summary(url, [c for c, *_ in chosen], year_list, seed)
    none_at_all = {c for c, *_ in chosen if c in NO_TOLERANCE}
    if len(chosen) > 2:
        none_at_all.add(chosen[-1][0])
    summary.no_tolerance_regions = sorted(none_at_all)

    def wd(start: dt.date, lo: int, hi: int) -> dt.date:
        return add_working_days(start, max(1, rng.randint(lo, hi))).due

    def late_or_not(start: dt.date, limit: int) -> dt.date:
        if rng.random() < 0.15:
            return wd(start, limit + 1, limit + 12)
        return wd(start, max(1, limit // 4), limit)

    with db.session_scope(url) as s:
        if s.scalar(select(func.count()).select_from(CaseRow)):
            raise FtlibError(f"{db.shown(url)}: the register already holds cases; synth writes only into an empty one")
        n_case = 0
        with pr.bulk(s):   # every step checked as ever, written once per region (no round trip a step)
            for code, zh, en, parent in chosen:
                pr.ensure_region(s, code, names=(zh, en, parent))
                base = rng.randint(*cadres.get(code, (3000, 12000)))
                for y in year_list:
                    s.add(Headcount(region_code=code, year=y, cadres=int(base * (1 + 0.02 * (y - year_list[0])))))
                for y in year_list:
                    headcount = base
                    n_cases = max(1, int(round(headcount * 0.004 * scale * rng.uniform(0.7, 1.3))))
                    # clarifications (standalone, not tied to a case)
                    for _ in range(int(round(headcount * 0.003 * scale * rng.uniform(0.6, 1.4)))):
                        referred = rng.random() < 0.04
                        pr.clarify(s, region=code, on=dt.date(y, 1, 1) + dt.timedelta(days=rng.randint(0, 364)),
                                   method=rng.choices(["meeting", "written_notice", "circular", "media"], [40, 35, 15, 10])[0],
                                   actor="纪委监委", cadre_id=f"C-{code}-{rng.randint(1, headcount)}",
                                   accuser_referred=referred,
                                   referred_to=rng.choice(["police", "discipline_commission"]) if referred else None)
                        summary.clarifications += 1
                    for _ in range(n_cases):
                        n_case += 1
                        cid = f"SYN-{code}-{y}-{n_case:05d}"
                        received = dt.date(y, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
                        conduct = received - dt.timedelta(days=rng.randint(15, 240))
                        claim = code not in none_at_all and rng.random() < 0.22
                        f = _facts(rng, cid, code, conduct, claim, code in none_at_all)
                        reg_id = None
                        try:
                            policy = pr.policy_for(code, conduct)
                        except FtlibError:
                            continue
                        if claim and policy.exante_registration and rng.random() < 0.4:
                            reg_id = f"REG-{cid}"
                            f["procedure"]["exante_registered"] = True
                            pr.register_exante(s, reg_id, code, conduct - dt.timedelta(days=rng.randint(5, 60)),
                                               category=rng.choice(["改革试点", "重大项目", "招商引资", "应急处置"]),
                                               description="synthetic", cadre_id=f"C-{code}-{n_case}")
                            summary.registrations += 1
                        case = case_from_dict(f, cid)
                        channel = rng.choice(["cadre_application", "unit_application"]) if claim else "ex_officio"
                        if channel not in policy.procedure.starts:
                            channel = policy.procedure.starts[0]
                        clue = None
                        if channel == "ex_officio" and rng.random() < 0.7:
                            clue = {"source": rng.choices(["petition", "audit", "inspection"], [50, 30, 20])[0],
                                    "reference": f"XS-{y}-{n_case}"}
                        pr.open_case(s, case, channel=channel, received_on=received, actor="受理窗口",
                                     cadre_id=f"C-{code}-{n_case}", registration_id=reg_id, clue=clue,
                                     notice_on=notice_day(seed, cid, channel, received, conduct, policy))
                        summary.cases += 1
                        summary.policies[policy.id] = summary.policies.get(policy.id, 0) + 1
                        _walk(s, rng, cid, case, policy, received, as_of, claim, late_or_not, wd, summary,
                              record_decision, recommendation)
                pr.bulk_flush(s, at_least=2000)   # memory stays bounded at national size

        s.merge(Meta(key=SYNTHETIC_KEY, value=f"ftlib synth seed {seed}"))
        summary.events = s.scalar(select(func.count()).select_from(Event))
    return summary


def _walk(s, rng, cid, case, policy, received, as_of, claim, late_or_not, wd, summary, record_decision,
          recommendation) -> None:
    """Take one case as far through the procedure as ``as_of`` allows."""

    proc = policy.procedure
    lim = proc.time_limits_working_days

    def go(day: dt.date) -> bool:
        return day <= as_of

    day = late_or_not(received, lim.get("acceptance", 5))
    if not go(day):
        return
    if claim and rng.random() < 0.10:
        pr.refuse(s, cid, day, "受理部门", rng.choice(REFUSAL_REASONS))
        if rng.random() < 0.3:
            a = wd(day, 1, proc.appeal_window_working_days)
            if go(a):
                pr.appeal(s, cid, a, "申请人", "不服不予受理")
                summary.appeals += 1
                r = late_or_not(a, proc.review_time_limit_working_days)
                if go(r):
                    overturn = rng.random() < 0.3
                    pr.decide_refusal_appeal(s, cid, r, "复核组", overturn, "复核意见")
                    if not overturn:
                        return
                    day = r
                else:
                    return
            else:
                return
        else:
            return
    else:
        pr.accept(s, cid, day, "受理部门")
    start = wd(day, 1, 3)
    if not go(start):
        return
    pr.start_investigation(s, cid, start, "核查组")
    done = late_or_not(day, lim.get("investigation", 30))
    done = max(done, start)
    if not go(done):
        return
    pr.finish_investigation(s, cid, done, "核查组", "核查属实")
    decided_on = late_or_not(done, lim.get("decision", 10))
    if not go(decided_on):
        return
    row = pr.case_row(s, cid)
    det = recommendation(row, decided_on)
    outcome, reason = det.outcome, None
    if rng.random() < 0.05:
        alternatives = {"exempt": "mitigated", "mitigated": rng.choice(["exempt", "not_tolerated"]),
                        "not_tolerated": "mitigated" if claim else "out_of_scope", "out_of_scope": "not_tolerated"}
        outcome = alternatives[det.outcome]
        reason = rng.choice(DEPARTURE_REASONS[departure_direction(det.outcome, outcome)])
        summary.departures += 1
    total = rng.randint(7, 11)
    present = max(int(-(-proc.quorum * total // 1)), total - rng.randint(0, 2))
    votes_for = rng.randint(present // 2 + 1, present)
    record_decision(s, cid, on=decided_on, actor=proc.decision_body.zh, body=proc.decision_body.id, outcome=outcome,
                    members_total=total, members_present=present, votes_for=votes_for,
                    votes_against=present - votes_for, consulted=[b.id for b in proc.consult],
                    approved_by=proc.higher_approval.id if proc.higher_approval else None,
                    departure_reason=reason, handling_imposed=_handling(cid, row, outcome))
    if outcome in ("exempt", "mitigated"):
        summary.tolerated += 1
    fb = late_or_not(decided_on, lim.get("feedback", 5))
    if not go(fb):
        return
    pr.send_feedback(s, cid, fb, "案件管理室")
    last = fb
    filed = late_or_not(fb, lim.get("filing", 10))
    if go(filed) and rng.random() < 0.95:
        pr.file_with_higher(s, cid, filed, "案件管理室", "上级纪委")
        last = filed
    share_on = max(last, wd(fb, 1, 10))
    if go(share_on):
        pr.share_result(s, cid, share_on, "案件管理室")
        last = share_on
    for c in det.corrections:
        finish = wd(decided_on, 1, c.time_limit_working_days + (15 if rng.random() < 0.2 else 0))
        finish = max(finish, last)
        if rng.random() < 0.85 and go(finish):
            pr.complete_correction(s, cid, c.id, finish, "被问责单位")
            last = finish
    if outcome in ("exempt", "mitigated") and rng.random() < 0.7:
        visit = max(last, wd(decided_on, 20, 60))
        if go(visit):
            pr.follow_up(s, cid, visit, "组织部门", "暖心回访")
            last = visit
    if rng.random() < 0.10:
        a = max(last, wd(fb, 1, proc.appeal_window_working_days))

        if go(a) and a <= add_working_days(fb, proc.appeal_window_working_days).due:
            pr.appeal(s, cid, a, "当事人", "对处理决定不服")
            summary.appeals += 1
            last = a
            r = late_or_not(a, proc.review_time_limit_working_days)
            if go(r):
                present2 = max(int(-(-proc.quorum * total // 1)), present)
                record_decision(s, cid, on=r, actor=proc.decision_body.zh, body=proc.decision_body.id,
                                outcome=outcome, members_total=total, members_present=present2,
                                votes_for=present2, consulted=[b.id for b in proc.consult],
                                approved_by=proc.higher_approval.id if proc.higher_approval else None,
                                departure_reason=reason, review=True,
                                handling_imposed=_handling(cid, row, outcome))
                last = r
    if outcome in ("exempt", "mitigated"):
        _review_career(s, cid, policy, outcome, decided_on, last, as_of, _handling(cid, row, outcome))


def _handling(cid: str, row: CaseRow, outcome: str) -> list[str]:
    """The handling a synthetic mitigated decision imposes: one of the catalogue's handlings that
    the case's track admits (ftlib/data/handling.yaml), from its own random stream (seeded by the
    case id), so that adding it left every other synthetic figure as it was. None otherwise: an
    exempting decision follows the deciding row's residual handling."""
    if outcome != "mitigated":
        return []
    track = (row.facts or {}).get("track") or Case.model_fields["track"].default
    codes = [code for code, entry in catalogue().items()
             if entry["kind"] != "organisation_aftercare" and track in entry.get("tracks", [track])]
    return [random.Random(zlib.crc32(f"{cid}:handling".encode())).choice(codes)] if codes else []


def _review_career(s, cid: str, policy, outcome: str, decided_on: dt.date, last: dt.date, as_of: dt.date,
                   imposed: list[str]) -> None:
    """Most tolerated cadres get a career review some weeks after the impact period. Its own
    random stream (seeded by the case id), so adding it left every other synthetic figure as it was."""

    import pandas as pd


    rng = random.Random(zlib.crc32(cid.encode()))
    if rng.random() >= 0.7:
        return
    # the period of the handling imposed (or of the row's residual); one not known counts from the decision
    months = pr.impact_months(policy, outcome, None, imposed, follows_engine=False) or 0
    end = (pd.Timestamp(decided_on) + pd.DateOffset(months=months)).date()
    on = max(last, end + dt.timedelta(days=rng.randint(15, 120)))
    if on > as_of:
        return
    promoted = None if rng.random() < 0.15 else rng.random() < 0.35
    pr.review_career(s, cid, on, "组织部门", evaluated_normally=rng.random() < 0.9, promoted=promoted)


def build_sample(url: str | None = None, regions: int = 8, years: int = 3, seed: int = 2026) -> Summary:
    """(Re)create the sample register (default ``$FTLIB_HOME/sample/register.sqlite``) from ``synth``."""
    if url is None:
        path = home.sample_register_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            p = Path(str(path) + suffix)
            if p.exists():
                p.unlink()
        url = f"sqlite:///{path}"
    else:

        state, _ = db.status(url)
        if state == "ftlib":
            raise FtlibError(f"{db.shown(url)}: build_sample recreates only the default sample file; "
                             "use `ftlib synth` on an empty database")
    db.get_engine.cache_clear()
    return synth(url, regions=regions, years=years, seed=seed)
