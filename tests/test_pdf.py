"""ftlib.pdf: HTML → PDF through headless Chromium, read back with pdftotext (poppler-utils)."""

import shutil
import subprocess

import pytest

from ftlib.errors import FtlibError
from ftlib.pdf import html_to_pdf

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftotext") is None,
                                reason="needs Debian chromium and poppler-utils")

PAGE = ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>@page{size:A4;margin:15mm}"
        "section{break-before:page}</style></head><body><h1>容错纠错 第一节</h1>"
        "<section><h2>第二节 Second section</h2></section></body></html>")


def pdf_text(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_string_to_a4_pdf_with_chinese_text_and_page_breaks(tmp_path):
    pdf = html_to_pdf(PAGE, tmp_path / "out" / "r.pdf")
    pages = pdf_text(pdf)
    assert len(pages) == 2  # the section rule breaks the page once
    assert "容错纠错 第一节" in pages[0] and "第二节 Second section" in pages[1]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = [ln.split()[-5] for ln in fonts.splitlines()[2:]]
    assert embedded and set(embedded) == {"yes"}  # every font in the file is embedded
    assert [p.name for p in pdf.parent.iterdir()] == ["r.pdf"]  # no temporary file left beside it


def test_file_to_pdf_and_missing_file(tmp_path):
    src = tmp_path / "p.html"
    src.write_text(PAGE, encoding="utf-8")
    assert "第一节" in pdf_text(html_to_pdf(src, tmp_path / "p.pdf"))[0]
    with pytest.raises(FtlibError, match="nope.html: no such HTML file"):
        html_to_pdf(tmp_path / "nope.html", tmp_path / "x.pdf")
