"""A language switch that needs no kernel: one radio button and one body per language, and CSS
that shows the body of the checked language. Works in Voilà, in a notebook and in a static file."""

from __future__ import annotations

from importlib.resources import files

from ftlib.i18n import LANG_NAMES


def asset(name: str) -> str:
    """A file of ``ftlib/reports/assets`` (the page's stylesheet and script)."""
    return (files("ftlib.reports") / "assets" / name).read_text(encoding="utf-8")


def switch_html(bodies: dict[str, str], shown: str, uid: str) -> str:
    """``bodies`` maps a language to its HTML; ``shown`` is checked first; ``uid`` is unique in the page."""
    radios = "".join(
        f"<input type='radio' name='{uid}-lang' id='{uid}-{lang}' value='{lang}'{' checked' if lang == shown else ''}>"
        f"<label for='{uid}-{lang}'>{LANG_NAMES[lang]}</label>" for lang in bodies)
    wrapped = "".join(f"<div class='ftlib-body' data-lang='{lang}' lang='{'zh-CN' if lang == 'zh' else lang}'>{body}</div>"
                      for lang, body in bodies.items())
    hide = "".join(f"#{uid}-{lang}:checked ~ .ftlib-body:not([data-lang='{lang}']) {{display: none}}" for lang in bodies)
    return f"<style>{asset('page.css')}{hide}</style><div class='ftlib-lang'>{radios}{wrapped}</div>"
