"""Write the starting .docx templates of the case documents to ftlib/data/templates/.

Run once by a developer (`.venv/bin/python scripts/make_document_templates.py`); the files it
writes are committed and meant to be edited in Word or WPS afterwards (re-running overwrites
such edits). Layout after GB/T 9704 (党政机关公文格式): A4, margins 37/35/28/26 mm, the issuing
organ in red over a red rule, the document number, the title in 小标宋 二号, the body in
仿宋 三号 with a two-character first-line indent, headings in 黑体, the signature block and
date right-aligned. docxtpl fills the Jinja placeholders (see ftlib/documents/render.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parents[1] / "ftlib" / "data" / "templates"
RED = RGBColor(0xC0, 0x00, 0x00)
BODY, TITLE, HEAD = "仿宋", "方正小标宋简体", "黑体"


def font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def para(doc, text: str, *, name=BODY, size=16.0, bold=False, color=None, align=None, indent=False,
         space_after=0.0):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    font(p.add_run(text), name, size, bold, color)
    return p


def tag(doc, text: str):
    """A paragraph holding only a docxtpl ``{%p … %}`` tag (removed when rendered)."""
    return para(doc, text, size=10)


def red_rule(p) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in {"w:val": "single", "w:sz": "18", "w:space": "4", "w:color": "C00000"}.items():
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def template(kind: str, with_table: bool) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY)
    tag(doc, "{%p if illustrative %}")
    para(doc, "{{ banner }}", size=12, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    tag(doc, "{%p endif %}")
    para(doc, "{{ organ }}", name=TITLE, size=26, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    rule = para(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=18)
    red_rule(rule)
    para(doc, "{{ title }}", name=TITLE, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=18)
    para(doc, "{{ addressee }}")
    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    para(doc, "{{ s.heading }}", name=HEAD, indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for x in s.paras %}")
    para(doc, "{{ x }}", indent=True)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    if with_table:
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        row = table.rows[0].cells
        # docxtpl row loop: the row tagged {%tr … %} repeats once per item of ``table``.
        font(row[0].paragraphs[0].add_run("{%tr for r in table %}"), BODY, 10)
        table.add_row()
        cells = table.rows[1].cells
        font(cells[0].paragraphs[0].add_run("{{ r.label }}"), HEAD, 12)
        font(cells[1].paragraphs[0].add_run("{{ r.value }}"), BODY, 12)
        table.add_row()
        font(table.rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}"), BODY, 10)
        for r in table.rows:
            r.cells[0].width, r.cells[1].width = Mm(45), Mm(111)
    para(doc, "", space_after=24)
    para(doc, "{{ signature }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    tag(doc, "{%p if illustrative %}")
    para(doc, "{{ banner }}", size=10.5, color=RED, align=WD_ALIGN_PARAGRAPH.LEFT)
    tag(doc, "{%p endif %}")
    doc.core_properties.title = kind
    doc.core_properties.author = "ftlib"
    return doc


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for kind in ("acceptance", "refusal", "opinion", "feedback", "filing"):
        template(kind, with_table=kind == "filing").save(OUT / f"{kind}.docx")
        print(OUT / f"{kind}.docx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
