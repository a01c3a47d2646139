"""Hostile input: a table of bad files and arguments, each run through the ``ftlib`` command.

Every case asserts the exit status (2: bad input), that stderr is a single line (or, for an import
that lists its problems, a first line and one line per problem), that the line names the field or
the cause, that it ends within a few seconds, and that the register database is byte-for-byte
unchanged.

"One line": a refusal with one problem is exactly one line. An import with several bad rows
prints one line per problem (each naming file, row, column and value: what an office fixes in
one pass), at most ``error_lines`` (ftlib/data/limits.yaml: 20) of them, then one line with the
count and, past the cap, that ``--errors FILE`` lists every one. Cases that ftlib must *accept* (GB18030 and UTF-16 files from Chinese Excel and WPS)
are in the table too, with status 0. Limits: docs/limits.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ftlib.cli import main

CASE = Path(__file__).resolve().parents[1] / "ftlib" / "data" / "cases" / "c01-routine-filing-error.yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A small register, its CSV export and a store of bad files."""
    d = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{d / 'r.sqlite'}"
    assert main(["synth", "--regions", "3", "--years", "1", "--database", url]) == 0
    assert main(["export", "--to", str(d / "out" / "r.csv"), "--database", url]) == 0
    case = CASE.read_text(encoding="utf-8")
    files = {
        "gbk.yaml": case.encode("gb18030"),
        "utf16.yaml": case.encode("utf-16"),
        "bom8.yaml": b"\xef\xbb\xbf" + case.encode(),
        "binary.yaml": bytes(range(256)) * 8,
        "latin1.yaml": b"title: caf\xe9 cr\xe8me\nid: x\n",    # Western Latin-1: neither UTF-8 nor GB18030
        "dupkey.yaml": (case + "\nkind: again\n").encode(),
        "inf.yaml": case.replace("loss_cny: 20000", "loss_cny: .inf").encode(),
        "nan.yaml": case.replace("loss_cny: 20000", "loss_cny: .nan").encode(),
        "baddate.yaml": case.replace("conduct_date: 2017-05-10", "conduct_date: 2023-02-30").encode(),
        "future.yaml": case.replace("conduct_date: 2017-05-10", "conduct_date: 2099-05-10").encode(),
        "emptyid.yaml": case.replace("  id: c01-routine-filing-error", '  id: "   "').encode(),
        "ctlid.yaml": case.replace("  id: c01-routine-filing-error", '  id: "a\\e[2Jb"').encode(),
        "bidiid.yaml": case.replace("  id: c01-routine-filing-error", '  id: "a\\u202eb"').encode(),
        "bomb.yaml": ('a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))).encode(),
        "deep.yaml": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n").encode(),
        "deep.json": ("[" * 100_000 + "]" * 100_000).encode(),
        "big.yaml": b"a: " + b"x" * (50 * 1024 * 1024) + b"\n",
        "empty.yaml": b"",
        # 60,000 keys in 780 KB (under the size limit): the pure-Python loader took over 30 s
        "keys.yaml": "".join(f"k{i:05d}: value\n" for i in range(60_000)).encode(),
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    # a policy folder whose one policy has a 100,000-deep condition
    src = Path(__file__).resolve().parents[1] / "ftlib" / "data" / "policies"
    deep_pol = d / "deeppol"
    deep_pol.mkdir()
    cn2016 = (src / "cn-2016.yaml").read_text(encoding="utf-8")
    assert "when: knowingly_violated," in cn2016
    (deep_pol / "cn-2016.yaml").write_text(cn2016.replace(
        "when: knowingly_violated,", 'when: "' + "not " * 100_000 + 'knowingly_violated",', 1), encoding="utf-8")
    for name, data in (("gbkpol", cn2016.encode("gb18030")), ("utf16pol", cn2016.encode("utf-16")),
                       ("binpol", bytes(range(256)) * 8)):   # policy files from Chinese Excel/WPS, and junk
        (d / name).mkdir()
        (d / name / "cn-2016.yaml").write_bytes(data)
    (d / "ctlpolid.yaml").write_text(cn2016.replace("id: CN-2016", 'id: "CN-2016\\e[2J\\u202e"', 1),
                                     encoding="utf-8")
    keys_pol = d / "keyspol"
    keys_pol.mkdir()
    (keys_pol / "cn-2016.yaml").write_text(cn2016 + "".join(f"x{i:05d}: 1\n" for i in range(60_000)), encoding="utf-8")
    # import files
    rows = list(csv.reader(open(d / "out" / "r.csv", encoding="utf-8-sig")))
    header, first_row = rows[0], rows[1]

    def csv_with(name: str, **cells: str) -> None:
        r = first_row[:]
        for k, v in cells.items():
            r[header.index(k)] = v
        buf = io.StringIO()
        csv.writer(buf).writerows([header, r])
        (d / name).write_text(buf.getvalue(), encoding="utf-8")

    csv_with("formula.csv", **{"id": "H-1", "title.zh": "=HYPERLINK(\"http://x\",\"y\")"})
    csv_with("unknown_region.csv", id="H-2", region="CN-NOWHERE")
    csv_with("inf.csv", **{"id": "H-3", "consequence.loss_cny": "inf"})
    csv_with("future.csv", id="H-4", conduct_date="2099-01-01")
    csv_with("future_decision.csv", id="H-7", decision_date="2099-01-01")
    csv_with("future_received.csv", id="H-8", received_on="2099-01-01")
    csv_with("ctl_id.csv", id="H-\x1b[2J")
    csv_with("impossible_date.csv", id="H-11", conduct_date="2023-02-30")
    csv_with("long_id.csv", id="H" * 5000)
    big_digits = {"consequence.loss_cny": "9" * 5000}
    csv_with("digits.csv", id="H-10", **big_digits)
    buf = io.StringIO()
    bad_rows = []
    for i in range(30):     # 30 bad rows: 20 lines, then the count
        r = first_row[:]
        r[header.index("id")], r[header.index("conduct_date")] = f"M-{i}", "2099-01-01"
        bad_rows.append(r)
    csv.writer(buf).writerows([header, *bad_rows])
    (d / "many_bad.csv").write_text(buf.getvalue(), encoding="utf-8")
    (d / "digits.yaml").write_bytes(case.replace("loss_cny: 20000", "loss_cny: " + "9" * 5000).encode())
    (d / "long_id.yaml").write_bytes(case.replace("  id: c01-routine-filing-error", "  id: " + "a" * 5000).encode())
    buf = io.StringIO()
    csv.writer(buf).writerows([header, first_row[:1] + ["H-5"] + first_row[2:] + ["extra", "more"]])
    (d / "wide.csv").write_text(buf.getvalue(), encoding="utf-8")
    (d / "gbk.csv").write_bytes((d / "out" / "r.csv").read_text(encoding="utf-8-sig").encode("gb18030"))
    # reference files (regions, clarifications) with one bad row each
    def reference(name: str, kind: str, change: dict[str, str]) -> None:
        rows = list(csv.DictReader(open(d / "out" / f"r.{kind}.csv", encoding="utf-8-sig")))
        row = {**rows[0], **change}
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerow(row)
        (d / name).write_text(buf.getvalue(), encoding="utf-8")

    new_region = {"code": "CN-ZZ", "name_zh": "新区", "name_en": "New Area", "parent": "CN-DM"}
    reference("region_code.csv", "regions", {**new_region, "code": "cn-zz x"})
    reference("region_parent_code.csv", "regions", {**new_region, "parent": "CN-DM/BR"})
    reference("region_self_parent.csv", "regions", {**new_region, "parent": "CN-ZZ"})
    reference("region_cycle.csv", "regions", {"code": "CN", "name_zh": "全国", "name_en": "China (national)",
                                              "parent": "CN-DM"})    # CN-DM's parent is CN
    reference("region_unknown_parent.csv", "regions", {**new_region, "parent": "CN-NOWHERE"})
    reference("region_ctl_name.csv", "regions", {**new_region, "name_zh": "新\x1b[2J区"})
    reference("region_bidi_code.csv", "regions", {**new_region, "code": "CN-Z\u202eZ"})
    reference("clarified_future.csv", "clarifications", {"clarified_on": "2099-01-01"})
    reference("headcount_ctl.csv", "headcounts", {"region": "CN-DM\x07"})
    _xlsx_with_formula(d / "formula.xlsx", header, first_row)
    _zip_bomb(d / "bomb.xlsx")
    return d, url


def _xlsx_with_formula(path: Path, header: list[str], row: list[str]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "cases"
    ws.append(header)
    ws.append(row)
    ws["A2"] = "=CONCAT(\"H-\",\"6\")"      # a formula where the case id should be
    wb.save(path)


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (600 * 1024 * 1024))


def _free_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _digest(url: str) -> str:
    return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()


#: (name, arguments ({d}: the folder, {url}: the register), exit status, what the line must name)
CASES = [
    ("gbk case file decoded", "determine {d}/gbk.yaml", 0, None),
    ("utf-16 case file decoded", "determine {d}/utf16.yaml", 0, None),
    ("utf-8 BOM case file decoded", "determine {d}/bom8.yaml", 0, None),
    ("binary case file", "determine {d}/binary.yaml", 2, "binary data"),
    ("latin-1 case file", "determine {d}/latin1.yaml", 2, "not UTF-8 text"),
    ("duplicate key", "determine {d}/dupkey.yaml", 2, "key 'kind' appears twice"),
    ("infinite loss", "determine {d}/inf.yaml", 2, "infinite"),
    ("NaN loss", "determine {d}/nan.yaml", 2, "not-a-number"),
    ("impossible date", "determine {d}/baddate.yaml", 2, "'2023-02-30': not a real date"),
    ("future conduct date", "determine {d}/future.yaml", 2, "conduct_date"),
    ("empty id", "determine {d}/emptyid.yaml", 2, "field id"),
    ("control character in id", "determine {d}/ctlid.yaml", 2, "field id"),
    ("bidi override in id", "determine {d}/bidiid.yaml", 2, "field id"),
    ("YAML alias bomb", "determine {d}/bomb.yaml", 2, "aliases"),
    ("100,000-deep YAML", "determine {d}/deep.yaml", 2, "nested deeper"),
    ("100,000-deep JSON", "determine {d}/deep.json", 2, "nested deeper"),
    ("50 MB case file", "determine {d}/big.yaml", 2, "the limit"),
    ("empty case file", "determine {d}/empty.yaml", 2, "empty"),
    ("60,000 keys in a case file", "determine {d}/keys.yaml", 2, "keys.yaml: line 10000: more than 20,000 keys"),
    ("60,000 keys in a policy file", "--policy-dir {d}/keyspol determine {d}/gbk.yaml", 2,
     "cn-2016.yaml: line"),
    ("missing case file", "determine {d}/nope.yaml", 2, "nope.yaml"),
    ("100,000-deep condition", "--policy-dir {d}/deeppol determine {d}/gbk.yaml", 2, "longer than"),
    ("formula in a CSV cell", "import {d}/formula.csv --database {url}", 2, "a formula"),
    ("formula in an xlsx cell", "import {d}/formula.xlsx --database {url}", 2, "cell A2"),
    ("xlsx zip bomb", "import {d}/bomb.xlsx --database {url}", 2, "unzips"),
    ("row with too many cells", "import {d}/wide.csv --database {url}", 2, "cells but the header has"),
    ("unknown region in import", "import {d}/unknown_region.csv --database {url}", 2, "column region"),
    ("infinite number in import", "import {d}/inf.csv --database {url}", 2, "consequence.loss_cny"),
    ("future date in import", "import {d}/future.csv --database {url}", 2,
     "column conduct_date: value '2099-01-01': in the future"),
    ("future decision date in import", "import {d}/future_decision.csv --database {url}", 2,
     "column decision_date: value '2099-01-01': in the future"),
    ("future received date in import", "import {d}/future_received.csv --database {url}", 2,
     "column received_on: value '2099-01-01': in the future"),
    ("impossible date in import", "import {d}/impossible_date.csv --database {url}", 2,
     "column conduct_date: value '2023-02-30': not a real date (YYYY-MM-DD"),
    ("impossible date on the command line", "due --today 2025-02-30 --database {url}", 2,
     "--today: value '2025-02-30': not a real date (YYYY-MM-DD"),
    ("control character in an imported id", "import {d}/ctl_id.csv --database {url}", 2,
     "column id: value 'H-<U+001B>[2J'"),
    ("5,000-character id in import", "import {d}/long_id.csv --database {url}", 2, "(5000 characters)"),
    ("5,000-digit number in import", "import {d}/digits.csv --database {url}", 2, "consequence.loss_cny"),
    ("5,000-digit number in a case file", "determine {d}/digits.yaml", 2, "a number with too many digits"),
    ("5,000-character id in a case file", "determine {d}/long_id.yaml", 2, "(5000 characters)"),
    ("30 bad rows in import", "import {d}/many_bad.csv --database {url}", 2,
     "30 problems; the first 20 are above, --errors FILE lists every one"),
    ("a device as case file", "determine /dev/zero", 2, "not a regular file"),
    ("bad region code in a regions file", "import {d}/region_code.csv --database {url}", 2,
     "row 2: column code: value 'cn-zz x': not a region code"),
    ("bad parent code in a regions file", "import {d}/region_parent_code.csv --database {url}", 2,
     "row 2: column parent: value 'CN-DM/BR': not a region code"),
    ("region its own parent", "import {d}/region_self_parent.csv --database {url}", 2,
     "row 2: column parent: value 'CN-ZZ': the parents go round in a circle (CN-ZZ → CN-ZZ)"),
    ("regions' parents in a circle", "import {d}/region_cycle.csv --database {url}", 2,
     "row 2: column parent: value 'CN-DM': the parents go round in a circle (CN → CN-DM → CN)"),
    ("unknown parent region", "import {d}/region_unknown_parent.csv --database {url}", 2,
     "row 2: column parent: value 'CN-NOWHERE': no such region"),
    ("control character in a region name", "import {d}/region_ctl_name.csv --database {url}", 2,
     "row 2: column name_zh: value '新<U+001B>[2J区': holds a terminal-control"),
    ("bidi override in a region code", "import {d}/region_bidi_code.csv --database {url}", 2,
     "row 2: column code: value 'CN-Z<U+202E>Z': holds a terminal-control or bidi-override"),
    ("clarification dated in the future", "import {d}/clarified_future.csv --database {url}", 2,
     "row 2: column clarified_on: value '2099-01-01': in the future"),
    ("control character in a headcount's region", "import {d}/headcount_ctl.csv --database {url}", 2,
     "row 2: column region: value 'CN-DM<U+0007>': holds a terminal-control"),
    ("serve --port -1", "serve --port -1", 2, "argument --port: value '-1': a port number from 1 to 65535"),
    ("serve --port 70000", "serve --port 70000", 2, "value '70000': a port number from 1 to 65535"),
    ("serve --port abc", "serve --port abc", 2, "value 'abc': a port number"),
    ("apps --port 0", "apps --port 0", 2, "value '0': a port number"),
    ("run --apps-port 70000", "run --apps-port 70000", 2, "argument --apps-port: value '70000'"),
    ("run --port 65535 (no next port)", "run --port 65535 --quarters 1", 2, "give --apps-port"),
    ("serve --ip 999.1.1.1", "serve --ip 999.1.1.1", 2, "argument --ip: value '999.1.1.1': an IP address"),
    ("serve --ip ''", "serve --ip=", 2, "argument --ip: value '': an IP address"),
    ("synth --end-year 99999", "synth --end-year 99999 --database {url}", 2, "--end-year"),
    ("report --min-cell 0", "report --min-cell 0 --period 2025Q1", 2, "--min-cell"),
    ("report --quarters 0", "report --all --quarters 0", 2, "--quarters"),
    ("GB18030 CSV import (all present)", "import {d}/gbk.csv --database {url}", 0, None),
    ("synth --years 0", "synth --years 0 --database {url}", 2, "--years"),
    ("synth --years -1", "synth --years -1 --database {url}", 2, "--years"),
    ("GBK policy file decoded", "--policy-dir {d}/gbkpol determine {d}/gbk.yaml --policy CN-2016", 0, None),
    ("UTF-16 policy file (BOM) decoded", "--policy-dir {d}/utf16pol determine {d}/gbk.yaml --policy CN-2016", 0, None),
    ("binary policy file", "--policy-dir {d}/binpol determine {d}/gbk.yaml", 2, "binpol/cn-2016.yaml: binary data"),
    ("binary policy file in lint", "lint {d}/binpol/cn-2016.yaml", 2, "binpol/cn-2016.yaml: binary data"),
    ("control and bidi characters in a policy id", "lint {d}/ctlpolid.yaml", 2,
     "field id: value 'CN-2016\\x1b[2J\\u202e': value error, an id is 1–60 letters"),
    ("mysql:// database URL (no driver)", "export --to {d}/x.csv --database mysql://u:p@127.0.0.1/db", 2,
     "database URL 'mysql://u:***@127.0.0.1/db': cannot be used"),
    ("PostgreSQL refusing the connection", "export --to {d}/x.csv --database postgresql://u:p@127.0.0.1:{port}/db", 2,
     "cannot open the database: connection failed"),
    ("unknown database scheme", "export --to {d}/x.csv --database nosuch://x", 2, "database URL"),
    ("not a database URL", "export --to {d}/x.csv --database ::::", 2, "not a database URL"),
    ("export to an unwritable place", "export --to /proc/ftlib-nope/x.csv --database {url}", 2, "cannot write"),
]


@pytest.mark.parametrize(("name", "args", "status", "names"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input(world, capsys, name, args, status, names):
    d, url = world
    before = _digest(url)
    argv = args.format(d=d, url=url, port=_free_port()).split()
    t0 = time.monotonic()
    try:
        rc = main(argv)
    except SystemExit as exit_:       # argparse refusing an argument
        rc = exit_.code
    took = time.monotonic() - t0
    err = capsys.readouterr().err
    assert rc == status, err
    assert took < 5, f"{name}: {took:.1f} s"
    assert "Traceback" not in err
    if status:
        lines = [ln for ln in err.splitlines() if ln.strip()]   # no usage block before the line
        assert all(ln.startswith("ftlib") and ": error: " in ln for ln in lines), err
        if name == "30 bad rows in import":    # 20 problem lines, then the count
            assert len(lines) == 21 and all("in the future" in ln for ln in lines[:20]), err
        else:
            assert len(lines) == 1, err
        assert names in err, err
        assert all(len(ln) < 400 for ln in lines), "an error line echoes only a short excerpt"
    assert _digest(url) == before, "the register changed"


def test_export_is_safe_to_open_and_round_trips(world, tmp_path):
    """A title a spreadsheet would run as a formula is exported neutralised (CSV and xlsx, typed
    cells), and importing the export into an empty register gives the same export again."""
    from openpyxl import load_workbook

    d, url = world
    # the neutralised spelling imports as the raw text (one apostrophe off)
    rows = list(csv.reader(open(d / "out" / "r.csv", encoding="utf-8-sig")))
    header, row = rows[0], rows[1][:]
    row[header.index("id")] = "H-9"
    row[header.index("title.zh")] = "'=HYPERLINK(\"http://x\")"
    row[header.index("title.en")] = "@SUM(1+1)"
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, row])
    one = f"sqlite:///{tmp_path / 'one.sqlite'}"
    assert main(["db", "upgrade", "--database", one]) == 0
    assert main(["import", str(src), "--database", one]) == 0
    assert main(["export", "--to", str(tmp_path / "a.csv"), "--database", one]) == 0
    out = list(csv.DictReader(open(tmp_path / "a.csv", encoding="utf-8-sig")))
    h9 = next(r for r in out if r["id"] == "H-9")
    assert h9["title.zh"] == "'=HYPERLINK(\"http://x\")" and h9["title.en"] == "'@SUM(1+1)"
    assert main(["export", "--to", str(tmp_path / "a.xlsx"), "--database", one]) == 0
    ws = load_workbook(tmp_path / "a.xlsx")["cases"]
    cells = {c.value: c for c in ws[1]}
    col = list(cells).index("title.zh")
    target = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "H-9")
    assert target[col].data_type == "s" and target[col].value.startswith("'=")
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)
    loss = list(cells).index("consequence.loss_cny")
    assert isinstance(target[loss].value, int | float)    # numbers as numbers
    # round trip: the xlsx into an empty register exports the same CSV
    two = f"sqlite:///{tmp_path / 'two.sqlite'}"
    assert main(["db", "upgrade", "--database", two]) == 0
    assert main(["import", str(tmp_path / "a.xlsx"), "--database", two]) == 0
    assert main(["export", "--to", str(tmp_path / "b.csv"), "--database", two]) == 0
    for suffix in (".csv", ".events.csv", ".registrations.csv"):
        a = (tmp_path / f"a{suffix}").read_text(encoding="utf-8-sig")
        b = (tmp_path / f"b{suffix}").read_text(encoding="utf-8-sig")
        if suffix == ".events.csv":   # recorded_at is when the import wrote them
            a, b = (_drop_column(x, "recorded_at") for x in (a, b))
        assert a == b, suffix


def _drop_column(text: str, col: str) -> list:
    rows = list(csv.reader(io.StringIO(text)))
    i = rows[0].index(col)
    return [r[:i] + r[i + 1:] for r in rows]


def test_failed_write_leaves_no_truncated_file(world, tmp_path, monkeypatch):
    """Disk full half-way through an export: the old file stays, no partial file is left."""
    import pandas as pd

    d, url = world
    target = tmp_path / "x.csv"
    target.write_text("old\n", encoding="utf-8")

    def full(self, path, *a, **kw):
        Path(path).write_text("partial", encoding="utf-8")
        raise OSError(28, "No space left on device", str(path))
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    assert main(["export", "--to", str(target), "--database", url]) == 2
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_broken_pipe_is_one_line():
    p = subprocess.run(f"{sys.executable} -m ftlib determine {CASE} | head -1", shell=True, capture_output=True,
                       text=True, timeout=120)
    assert "Traceback" not in p.stderr
    assert len([ln for ln in p.stderr.splitlines() if ln.strip()]) <= 1


@pytest.fixture(scope="module")
def unsafe_policies(tmp_path_factory):
    """A policy folder whose CN-2016 is named with a clear-screen and a right-to-left override."""
    d = tmp_path_factory.mktemp("unsafe")
    src = (Path(__file__).resolve().parents[1] / "ftlib" / "data" / "policies" / "cn-2016.yaml").read_text(
        encoding="utf-8")
    text = src.replace("name: {zh: 全国基线（2016年：三个区分开来）,", 'name: {zh: "全国\\e[2J\\u202e基线",', 1)
    assert text != src
    (d / "pol").mkdir()
    (d / "pol" / "cn-2016.yaml").write_text(text, encoding="utf-8")
    return d


#: every command that prints what it read from a file, in text and in JSON
PRINTING = [
    ("determine", "--policy-dir {d}/pol determine {case} --policy CN-2016", False),
    ("determine --format json", "--policy-dir {d}/pol determine {case} --policy CN-2016 --format json", True),
    ("compare --format json", "--policy-dir {d}/pol compare {case} --policy CN-2016 --format json", True),
    ("policies", "--policy-dir {d}/pol policies", False),
    ("policies --format json", "--policy-dir {d}/pol policies --format json", True),
    ("diff", "--policy-dir {d}/pol diff CN-2016 CN-2016", False),
    ("diff --format json", "--policy-dir {d}/pol diff CN-2016 CN-2016 --format json", True),
]


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(("name", "args", "is_json"), PRINTING, ids=[c[0] for c in PRINTING])
def test_printed_text_has_no_terminal_control(unsafe_policies, capsys, name, args, is_json):
    """Text output shows the clear-screen and the override as <U+XXXX>; JSON output carries them
    as \\u escapes (a JSON reader gets the exact name back); neither prints the characters."""
    import json

    rc = main(args.format(d=unsafe_policies, case=CASE).split())
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "\x1b" not in out and "\u202e" not in out
    if is_json:
        assert "\\u001b[2J\\u202e" in out
        assert "全国\x1b[2J\u202e基线" in _strings(json.loads(out))
    else:
        assert "<U+001B>[2J<U+202E>" in out


def test_serve_refuses_a_taken_port(tmp_path):
    import socket

    from ftlib.errors import FtlibError
    from ftlib.reports.serve import port_free

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(FtlibError, match=f"port {port} on 127.0.0.1 is already in use"):
            port_free("127.0.0.1", port)


@pytest.mark.parametrize(("change", "finding"), [
    ({"effective_to: null": "effective_to: 2021-01-01"}, "ends-before-start: effective_to 2021-01-01 is before"),
    ({"family: CN-DM\n": "family: CN-DM-OTHER\n", "id: CN-DM-2022": "id: CN-DM-OTHER-2022"},
     "jurisdiction CN-DM has families ['CN-DM', 'CN-DM-OTHER']"),
])
def test_lint_finds_what_would_change_a_decision(tmp_path, capsys, change, finding):
    text = (Path(__file__).resolve().parents[1] / "ftlib" / "data" / "policies" / "cn-dm-2022.yaml").read_text(
        encoding="utf-8")
    for old, new in change.items():
        assert old in text
        text = text.replace(old, new)
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    assert main(["lint", str(f)]) == 1
    assert finding in capsys.readouterr().out


def test_policy_dir_lint_lints_that_folder(tmp_path, capsys):
    text = (Path(__file__).resolve().parents[1] / "ftlib" / "data" / "policies" / "cn-2016.yaml").read_text(
        encoding="utf-8")
    (tmp_path / "cn-2016.yaml").write_text(text.replace("effective_to:", "effective_to: 2015-01-01 #", 1),
                                           encoding="utf-8")
    assert main(["--policy-dir", str(tmp_path), "lint"]) == 1
    assert "CN-2016: ends-before-start" in capsys.readouterr().out


def test_two_regions_in_a_circle_are_both_named(world, tmp_path, capsys):
    """CN-ZA's parent is CN-ZB and CN-ZB's is CN-ZA: each row is named, nothing is written."""
    d, url = world
    before = _digest(url)
    f = tmp_path / "circle.csv"
    f.write_text("code,name_zh,name_en,parent,illustrative\n"
                 "CN-ZA,甲区,Area A,CN-ZB,true\nCN-ZB,乙区,Area B,CN-ZA,true\n", encoding="utf-8")
    assert main(["import", str(f), "--database", url]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].endswith("row 2: column parent: value 'CN-ZB': the parents go round in a circle "
                             "(CN-ZA → CN-ZB → CN-ZA)"), lines
    assert lines[1].endswith("row 3: column parent: value 'CN-ZA': the parents go round in a circle "
                             "(CN-ZB → CN-ZA → CN-ZB)"), lines
    assert lines[2] == "ftlib: error: import refused, nothing was written: 2 problems", lines
    assert _digest(url) == before


def test_serve_refuses_an_address_of_another_machine():
    """192.0.2.1 (TEST-NET-1, documentation only) is on no interface here: the line names --ip."""
    from ftlib.errors import FtlibError
    from ftlib.reports.serve import port_free

    with pytest.raises(FtlibError, match=r"^--ip: value '192\.0\.2\.1': not an address of this machine"):
        port_free("192.0.2.1", 8866)
