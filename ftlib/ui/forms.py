"""A widget form for the fact vocabulary: one widget per fact, built from
:data:`ftlib.facts.VOCABULARY` (yes/no → checkbox, enum → dropdown, number → number box,
date → date picker, text → text box), laid out as the header and the six assessment factors
of ``ui_labels.yaml``. Relabels itself in zh or en without losing the values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from ftlib.facts import VOCABULARY, FactSpec
from ftlib.i18n import fact_label, factor_groups, value_label
from ftlib.regions import region_name, regions

STYLE = {"description_width": "initial"}

#: The form's starting case: a reform pilot done properly (exempt under CN-2019).
DEFAULTS: dict[str, Any] = {
    "id": "hypothetical-1", "title.zh": "", "title.en": "", "jurisdiction": "CN",
    "conduct_date": dt.date(2023, 3, 1), "decision_date": None, "subject.rank": "township",
    "scenario": "reform_pilot", "public_motive": True, "procedure.collective_decision": True,
    "procedure.followed": "full", "consequence.severity": "minor",
}


def css_class(name: str) -> str:
    return "ftlib-fact-" + name.replace(".", "-").replace("_", "-")


def _jurisdiction_options(lang: str, extra: str | None = None) -> list[tuple[str, str]]:
    codes = sorted(regions()) or ["CN"]
    if extra and extra not in codes:
        codes.append(extra)
    # by name, indented by level (codes sort parents before children): a reader never picks a code
    return [("\u3000" * c.count("-") + region_name(c, lang), c) for c in codes]


class FactForm:
    """Widgets for every fact; ``values()`` gives the dotted facts, ``set_values`` fills them."""

    def __init__(self, lang: str = "zh", facts: list[str] | None = None) -> None:
        """``facts``: only these facts, in one box (default: every fact, grouped)."""
        self.lang = lang
        self.widgets: dict[str, w.Widget] = {}
        self.only = facts
        for name, spec in VOCABULARY.items():
            if facts is not None and name not in facts:
                continue
            self.widgets[name] = self._make(name, spec)
            self.widgets[name].add_class(css_class(name))
        self.titles: dict[str, w.HTML] = {g: w.HTML() for g in factor_groups()}
        self.set_values({})
        self.relabel(lang)
        if facts is not None:
            self.header = w.VBox([self.widgets[f] for f in facts])
            self.factors = w.Box()
            self.box = self.header
            return
        boxes = []
        for gid, group in factor_groups().items():
            kids = [self.widgets[f] for f in group["facts"]]
            if gid == "header":  # identity, jurisdiction, dates, who: a compact wrapped row
                boxes.append(w.VBox([self.titles[gid], w.Box(kids, layout=w.Layout(flex_flow="row wrap"))],
                                    layout=w.Layout(border="1px solid #ddd", padding="4px", margin="2px")))
                continue
            boxes.append(w.VBox([self.titles[gid], *kids], layout=w.Layout(
                border="1px solid #ddd", padding="4px", margin="2px", min_width="300px", flex="1 1 300px")))
        self.header = boxes[0]
        self.factors = w.Box(boxes[1:], layout=w.Layout(display="flex", flex_flow="row wrap"))
        self.box = w.VBox([self.header, self.factors])

    def _make(self, name: str, spec: FactSpec) -> w.Widget:
        if name == "jurisdiction":
            return w.Dropdown(options=_jurisdiction_options(self.lang), style=STYLE)
        if spec.kind == "bool":
            return w.Checkbox(indent=False, style=STYLE)
        if spec.kind == "enum":
            return w.Dropdown(options=list(spec.values), style=STYLE)
        if spec.kind == "number":
            return w.BoundedFloatText(min=0, max=1e13, step=10000, style=STYLE)
        if spec.kind == "date":
            return w.DatePicker(style=STYLE)
        return w.Text(style=STYLE)

    def relabel(self, lang: str) -> None:
        self.lang = lang
        for name, widget in self.widgets.items():
            widget.description = fact_label(name, lang)
            spec = VOCABULARY[name]
            if name == "jurisdiction":
                self._set_options(widget, _jurisdiction_options(lang, widget.value))
            elif spec.kind == "enum":
                self._set_options(widget, [(value_label(name, v, lang), v) for v in spec.values])
        for gid, group in factor_groups().items():
            self.titles[gid].value = f"<b>{group['label'][lang]}</b>"

    @staticmethod
    def _set_options(widget: w.Dropdown, options: list[tuple[str, str]]) -> None:
        value = widget.value
        widget.options = options  # resets the selection to the first option …
        widget.value = value if value in [v for _, v in options] else options[0][1]  # … so restore it

    def values(self) -> dict[str, Any]:
        """The facts as a dotted dict (an empty optional date or title is left out)."""
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            v = widget.value
            if v is None or (VOCABULARY[name].kind == "text" and name != "id" and v == ""):
                continue
            out[name] = v
        return out

    def set_values(self, facts: dict[str, Any]) -> None:
        """Fill every widget: from ``facts`` (dotted), else the form's defaults, else the
        vocabulary's documented defaults."""
        for name, widget in self.widgets.items():
            spec = VOCABULARY[name]
            v = facts.get(name, DEFAULTS.get(name, spec.default))
            if name == "jurisdiction" and v not in [c for _, c in widget.options]:
                self._set_options(widget, _jurisdiction_options(self.lang, v))
            if spec.kind == "date" and isinstance(v, str):
                v = dt.date.fromisoformat(v)
            if spec.kind == "number":
                v = float(v or 0)
            if spec.kind == "text" and v is None:
                v = ""
            widget.value = v
