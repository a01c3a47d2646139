"""01 案例构建器 / case builder: build a hypothetical case with widgets grouped by the six
assessment factors, or load one from the typical-case library; on every change show the
outcome, the reasons with each clause's text, the corrections and after-care, the same case
under the other bundled policies, and what would change the outcome. The case is saved as a
YAML file that ``ftlib determine FILE`` accepts by a download to the visitor's own computer, and a
case file or an Excel sheet of cases is loaded by an upload from it (ftlib.ui.files): the server
keeps no file of any visitor."""

# Imports inside functions: a Voilà kernel's start-up time: pandas and IPython display load when the page is drawn.

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ipywidgets as w
import yaml

from ftlib.engine import compare, determine
from ftlib.errors import FtlibError
from ftlib.explain import counterfactuals
from ftlib.facts import Case, FactError, case_from_dict, cases_from_frame, flatten, load_case
from ftlib.i18n import LANG_OPTIONS
from ftlib.library import library
from ftlib.policy.loader import PolicySet, bundled
from ftlib.ui import files, views
from ftlib.ui.forms import FactForm
from ftlib.ui.labels import text


def case_yaml(case: Case) -> str:
    """The case as a YAML case file (nested facts, dates as ISO text, unset options left out)."""
    data = case.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def read_cases(path: Path) -> list[Case]:
    """The cases in a case file (.yaml/.yml/.json: one case) or an Excel sheet (.xlsx: one case a
    row, fact names as column headers, as ``ftlib.convert.cases_to_frame`` writes them); errors are
    the CLI's one line naming the file, row and field."""

    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return [load_case(path)]
    if suffix != ".xlsx":
        raise FactError(f"{path.name}: unknown file type {path.suffix!r} (use .yaml, .json or .xlsx)")
    import pandas as pd

    try:
        df = pd.read_excel(path, sheet_name=0, dtype=object)
    except Exception as err:  # noqa: BLE001 — a broken workbook is bad input, not a crash
        raise FactError(f"{path.name}: not a readable Excel workbook ({type(err).__name__})") from None
    if df.empty:
        raise FactError(f"{path.name}: the first sheet has no cases")
    return cases_from_frame(df, path.name)


def save_case(case: Case, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(case_yaml(case), encoding="utf-8")
    return path


def _library_options(lang: str) -> list[tuple[str, str]]:
    opts = [(text("hypothetical", lang), "")]
    for item in library():
        if item.case is None:
            continue
        title = item.meta.get("title", {}).get(lang) or item.case.id
        opts.append((f"{item.case.id} — {title}", str(item.path)))
    return opts


class CaseBuilder:
    """The app's state and widgets. ``update()`` recomputes every view from the form."""

    def __init__(self, lang: str = "zh", policies: PolicySet | None = None, max_changes: int = 3) -> None:
        self.policies = policies or bundled()
        self.lang = lang
        self.max_changes = max_changes
        self.case: Case | None = None
        self.last_update_ms = 0.0
        self._busy = False
        self.form = FactForm(lang)
        self.lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
        self.library_w = w.Dropdown(options=_library_options(lang), value="", layout=w.Layout(width="95%"),
                                    style={"description_width": "initial"})
        self.cf_mode = w.ToggleButtons(options=[(text("cf_all", lang), "all"),
                                                (text("still_possible", lang), "what_can_still_be_done")],
                                       value="all", style={"description_width": "initial"})
        self.save_button = w.Button()
        self.save_button.add_class("ftlib-save")
        self.save_status = w.HTML()
        self.upload_label = w.HTML()
        self.upload = files.upload_widget(".yaml,.yml,.json,.xlsx")
        self.upload.add_class("ftlib-upload")
        self.upload_status = w.HTML()
        self.uploaded_w = w.Dropdown(options=[], layout=w.Layout(width="95%", display="none"),
                                     style={"description_width": "initial"})
        self.uploaded_cases: list[Case] = []
        self.outcome = w.HTML()
        self.reasons = w.HTML()
        self.corrections = w.HTML()
        self.comparison = w.HTML()
        self.counterfactuals = w.HTML()
        for widget in [self.outcome, self.reasons, self.corrections, self.comparison, self.counterfactuals]:
            widget.add_class("ftlib-view")
        self.outcome.add_class("ftlib-outcome-box")
        self.lang_w.add_class("ftlib-lang")

        for widget in self.form.widgets.values():
            widget.observe(self._changed, names="value")
        self.cf_mode.observe(self._changed, names="value")
        self.lang_w.observe(self._on_lang, names="value")
        self.library_w.observe(self._on_library, names="value")
        self.save_button.on_click(self._on_save)
        self.upload.observe(self._on_upload, names="value")
        self.uploaded_w.observe(self._on_uploaded_pick, names="value")

        results = w.VBox([self.outcome, self.corrections, self.comparison,
                          w.VBox([self.cf_mode, self.counterfactuals]), self.reasons])
        self.widget = w.VBox([
            w.HBox([self.lang_w]), self.library_w,
            w.HBox([self.upload_label, self.upload]), self.upload_status, self.uploaded_w, self.form.box,
            w.HBox([self.save_button]), self.save_status, results,
        ])
        self._relabel()
        self.update()

    # -- events -------------------------------------------------------------------------------
    def _changed(self, _: Any = None) -> None:
        if not self._busy:
            self.update()

    def _on_lang(self, change: dict) -> None:
        self.lang = change["new"]
        self._busy = True
        try:
            self.form.relabel(self.lang)
            self._relabel()
        finally:
            self._busy = False
        self.update()

    def _on_library(self, change: dict) -> None:
        if change["new"]:
            self.load(change["new"])

    def _on_save(self, _: Any = None) -> None:
        try:
            name, data = self.case_file()
        except FtlibError as err:
            self.save_status.value = views.error_html(err, self.lang)
            return
        self.save_status.value = (f"<span class='ftlib-saved'>{views.e(text('download_ready', self.lang))} "
                                  f"{files.download_html(data, name, text('download', self.lang, name=name))}</span>")

    def _on_upload(self, _: Any = None) -> None:
        try:
            got = files.uploaded(self.upload)
            if got is None:
                return
            name, content = got
            cases = files.read_upload(name, content, read_cases)
        except FtlibError as err:
            self.upload_status.value = views.error_html(err, self.lang)
            return
        self.uploaded_cases = cases
        self.upload_status.value = (f"<span class='ftlib-uploaded'>"
                                    f"{views.e(text('uploaded', self.lang, name=name, n=len(cases)))}</span>")
        self._busy = True
        try:
            self.uploaded_w.options = [(c.id, i) for i, c in enumerate(cases)]
            self.uploaded_w.value = 0
        finally:
            self._busy = False
        self.uploaded_w.layout.display = "" if len(cases) > 1 else "none"
        self.load_case(cases[0])

    def _on_uploaded_pick(self, change: dict) -> None:
        if not self._busy and change["new"] is not None:
            self.load_case(self.uploaded_cases[change["new"]])

    def _relabel(self) -> None:
        lang = self.lang
        self.library_w.description = text("load_case", lang)
        FactForm._set_options(self.library_w, _library_options(lang))
        FactForm._set_options(self.cf_mode, [(text("cf_all", lang), "all"),
                                             (text("still_possible", lang), "what_can_still_be_done")])
        self.cf_mode.description = text("cf_mode", lang)
        self.save_button.description = text("save", lang)
        self.upload_label.value = f"<span>{views.e(text('upload_case', lang))}</span>"
        self.upload.description = text("upload_button", lang)
        self.uploaded_w.description = text("uploaded_cases", lang)

    # -- actions ------------------------------------------------------------------------------
    def load(self, path: str | Path) -> None:
        """Fill the form from a library case file (or any case file)."""

        self.load_case(load_case(path))

    def load_case(self, case: Case) -> None:
        """Fill the form from ``case``."""
        self._busy = True
        try:
            self.form.set_values(flatten(case.model_dump()))
        finally:
            self._busy = False
        self.update()

    def case_file(self) -> tuple[str, str]:
        """(file name, YAML text) of the case in the form, refused as ``ftlib determine`` would."""
        case = case_from_dict(self.form.values(), "form")
        determine(case, policies=self.policies)  # what `ftlib determine FILE` would refuse, refuse here
        return f"{files.safe_name(case.id)}.yaml", case_yaml(case)

    def save(self, path: str | Path) -> Path:
        """Write the case file to ``path`` (for scripts; the app offers it as a download)."""
        name, data = self.case_file()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data, encoding="utf-8")
        return path

    def update(self) -> None:
        t0 = time.perf_counter()
        lang = self.lang
        try:
            case = case_from_dict(self.form.values(), "form")
            det = determine(case, policies=self.policies)
            dets = compare(case, policy_set=self.policies)
            cf = counterfactuals(case, policies=self.policies, mode=self.cf_mode.value, max_changes=self.max_changes)
        except FtlibError as err:
            self.case = None
            self.outcome.value = views.error_html(err, lang)
            for widget in (self.reasons, self.corrections, self.comparison, self.counterfactuals):
                widget.value = ""
            self.last_update_ms = (time.perf_counter() - t0) * 1000
            return
        self.case, self.determination, self.comparison_dets, self.cf = case, det, dets, cf
        self.outcome.value = views.outcome_html(det, lang)
        self.reasons.value = views.reasons_html(det, lang)
        self.corrections.value = views.corrections_html(det, lang)
        self.comparison.value = views.comparison_html(dets, det.policy.id, lang)
        self.counterfactuals.value = views.counterfactuals_html(cf, lang)
        self.last_update_ms = (time.perf_counter() - t0) * 1000


def app(lang: str = "zh", **kw: Any) -> CaseBuilder:
    """Build and show the case builder; returns it (its ``widget`` is what is shown)."""
    from IPython.display import display

    builder = CaseBuilder(lang=lang, **kw)
    display(builder.widget)
    return builder
