"""A language switch that needs no kernel: one radio button and one body per language, and CSS
that shows the body of the checked language. Works in Voilà, in a notebook and in a static file."""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import os
import re
from functools import cache
from importlib.resources import files
from urllib.parse import parse_qs

from ftlib.i18n import LANG_NAMES


@cache
def asset(name: str) -> str:
    """A file of ``ftlib/reports/assets`` (the page's stylesheet and script); read once a process,
    not once a page."""
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


def requested_lang(default: str = "zh") -> str:
    """The language the visitor chose on the page they came from: ``?lang=en`` in the address
    (Voilà hands the query string to the kernel as ``QUERY_STRING``); ``default`` otherwise."""

    from ftlib.i18n import LANGS

    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        try:  # a preheated kernel learns the address only when a visitor takes it
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception:  # noqa: BLE001 — no Voilà, or no request: the default language
            return default
    asked = parse_qs(os.environ.get("QUERY_STRING", "")).get("lang", [""])[0]
    return asked if asked in LANGS else default


def with_shown(page: str, lang: str) -> str:
    """A stored page with ``lang``'s radio button checked instead of the one it was stored with."""

    from ftlib.i18n import LANGS

    if lang not in LANGS:
        return page
    page = re.sub(r"(<input type='radio' name='[^']+-lang' id='[^']+' value='[a-z]+') checked>", r"\1>", page)
    return re.sub(rf"(<input type='radio' name='[^']+-lang' id='[^']+' value='{lang}')>", r"\1 checked>", page)
