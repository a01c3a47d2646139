"""A document's content (``ftlib.documents.context``) as .docx, HTML or PDF.

.docx: the kind's template ``ftlib/data/templates/<kind>.docx`` filled by docxtpl (edit the
template in Word or WPS to change the layout; the placeholders are ``{{ organ }}``,
``{{ number }}``, ``{{ title }}``, ``{{ addressee }}``, the loop over ``sections``, ``table``,
``{{ signature }}``, ``{{ date }}`` and the illustrative banner). PDF: the same content through
``document.html.j2`` (Jinja2, A4, CJK fonts) printed by headless Chromium (``ftlib.pdf``)."""

# Imports inside functions: docxtpl and Jinja2 are imported only when a document is written.

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from ftlib.documents.context import BUILDERS, build
from ftlib.documents.record import CaseFile, load_case_file
from ftlib.errors import FtlibError
from ftlib.pdf import html_to_pdf
from ftlib.resources import data_path

KINDS: tuple[str, ...] = tuple(BUILDERS)
FORMATS = ("docx", "pdf", "html")


def template_path(kind: str) -> Path:
    return data_path("templates", f"{kind}.docx")


def docx_bytes(ctx: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template_path(ctx["kind"])))
    tpl.render(ctx, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def html_text(ctx: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(data_path("templates"))), autoescape=select_autoescape(["j2"]))
    return env.get_template("document.html.j2").render(**ctx)


def pdf_bytes(ctx: dict[str, Any]) -> bytes:

    with tempfile.TemporaryDirectory(prefix="ftlib-doc-") as tmp:
        out = html_to_pdf(html_text(ctx), Path(tmp) / "document.pdf")
        return out.read_bytes()


def render(ctx: dict[str, Any], fmt: str) -> bytes:
    if fmt == "docx":
        return docx_bytes(ctx)
    if fmt == "pdf":
        return pdf_bytes(ctx)
    if fmt == "html":
        return html_text(ctx).encode("utf-8")
    raise FtlibError(f"format {fmt!r}: not one of {', '.join(FORMATS)}")


def file_name(ctx: dict[str, Any], fmt: str) -> str:
    """A download name: case id and document title, e.g. ``T-1_容错纠错认定意见.docx``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in ctx["case_id"])
    return f"{safe}_{ctx['title']}.{fmt}"


def document_bytes(case: str | CaseFile, kind: str, fmt: str, url: str | None = None) -> tuple[str, bytes]:
    """(file name, content) of one document of a case in the register."""
    if kind not in KINDS:
        raise FtlibError(f"--kind: value {kind!r}: not one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise FtlibError(f"format {fmt!r}: not one of {', '.join(FORMATS)}")
    cf = case if isinstance(case, CaseFile) else load_case_file(case, url)
    ctx = build(cf, kind)
    return file_name(ctx, fmt), render(ctx, fmt)


def write_document(case_id: str, kind: str, to: str | Path, url: str | None = None) -> Path:
    """Write a document to ``to``; the format is the file's suffix (.docx, .pdf or .html)."""
    to = Path(to)
    fmt = to.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise FtlibError(f"--to: value {str(to)!r}: name a .docx, .pdf or .html file")
    if to.exists() and to.is_dir():
        raise FtlibError(f"--to: value {str(to)!r}: is a folder; name a file")
    _, data = document_bytes(case_id, kind, fmt, url)
    to.parent.mkdir(parents=True, exist_ok=True)
    staged = to.with_name(f".{to.name}.tmp")
    staged.write_bytes(data)
    staged.replace(to)
    return to
