"""06 容错纠错案件办理台 / case desk: open a case from the register or start one (application
by the cadre or the unit, or ex officio), see its stage and every deadline in working days,
record the next step with a form built from that step's payload (only legal steps are
offered; the register checks what is recorded exactly as it checks the API), record the
collective decision with the engine's recommendation and its reasons beside the form, see
the timeline, and download the case's documents (.docx, PDF) through the browser.

Everything is recorded through :mod:`ftlib.casedesk.steps`; who recorded it is the name typed
in at the top, or the identity the server provides (JupyterHub)."""

# Imports inside functions: a Voilà kernel's start-up time: IPython display loads when the page is drawn.

from __future__ import annotations

import base64
import datetime as dt
import html
from typing import Any

import ipywidgets as w

from ftlib.casedesk import steps as st
from ftlib.casedesk.deadlines import deadlines_of
from ftlib.casedesk.messages import refusal_text
from ftlib.documents import document_bytes
from ftlib.documents.context import available
from ftlib.documents.labels import desk_label
from ftlib.documents.record import load_case_file
from ftlib.errors import FtlibError
from ftlib.facts import Case
from ftlib.i18n import LANG_OPTIONS, label
from ftlib.policy.handling import catalogue as handling_catalogue
from ftlib.policy.schema import OUTCOMES
from ftlib.register import db
from ftlib.register.errors import describe
from ftlib.register.procedure import policy_for
from ftlib.ui import views
from ftlib.ui.forms import FactForm
from ftlib.vocabulary import DEFAULT_DISPOSITION, DISPOSITIONS, OUTCOME_OF

STYLE = {"description_width": "initial"}
WIDE = w.Layout(width="95%")


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _t(key: str, lang: str, **kw: Any) -> str:
    return desk_label(key, lang, **kw)


def download_link(name: str, data: bytes, mime: str, lang: str) -> str:
    """An <a download> carrying the file itself: the browser saves it, nothing is written on the server."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f"<a class='ftlib-download' download='{_e(name)}' href='data:{mime};base64,{b64}'>"
            f"⬇ {_e(_t('desk.download', lang))}：{_e(name)}</a>")


MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


class StepForm:
    """Widgets for one generic step, built from the step's payload fields."""

    def __init__(self, kind: str, cs: st.CaseState, lang: str, values: dict[str, Any] | None = None) -> None:
        self.kind = kind
        self.widgets: dict[str, w.Widget] = {}
        values = values or {}
        for f in st.payload_fields(kind):
            widget = self._make(f, cs, lang)
            if f.name in values:
                try:
                    widget.value = values[f.name]
                except Exception:  # noqa: BLE001 — an option that no longer exists keeps the default
                    pass
            widget.add_class(f"ftlib-step-{f.name.replace('_', '-')}")
            self.widgets[f.name] = widget
        self.box = w.VBox(list(self.widgets.values()))

    @staticmethod
    def _make(f: st.Field, cs: st.CaseState, lang: str) -> w.Widget:
        desc = _t(f"field.{f.name}", lang)
        if f.kind == "longtext":
            return w.Textarea(description=desc, value=f.default or "", style=STYLE, layout=WIDE)
        if f.kind == "bool":
            return w.Checkbox(description=desc, value=bool(f.default), indent=False)
        if f.kind == "tristate":
            return w.Dropdown(description=desc, options=[(_t("desk.unknown", lang), None), (_t("desk.yes", lang), True),
                                                         (_t("desk.no", lang), False)], value=None, style=STYLE)
        if f.kind == "choice":
            choices = sorted(cs.open_corrections) if f.name == "measure" else list(f.choices)
            opts = [(_t(f"value.{c}", lang) if c else "—", c) for c in choices]
            return w.Dropdown(description=desc, options=opts, value=choices[0] if choices else None, style=STYLE)
        return w.Text(description=desc, value=f.default or "", style=STYLE, layout=WIDE)

    def values(self) -> dict[str, Any]:
        return {k: wd.value for k, wd in self.widgets.items()}


class DecisionForm:
    """The collective decision: outcome, body, consultation, approval, attendance and votes,
    and the reason for a departure — with the engine's recommendation beside it."""

    def __init__(self, cs: st.CaseState, lang: str, review: bool = False) -> None:
        self.cs = cs
        self.review = review
        proc = cs.policy.procedure
        self.bodies = [proc.decision_body, *proc.consult] + ([proc.higher_approval] if proc.higher_approval else [])
        self.outcome = w.Dropdown(style=STYLE)
        self.body = w.Dropdown(style=STYLE)
        self.consulted = {b.id: w.Checkbox(value=True, indent=False) for b in proc.consult}
        self.approved = w.Dropdown(style=STYLE)
        self.total = w.BoundedIntText(value=0, min=0, max=999, style=STYLE)
        self.present = w.BoundedIntText(value=0, min=0, max=999, style=STYLE)
        self.votes_for = w.BoundedIntText(value=0, min=0, max=999, style=STYLE)
        self.against = w.BoundedIntText(value=0, min=0, max=999, style=STYLE)
        self.abstain = w.BoundedIntText(value=0, min=0, max=999, style=STYLE)
        self.reason = w.Textarea(style=STYLE, layout=WIDE)
        self.disposition = w.Dropdown(style=STYLE)
        # the handling actually imposed (its impact period follows it): only what the catalogue
        # allows on this case's track; a sanction never with an exemption
        track = (cs.row.facts or {}).get("track") or Case.model_fields["track"].default
        self.handling = {code: w.Checkbox(value=False, indent=False) for code, entry in handling_catalogue().items()
                         if entry.get("kind") != "organisation_aftercare"
                         and (not entry.get("tracks") or track in entry["tracks"])}
        self.handling_title = w.HTML()
        self.handling_box = w.VBox([])
        self.rules = w.HTML()
        for name, wd in (("outcome", self.outcome), ("body", self.body), ("approved-by", self.approved),
                         ("members-total", self.total), ("members-present", self.present),
                         ("votes-for", self.votes_for), ("votes-against", self.against),
                         ("votes-abstain", self.abstain), ("departure-reason", self.reason),
                         ("disposition", self.disposition)):
            wd.add_class(f"ftlib-dec-{name}")
        for code, wd in self.handling.items():
            wd.add_class(f"ftlib-dec-handling-{code.replace('_', '-')}")
        for bid, wd in self.consulted.items():
            wd.add_class(f"ftlib-dec-consulted-{bid.replace('_', '-')}")
        self.recommended = w.HTML()
        self.recommended.add_class("ftlib-recommendation")
        self.box = w.HBox([
            w.VBox([self.outcome, self.disposition, self.handling_title, self.handling_box, self.body,
                    *self.consulted.values(), self.approved, self.total, self.present,
                    self.votes_for, self.against, self.abstain, self.reason, self.rules],
                   layout=w.Layout(width="45%")),
            w.VBox([self.recommended], layout=w.Layout(width="55%", padding="0 0 0 8px"))])
        self.lang = lang
        self.engine_disposition: str | None = None
        self.outcome.observe(lambda _: self._outcome_changed(), names="value")
        self.relabel(lang)

    def _outcome_changed(self) -> None:
        """The dispositions and handling the chosen outcome allows (the register checks them again)."""
        outcome, lang = self.outcome.value, self.lang
        kept = self.disposition.value
        choices = [d for d in DISPOSITIONS if OUTCOME_OF[d] == outcome]
        self.disposition.options = [(label(f"disposition.{d}", lang), d) for d in choices]
        preferred = self.engine_disposition if self.engine_disposition in choices else DEFAULT_DISPOSITION.get(outcome)
        self.disposition.value = kept if kept in choices else (preferred if preferred in choices else
                                                               (choices[0] if choices else None))
        catalogue = handling_catalogue()
        shown = [code for code in self.handling if outcome != "exempt" or catalogue[code].get("with_exemption", True)]
        for code, wd in self.handling.items():
            if code not in shown:
                wd.value = False
        self.handling_box.children = [self.handling[c] for c in shown]
        self.handling_box.layout = w.Layout(display="flex", flex_flow="row wrap")

    def relabel(self, lang: str) -> None:
        self.lang = lang
        proc = self.cs.policy.procedure
        value = self.outcome.value
        self.outcome.options = [(label(f"outcome.{o}", lang), o) for o in OUTCOMES]
        if value in OUTCOMES:
            self.outcome.value = value
        b = self.body.value
        self.body.options = [(getattr(x, lang), x.id) for x in self.bodies]
        self.body.value = b if b in [x.id for x in self.bodies] else proc.decision_body.id
        a = self.approved.value
        opts = [("—", None)] + ([(getattr(proc.higher_approval, lang), proc.higher_approval.id)]
                                if proc.higher_approval else [])
        self.approved.options = opts
        self.approved.value = a if a in [v for _, v in opts] else (proc.higher_approval.id if proc.higher_approval
                                                                   else None)
        for name, wd in (("outcome", self.outcome), ("body", self.body), ("approved_by", self.approved),
                         ("members_total", self.total), ("members_present", self.present),
                         ("votes_for", self.votes_for), ("votes_against", self.against),
                         ("votes_abstain", self.abstain), ("departure_reason", self.reason)):
            wd.description = _t(f"field.{name}", lang)
        for b_ in proc.consult:
            self.consulted[b_.id].description = f"{_t('field.consulted', lang)}：{getattr(b_, lang)}"
        self.disposition.description = _t("field.disposition", lang)
        self.handling_title.value = f"<small>{_e(_t('field.handling_imposed', lang))}</small>"
        for code, wd in self.handling.items():
            wd.description = label(f"handling.{code}", lang)
            wd.layout = w.Layout(width="auto", margin="0 12px 0 0")
        self._outcome_changed()
        consult = "、".join(getattr(x, lang) for x in proc.consult) or _t("desk.none", lang)
        self.rules.value = (f"<small class='ftlib-decision-rules'>{_e(_t('desk.decision_rules', lang, body=getattr(proc.decision_body, lang), consult=consult, quorum=f'{proc.quorum:.0%}'))}"
                            f"<br>{_e(_t('desk.rules_ok', lang))}</small>")

    def show_recommendation(self, case_id: str, on: dt.date, lang: str, url: str | None) -> None:
        try:
            det = st.recommendation(case_id, on, url)
        except FtlibError as err:
            self.recommended.value = views.error_html(err, lang)
            return
        self.engine_disposition = det.disposition
        if self.outcome.value is None or getattr(self, "_for", None) != (case_id, on):
            self.outcome.value = det.outcome if det.outcome in OUTCOMES else self.outcome.value
            self.disposition.value = None if det.disposition not in [v for _, v in self.disposition.options] \
                else det.disposition
            self._outcome_changed()
        self._for = (case_id, on)
        self.recommended.value = (f"<div class='ftlib-recommended' data-outcome='{_e(det.outcome)}'>"
                                  f"<h4>{_e(_t('desk.recommendation', lang))}</h4>"
                                  f"{views.outcome_html(det, lang, ids=False)}{views.corrections_html(det, lang, ids=False)}"
                                  f"<details class='ftlib-reasons-box'><summary>{_e(_t('desk.reasons', lang))}</summary>"
                                  f"<div style='max-height:600px;overflow:auto'>{views.reasons_html(det, lang)}</div>"
                                  f"</details></div>")

    def decision(self) -> dict[str, Any]:
        return {"body": self.body.value, "outcome": self.outcome.value,
                "consulted": [b for b, wd in self.consulted.items() if wd.value],
                "approved_by": self.approved.value, "members_total": self.total.value,
                "members_present": self.present.value, "votes_for": self.votes_for.value,
                "votes_against": self.against.value, "votes_abstain": self.abstain.value,
                "departure_reason": self.reason.value.strip() or None, "disposition": self.disposition.value,
                "handling_imposed": [c for c, wd in self.handling.items() if wd.value] or None}


class CaseDesk:
    def __init__(self, url: str | None = None, lang: str = "zh", today: dt.date | None = None) -> None:
        self.url = url
        self.startup_error = ensure_register(url)
        self.lang = lang
        self.today = today
        self.case_id: str | None = None
        self.cs: st.CaseState | None = None
        self.form: StepForm | None = None
        self.decision: DecisionForm | None = None
        identity = st.server_identity()
        self.lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
        self.lang_w.add_class("ftlib-lang")
        self.title = w.HTML()
        self.user = w.Text(style=STYLE, value=identity or "", disabled=bool(identity))
        self.user.add_class("ftlib-desk-user")
        # open or start a case
        self.pick = w.Combobox(options=self._case_options(), ensure_option=False, style=STYLE)
        self.pick.add_class("ftlib-desk-pick")
        self.open_b = w.Button()
        self.open_b.add_class("ftlib-desk-open")
        self.new_b = w.ToggleButton(value=False)
        self.new_b.add_class("ftlib-desk-new")
        self.facts = FactForm(lang)
        self.cadre = w.Text(style=STYLE)
        self.cadre.add_class("ftlib-new-cadre")
        self.channel = w.Dropdown(style=STYLE)
        self.channel.add_class("ftlib-new-channel")
        self.received = w.DatePicker(style=STYLE, value=today or dt.date.today())
        self.received.add_class("ftlib-new-received")
        self.notice = w.DatePicker(style=STYLE, value=None)
        self.notice.add_class("ftlib-new-notice")
        self.window = w.HTML()
        self.window.add_class("ftlib-new-window")
        self.new_actor = w.Text(style=STYLE)
        self.new_actor.add_class("ftlib-new-actor")
        self.start_b = w.Button(button_style="primary")
        self.start_b.add_class("ftlib-desk-start")
        self.new_box = w.VBox([self.facts.box, w.HBox([self.cadre, self.channel]), w.HBox([self.received,
                                                                                             self.new_actor]),
                               w.HBox([self.notice, self.window]), self.start_b], layout=w.Layout(display="none", border="1px solid #ccc", padding="4px"))
        # the case
        self.header = w.HTML()
        self.header.add_class("ftlib-desk-header")
        self.deadlines = w.HTML()
        self.deadlines.add_class("ftlib-desk-deadlines")
        self.step = w.Dropdown(style=STYLE)
        self.step.add_class("ftlib-desk-step")
        self.at = w.DatePicker(style=STYLE, value=today or dt.date.today())
        self.at.add_class("ftlib-step-at")
        self.actor = w.Text(style=STYLE)
        self.actor.add_class("ftlib-step-actor")
        self.form_box = w.VBox()
        self.record_b = w.Button(button_style="primary")
        self.record_b.add_class("ftlib-desk-record")
        self.status = w.HTML()
        self.status.add_class("ftlib-desk-status")
        self.timeline = w.HTML()
        self.timeline.add_class("ftlib-desk-timeline")
        self.doc_kind = w.Dropdown(style=STYLE)
        self.doc_kind.add_class("ftlib-doc-kind")
        self.docx_b = w.Button()
        self.docx_b.add_class("ftlib-doc-docx")
        self.pdf_b = w.Button()
        self.pdf_b.add_class("ftlib-doc-pdf")
        self.doc_out = w.HTML()
        self.doc_out.add_class("ftlib-doc-out")
        self.case_box = w.VBox([self.header, self.deadlines, w.HTML("<hr>"), self.step, w.HBox([self.at, self.actor]),
                                self.form_box, self.record_b, self.status, w.HTML("<hr>"), self.timeline,
                                w.HTML("<hr>"), w.HBox([self.doc_kind, self.docx_b, self.pdf_b]), self.doc_out],
                               layout=w.Layout(display="none"))
        self.open_b.on_click(self._on_open)
        self.new_b.observe(self._on_new, names="value")
        self.start_b.on_click(self._on_start)
        self.step.observe(self._on_step, names="value")
        self.at.observe(self._on_at, names="value")
        self.record_b.on_click(self._on_record)
        self.docx_b.on_click(lambda _: self._on_doc("docx"))
        self.pdf_b.on_click(lambda _: self._on_doc("pdf"))
        self.lang_w.observe(self._on_lang, names="value")
        self.facts.widgets["jurisdiction"].observe(lambda _: self._channels(), names="value")
        self.facts.widgets["conduct_date"].observe(lambda _: self._channels(), names="value")
        self.channel.observe(lambda _: self._window(), names="value")
        self.box = w.VBox([self.lang_w, self.title, self.user, w.HBox([self.pick, self.open_b, self.new_b]),
                           self.new_box, self.case_box])
        self.box.add_class("ftlib-desk")
        self._relabel()
        if self.startup_error:
            self._error(self.status, FtlibError(self.startup_error))
            self.case_box.layout.display = "flex"

    # -- helpers -----------------------------------------------------------------------------------
    def _case_options(self) -> list[str]:
        try:
            return st.recent_cases(self.url)
        except FtlibError:
            return []

    def _channels(self) -> None:
        """Only the channels the policy in force allows (application by cadre or unit, ex officio)."""

        lang = self.lang
        try:
            values = self.facts.values()
            policy = policy_for(values["jurisdiction"], values["conduct_date"])
            starts = list(policy.procedure.starts)
        except (FtlibError, KeyError, TypeError):
            starts = []
        value = self.channel.value
        self.channel.options = [(_t(f"channel.{c}", lang), c) for c in starts]
        if value in starts:
            self.channel.value = value
        self._window()

    def _policy_of_form(self):
        try:
            values = self.facts.values()
            return policy_for(values["jurisdiction"], values["conduct_date"])
        except (FtlibError, KeyError, TypeError):
            return None

    def _window(self) -> None:
        """The policy's application window beside the notice date (asked for applications only)."""
        lang = self.lang
        policy = self._policy_of_form()
        applying = self.channel.value in st.APPLICATIONS
        self.notice.layout.display = "flex" if applying else "none"
        if policy is None or not applying:
            self.window.value = ""
            return
        n = policy.procedure.application_window_working_days
        words = (_t("window.application", lang, n=n, policy=getattr(policy.name, lang)) if n
                 else _t("window.application_none", lang))
        self.window.value = (f"<div class='ftlib-window' data-days='{n or ''}'>{_e(words)}"
                             f"<br><small>{_e(_t('window.notice_hint', lang))}</small></div>")

    def _error(self, target: w.HTML, err: Exception, policy: Any = None) -> None:
        """Why a step was not recorded, in the reader's language; the register's own line one click
        away for whoever maintains the register."""
        policy = policy if policy is not None else self.cs.policy if self.cs is not None else None
        code = getattr(err, "code", None) or describe(str(err))[0]
        target.value = (f"<div class='ftlib-desk-error' data-ok='false' data-code='{_e(code)}' style='color:#b3261e'>"
                        f"<b>{_e(_t('desk.error', self.lang))}</b>：{_e(refusal_text(err, self.lang, policy))}"
                        f"<details style='color:#555'><summary><small>{_e(_t('desk.technical', self.lang))}</small>"
                        f"</summary><small lang='en'>{_e(err)}</small></details></div>")

    # -- events ------------------------------------------------------------------------------------
    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self.facts.relabel(self.lang)
        self._relabel()
        if self.case_id:
            self.refresh(keep_form=True)

    def _on_new(self, change: dict) -> None:
        self.new_box.layout.display = "flex" if change["new"] else "none"

    def _on_open(self, _: Any = None) -> None:
        self.open_case((self.pick.value or "").strip())

    def _on_start(self, _: Any = None) -> None:
        try:
            case_id = st.open_new_case(self.facts.values(), channel=self.channel.value, received_on=self.received.value,
                                       actor=self.new_actor.value.strip(), cadre_id=self.cadre.value.strip(),
                                       recorded_by=self.user.value, url=self.url, notice_on=self.notice.value)
        except (FtlibError, ValueError) as err:
            self._error(self.status, err, self._policy_of_form())
            self.case_box.layout.display = "flex"
            return
        self.new_b.value = False
        self.pick.options = self._case_options()
        self.pick.value = case_id
        self.open_case(case_id)
        self.status.value = (f"<div class='ftlib-desk-ok' data-ok='true' data-kind='started'>"
                             f"{_e(_t('desk.started_ok', self.lang, id=case_id))}</div>")

    def _on_step(self, _: Any = None) -> None:
        if not getattr(self, "_quiet", False):
            self._build_form()

    def _on_at(self, _: Any = None) -> None:
        if self.decision is not None and self.at.value and self.case_id:
            self.decision.show_recommendation(self.case_id, self.at.value, self.lang, self.url)

    def _on_record(self, _: Any = None) -> None:
        kind = self.step.value
        if not kind or not self.case_id:
            return
        try:
            if self.at.value is None:
                raise FtlibError(f"{kind}: field at: value None: give the date (YYYY-MM-DD)")
            if kind in st.DECISION_KINDS:
                event = st.record_decision_step(self.case_id, on=self.at.value, actor=self.actor.value.strip(),
                                                recorded_by=self.user.value, review=kind == "review_decided",
                                                url=self.url, **self.decision.decision())
            else:
                event = st.record_step(self.case_id, kind, self.at.value, self.actor.value.strip(),
                                       self.form.values() if self.form else {}, self.user.value, self.url)
        except FtlibError as err:
            self._error(self.status, err)
            return
        self.refresh()
        self.status.value = (f"<div class='ftlib-desk-ok' data-ok='true' data-kind='{_e(event.kind)}' "
                             f"data-seq='{event.seq}'>✓ {_e(_t('desk.recorded_ok', self.lang, kind=_t('event.' + event.kind, self.lang), seq=event.seq))}</div>")

    def _on_doc(self, fmt: str) -> None:

        kind = self.doc_kind.value
        if not kind or not self.case_id:
            return
        try:
            name, data = document_bytes(self.case_id, kind, fmt, self.url)
        except FtlibError as err:
            self._error(self.doc_out, err)
            return
        self.doc_out.value = download_link(name, data, MIME[fmt], self.lang)

    # -- showing a case ----------------------------------------------------------------------------
    def open_case(self, case_id: str) -> None:
        try:
            st.case_state(case_id, self.url)
        except FtlibError as err:
            self._error(self.status, err)
            self.case_box.layout.display = "flex"
            self.header.value = ""
            return
        self.case_id = case_id
        self.status.value = ""
        self.doc_out.value = ""
        self.refresh()
        self.case_box.layout.display = "flex"

    def refresh(self, keep_form: bool = False) -> None:
        lang = self.lang
        self.cs = cs = st.case_state(self.case_id, self.url)
        pol = cs.policy
        state = cs.state or "none"
        banner = (f"<div class='ftlib-illustrative' style='color:#b3261e'>{_e(_t('desk.illustrative', lang))}</div>"
                  if pol.status == "illustrative" else "")
        self.header.value = (
            f"<div class='ftlib-desk-case' data-case='{_e(cs.case_id)}' data-state='{_e(state)}'>{banner}"
            f"<h3>{_e(cs.case_id)}（{_e(_t('channel.' + cs.row.channel, lang))}，{_e(cs.row.received_on)}）</h3>"
            f"<div>{_e(_t('desk.policy', lang))}：{_e(getattr(pol.name, lang))}</div>"
            f"<div>{_e(_t('desk.current', lang))}：<b class='ftlib-desk-state'>{_e(_t('state.' + state, lang))}</b></div></div>")
        self.deadlines.value = self._deadlines_html()
        allowed = st.allowed_steps(cs)
        current = self.step.value
        self._quiet = True  # new options reset the value: the form is rebuilt (or kept) below, once
        try:
            self.step.options = [(_t("desk.pick_step", lang), None)] + [(_t(f"event.{k}", lang), k) for k in allowed]
            self.step.value = current if current in allowed and keep_form else None
        finally:
            self._quiet = False
        self.record_b.disabled = not allowed
        if not allowed:
            self.status.value = f"<div class='ftlib-desk-none'>{_e(_t('desk.no_steps', lang))}</div>"
        self._build_form(keep=keep_form)
        self.timeline.value = self._timeline_html()

        try:
            kinds = available(load_case_file(self.case_id, self.url))
        except FtlibError:
            kinds = []
        self.doc_kind.options = [(_t(f"document.{k}", lang), k) for k in kinds]
        self.docx_b.disabled = self.pdf_b.disabled = not kinds

    def _build_form(self, keep: bool = False) -> None:
        kind = self.step.value
        if keep and kind in st.DECISION_KINDS and self.decision is not None:  # a new language: keep what was typed
            self.decision.relabel(self.lang)
            if self.at.value:
                self.decision.show_recommendation(self.case_id, self.at.value, self.lang, self.url)
            return
        values = self.form.values() if (keep and self.form is not None) else None
        self.form = None
        self.decision = None
        if not kind or self.cs is None:
            self.form_box.children = []
            return
        if kind in st.DECISION_KINDS:
            self.decision = DecisionForm(self.cs, self.lang, review=kind == "review_decided")
            self.form_box.children = [self.decision.box]
            if self.at.value:
                self.decision.show_recommendation(self.case_id, self.at.value, self.lang, self.url)
        else:
            self.form = StepForm(kind, self.cs, self.lang, values)
            self.form_box.children = [self.form.box]

    def _deadlines_html(self) -> str:
        lang = self.lang
        try:
            rows = deadlines_of(self.case_id, self.url, self.today)
        except FtlibError as err:
            return views.error_html(err, lang)
        colour = {"kept": "#1a7f37", "missed": "#b00", "open_overdue": "#b00", "open": "#555", "appealed": "#555",
                  "lapsed": "#555"}
        body = []
        for d in rows:
            key, figures = d.words_key()
            body.append(
                f"<tr class='ftlib-deadline' data-what='{_e(d.what)}' data-due='{d.due.isoformat()}' "
                f"data-status='{d.status}' data-left='{'' if d.left is None else d.left}'>"
                f"<td>{_e(_t('stage.' + d.what, lang))}{('：' + _e(d.detail)) if d.detail else ''}</td>"
                f"<td>{_e(d.since)}</td><td>{d.working_days}</td><td><b>{_e(d.due)}</b></td><td>{_e(d.done or '')}</td>"
                f"<td class='ftlib-deadline-words' style='color:{colour[d.status]}'>"
                f"{_e(_t('deadline.' + key, lang, **figures))}</td><td><small>{_e(d.warning)}</small></td></tr>")
        head = "".join(f"<th>{_e(_t('desk.col_' + c, lang))}</th>" for c in ("stage", "since", "days", "due", "done",
                                                                           "status"))
        return (f"<h4>{_e(_t('desk.deadlines', lang))}</h4><table class='ftlib-table'><tr>{head}<th></th></tr>"
                f"{''.join(body)}</table>")

    def _timeline_html(self) -> str:
        lang = self.lang
        events = st.events_of(self.case_id, self.url)
        rows = "".join(
            f"<tr class='ftlib-event' data-kind='{_e(e.kind)}' data-seq='{e.seq}' data-at='{e.at.isoformat()}'>"
            f"<td>{e.seq}</td><td>{_e(e.at)}</td><td>{_e(_t('event.' + e.kind, lang))}</td><td>{_e(e.actor)}</td>"
            f"<td class='ftlib-recorded-by'>{_e(e.recorded_by or '')}</td><td><small>{_e(_detail(e.payload, lang))}</small></td></tr>"
            for e in events)
        head = "".join(f"<th>{_e(_t('desk.col_' + c, lang))}</th>"
                       for c in ("seq", "at", "kind", "actor", "recorded_by", "detail"))
        return f"<h4>{_e(_t('desk.timeline', lang))}</h4><table class='ftlib-table'><tr>{head}</tr>{rows}</table>"

    def _relabel(self) -> None:
        lang = self.lang
        self.title.value = f"<h2>{_e(_t('desk.title', lang))}</h2>"
        identity = st.server_identity()
        self.user.description = _t("desk.user", lang)
        self.user.placeholder = _t("desk.user_missing", lang) if not identity else ""
        self.pick.description = _t("desk.case_id", lang)
        self.open_b.description = _t("desk.open_case", lang)
        self.new_b.description = _t("desk.new_case", lang)
        self.cadre.description = _t("desk.cadre_id", lang)
        self.channel.description = _t("desk.channel", lang)
        self.received.description = _t("desk.received_on", lang)
        self.notice.description = _t("field.notice_on", lang)
        self.new_actor.description = _t("field.actor", lang)
        self.start_b.description = _t("desk.start", lang)
        self.step.description = _t("desk.next_step", lang)
        self.at.description = _t("field.at", lang)
        self.actor.description = _t("field.actor", lang)
        self.record_b.description = _t("desk.record", lang)
        self.doc_kind.description = _t("desk.documents", lang)
        self.docx_b.description = f"{_t('desk.make', lang)} .docx"
        self.pdf_b.description = f"{_t('desk.make', lang)} PDF"
        self._channels()
        if self.decision is not None:
            self.decision.relabel(lang)


def ensure_register(url: str | None) -> str | None:
    """Create the register if there is none yet (the desk writes to it), so a new user can start a
    case at once; a database that is not an ftlib register is left alone. Returns the one-line
    error, if any."""

    try:
        if db.status(url)[0] in ("missing", "empty"):
            db.upgrade(url)
        db.require_current(url)
    except FtlibError as err:
        return str(err)
    return None


def _detail(payload: dict[str, Any] | None, lang: str) -> str:
    if not payload:
        return ""
    keys = ("channel", "notice_on", "reason", "team", "findings", "outcome", "engine_outcome", "departure_reason", "to", "grounds",
            "measure", "source", "method", "to_body", "note")
    parts = []
    for k in keys:
        v = payload.get(k)
        if v in (None, "", []):
            continue
        if k in ("outcome", "engine_outcome"):
            v = label(f"outcome.{v}", lang)
        elif k == "channel":
            v = _t(f"channel.{v}", lang)
        parts.append(f"{_t('field.' + k, lang)}={v}")
    return "; ".join(parts)


def app(url: str | None = None, lang: str = "zh") -> CaseDesk:
    """Build and display the case desk (the notebook's only call)."""
    from IPython.display import display

    desk = CaseDesk(url, lang)
    display(desk.box)
    return desk
