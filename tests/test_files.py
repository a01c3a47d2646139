"""Files through the browser (ftlib.ui.files): uploads read from memory with the CLI's one-line
errors naming the visitor's file; the class results file taken by 40 writers at once."""

import base64
import json
import multiprocessing as mp
import re

import pytest

from ftlib.convert import cases_to_frame
from ftlib.errors import FtlibError
from ftlib.facts import load_case
from ftlib.resources import data_path
from ftlib.ui import classfile, files
from ftlib.ui.case_builder import CaseBuilder, read_cases

CASE = data_path("cases", "c01-routine-filing-error.yaml")


class FakeUpload:
    def __init__(self, name: str, content: bytes):
        self.value = ({"name": name, "content": memoryview(content), "size": len(content)},)


def test_download_link_carries_the_bytes_under_a_safe_name():
    link = files.download_html("案例: 1\n", "../../etc/x?.yaml", "下载")
    name, data = re.search(r"download='([^']+)' href='data:application/x-yaml;base64,([^']+)'", link).groups()
    assert name == "x_.yaml" and base64.b64decode(data).decode("utf-8") == "案例: 1\n"


def test_upload_of_a_case_file_fills_the_form():
    b = CaseBuilder()
    b.upload = FakeUpload("mine.yaml", CASE.read_bytes())
    b._on_upload()
    assert "ftlib-uploaded" in b.upload_status.value and "mine.yaml" in b.upload_status.value
    assert b.case == load_case(CASE)


def test_upload_errors_are_the_cli_line_naming_the_visitors_file(tmp_path):
    bad = CASE.read_text(encoding="utf-8").replace("severity: minor", "severity: maybe")
    with pytest.raises(FtlibError) as err:
        files.read_upload("我的案例.yaml", bad.encode(), read_cases)
    msg = str(err.value)
    assert msg.startswith("我的案例.yaml") and "severity" in msg and "maybe" in msg
    assert "/tmp" not in msg and "\n" not in msg
    b = CaseBuilder()
    b.upload = FakeUpload("broken.yaml", b"case: [unclosed\n")
    b._on_upload()
    assert "ftlib-error" in b.upload_status.value and "broken.yaml: line" in b.upload_status.value
    b.upload = FakeUpload("sheet.xlsx", b"not a zip")
    b._on_upload()
    assert "sheet.xlsx: not a readable Excel workbook" in b.upload_status.value


def test_upload_of_an_excel_sheet_of_cases(tmp_path):
    lib = [load_case(p) for p in sorted(data_path("cases").glob("c0[1-3]*.yaml"))]
    sheet = tmp_path / "cases.xlsx"
    cases_to_frame(lib).to_excel(sheet, index=False)
    b = CaseBuilder()
    b.upload = FakeUpload("cases.xlsx", sheet.read_bytes())
    b._on_upload()
    assert "3 个案例" in b.upload_status.value
    assert [o[0] for o in b.uploaded_w.options] == [c.id for c in lib] and b.case == lib[0]
    b.uploaded_w.value = 2
    assert b.case == lib[2]
    # a bad cell names the sheet's row (1-based, header excluded) and the field
    df = cases_to_frame(lib).astype(object)
    df.loc[1, "consequence.severity"] = "huge"
    df.to_excel(sheet, index=False)
    with pytest.raises(FtlibError, match=r"^cases.xlsx: row 2: .*severity.*huge"):
        files.read_upload("cases.xlsx", sheet.read_bytes(), read_cases)


def _writer(path: str, trainee: int, n: int, start) -> None:
    start.wait()
    for q in range(n):
        classfile.append(path, {"trainee": f"学员{trainee:02d}", "q": q, "pad": "答" * 3000})


def test_forty_trainees_append_to_one_class_file_at_once(tmp_path):
    path = str(tmp_path / "class" / "results.jsonl")
    ctx = mp.get_context("fork")
    start = ctx.Barrier(40)
    procs = [ctx.Process(target=_writer, args=(path, t, 25, start)) for t in range(40)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 40
    lines = open(path, encoding="utf-8").read().splitlines()
    assert len(lines) == 40 * 25  # no line lost
    recs = [json.loads(ln) for ln in lines]  # no line interleaved with another (each ~9 KB)
    assert sorted((r["trainee"], r["q"]) for r in recs) == sorted((f"学员{t:02d}", q) for t in range(40) for q in range(25))
    assert classfile.read(path) == recs
