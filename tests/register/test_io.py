"""Import and export: all-or-nothing, every error listed, idempotent, exact round trip."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import D, decided_case, make_case

from ftlib.errors import FtlibError
from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.io import ImportError_, export_file, export_frames, import_files

HEADER = "id,channel,received_on,jurisdiction,conduct_date,subject.rank,scenario,public_motive," \
         "procedure.collective_decision,procedure.followed,consequence.severity,consequence.loss_cny"


def _rows(name, url):
    """A table's rows without its autoincrement id (the cadres' and regions' ids are data)."""
    t = frames.table(name, url)
    t = t if name in ("regions", "cadres", "region_headcounts") else t.drop(columns="id")
    if name == "clarifications":   # no key but the id: the order of insertion is not data
        t = t.sort_values([c for c in t.columns if c != "case_id"] + ["case_id"], key=lambda c: c.astype(str))
    return t.reset_index(drop=True)


def _small_register(url):
    with db.session_scope(url) as s:
        pr.register_exante(s, "R-1", "CN-DM", D(2025, 3, 1), "改革试点", cadre_id="C-0001")
        decided_case(s)
        pr.send_feedback(s, "T-1", D(2025, 5, 8), "office")
        pr.appeal(s, "T-1", D(2025, 5, 12), "C-0001", "理由")
        pr.review_career(s, "T-1", D(2025, 6, 1), "组织部", evaluated_normally=True)
        pr.open_case(s, make_case("T-2", procedure={"exante_registered": True}, title={"zh": "试点，\"引号\""}),
                     channel="unit_application", received_on=D(2025, 4, 1), actor="unit", registration_id="R-1")
        pr.refuse(s, "T-2", D(2025, 4, 3), "office", "材料不全")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_round_trips_exactly(url, another_url, tmp_path, suffix):
    _small_register(url)
    files = export_file(tmp_path / f"out{suffix}", url)
    summary = import_files(files, another_url)
    assert (summary.cases_added, summary.events_added) == (2, 10)
    a, b = export_frames(url), export_frames(another_url)
    assert list(a) == ["regions", "headcounts", "cadres", "registrations", "cases", "events", "clarifications"]
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    for name in ("decisions", "appeals", "corrections", "career_reviews", "regions", "cadres", "clarifications"):
        left, right = (_rows(name, u) for u in (url, another_url))
        pd.testing.assert_frame_equal(left, right)
    again = import_files(files, another_url)  # the same file twice: nothing new
    assert (again.cases_added, again.cases_unchanged, again.events_added, again.events_unchanged) == (0, 2, 0, 10)
    assert len(frames.events(another_url)) == 10
    assert frames.career_reviews(another_url)[["case_id", "evaluated_normally"]].values.tolist() == [["T-1", True]]


def test_every_bad_row_is_reported_and_nothing_is_written(url, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + "\n"
                 "A-1,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0\n"
                 "A-2,by_phone,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0\n"
                 "A-3,ex_officio,2025-04-31,CN-DM,2025-03-10,mayor,reform_pilot,maybe,true,full,minor,-5\n"
                 "A-1,ex_officio,2025-04-01,CN-DM,2010-03-10,township,routine,true,true,full,minor,0\n",
                 encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    got = [(i.row, i.column, i.value) for i in info.value.issues]
    assert got == [
        (3, "channel", "by_phone"),
        (4, "received_on", "2025-04-31"),
        (4, "subject.rank", "mayor"),
        (4, "public_motive", "maybe"),
        (4, "consequence.loss_cny", "-5"),
        (5, "id", "A-1"),
    ]
    # one line per problem, then the count (under the error_lines limit of 20: all shown)
    assert len(str(info.value).splitlines()) == 7
    assert str(info.value).splitlines()[-1] == "import refused, nothing was written: 6 problems"
    assert f"{f}: row 3: column channel: value 'by_phone': not one of" in str(info.value)
    assert frames.table("cases", url).empty


def test_cross_field_errors_and_unknown_columns(url, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + ",colour\n"
                 "A-1,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0,red\n",
                 encoding="utf-8")
    with pytest.raises(ImportError_, match="row 1: column colour: value 'colour': unknown column"):
        import_files([f], url)
    f.write_text(HEADER + "\n"
                 "A-1,cadre_application,2025-03-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0\n"
                 "A-2,cadre_application,2010-04-01,CN-DM,2010-03-10,township,reform_pilot,true,true,full,minor,0\n",
                 encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    assert [(i.row, i.column, i.reason) for i in info.value.issues] == [
        (2, "received_on", "before conduct_date"),
        (3, "conduct_date", "no policy for CN-DM in force on that date"),
    ]


def test_events_are_checked_by_the_procedure_rules(url, tmp_path):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="cadre_application", received_on=D(2025, 4, 1), actor="cadre")
    f = tmp_path / "events.csv"
    f.write_text("case_id,seq,kind,at,actor,payload\n"
                 "T-1,2,accepted,2025-04-02,office,{}\n"
                 "T-1,3,decided,2025-04-03,committee,{}\n"
                 "T-9,1,started,2025-04-03,x,\"{\"\"channel\"\": \"\"ex_officio\"\"}\"\n"
                 "T-1,4,accepted,2025-04-0x,office,[1]\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    issues = [(i.row, i.column) for i in info.value.issues]
    assert issues == [(5, "at"), (5, "payload")]
    f.write_text("case_id,seq,kind,at,actor,payload\n"
                 "T-1,2,accepted,2025-04-02,office,{}\n"
                 "T-1,3,decided,2025-04-03,committee,{}\n"
                 "T-9,1,started,2025-04-03,x,{}\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    assert [(i.row, i.column, i.value) for i in info.value.issues] == [(3, "kind", "decided"), (4, "case_id", "T-9")]
    assert "decided is not allowed when the case is accepted" in info.value.issues[0].reason
    assert list(frames.events(url)["kind"]) == ["started"]


def test_an_imported_career_review_is_checked_like_a_recorded_one(url, tmp_path):
    with db.session_scope(url) as s:
        decided_case(s)
    f = tmp_path / "events.csv"
    f.write_text("case_id,seq,kind,at,actor,payload\n"
                 "T-1,6,career_reviewed,2025-06-01,组织部,\"{\"\"promoted\"\": \"\"yes\"\"}\"\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    [issue] = info.value.issues
    assert issue.row == 2 and "promoted" in str(issue) and "'yes'" in str(issue)
    assert frames.career_reviews(url).empty
    f.write_text("case_id,seq,kind,at,actor,payload\n"
                 "T-1,6,career_reviewed,2025-06-01,组织部,\"{\"\"promoted\"\": false}\"\n", encoding="utf-8")
    assert import_files([f], url).events_added == 1
    assert frames.career_reviews(url)[["promoted", "evaluated_normally"]].values.tolist() == [[False, None]]


def test_corrupt_and_foreign_files_give_one_clear_error(url, tmp_path):
    bad_xlsx = tmp_path / "cases.xlsx"
    bad_xlsx.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(FtlibError, match="cases.xlsx: not a readable Excel workbook"):
        import_files([bad_xlsx], url)
    gbk = tmp_path / "cases.csv"
    gbk.write_bytes((HEADER + "\n示例,").encode("gb18030"))   # Chinese Excel's CSV: read as GB18030
    with pytest.raises(FtlibError, match=r"cases.csv: row 2: column id: value '示例'|cases.csv: row 2"):
        import_files([gbk], url)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\ncaf\xe9,").encode("latin-1"))  # neither UTF-8 nor Chinese GB18030
    with pytest.raises(FtlibError, match="latin.csv: not UTF-8 text"):
        import_files([latin], url)
    other = tmp_path / "other.csv"
    other.write_text("name,amount\nx,1\n", encoding="utf-8")
    with pytest.raises(FtlibError, match="other.csv: row 1: the header .* is neither a cases file"):
        import_files([other], url)
    assert frames.table("cases", url).empty


def test_export_is_a_full_copy(url, another_url, tmp_path):
    """Clarifications without a case, region headcounts, cadres without a case and a region that
    is not among ftlib's jurisdictions all come back (issue 13, item 6)."""
    from ftlib.register.models import Headcount, Region

    with db.session_scope(url) as s:
        decided_case(s)
        s.add(Region(code="CN-DM-NEW", name_zh="新设示例区", name_en="New Demo District", parent="CN-DM",
                     illustrative=True))
        s.flush()
        s.add(Headcount(region_code="CN-DM", year=2025, cadres=1200))
        s.add(Headcount(region_code="CN-DM-NEW", year=2025, cadres=35))
        s.flush()
        pr.ensure_cadre(s, "C-0099", "CN-DM-NEW")                       # a cadre without a case
        pr.clarify(s, region="CN-DM-NEW", on=D(2025, 6, 3), method="written_notice", actor="纪委",
                   cadre_id="C-0099", accuser_referred=True, referred_to="police")
        pr.clarify(s, region="CN-DM-NEW", on=D(2025, 6, 3), method="written_notice", actor="纪委",
                   cadre_id="C-0099", accuser_referred=True, referred_to="police")   # the same twice: two rows
        pr.clarify(s, region="CN-DM", on=D(2025, 6, 4), method="meeting", actor="纪委", case_id="T-1")
    for suffix in (".xlsx", ".csv"):
        files = export_file(tmp_path / f"full{suffix}", url)
        target = another_url if suffix == ".xlsx" else None
        if target is None:
            continue
        summary = import_files(files, target)
        assert summary.added == {"regions": 2, "headcounts": 2, "cadres": 2, "clarifications": 2}
    for name in ("regions", "region_headcounts", "cadres", "clarifications"):
        pd.testing.assert_frame_equal(_rows(name, url), _rows(name, another_url))
    assert sorted(frames.table("clarifications", another_url)["case_id"].fillna("-")) == ["-", "-", "T-1"]
    assert sorted(frames.table("cadres", another_url)["id"]) == ["C-0001", "C-0099"]
    again = import_files(export_file(tmp_path / "again.csv", url), another_url)   # nothing new the second time
    assert again.added == {"regions": 0, "headcounts": 0, "cadres": 0, "clarifications": 0}
    assert len(frames.table("clarifications", another_url)) == 3


def test_the_import_reads_cells_as_determine_frame_does(url, tmp_path):
    """One conversion (ftlib.convert, shared with determine_frame): zh/en labels of enums, the
    yes/no spellings of ftlib.vocabulary and 未知 are read, and stored in their canonical spelling."""
    from ftlib.convert import fact_column

    rows = ["B-1,cadre_application,2025-04-01,CN-DM,2025-03-10,乡科级,reform_pilot,是,✓,完备,轻微,10000",
            "B-2,cadre_application,2025-04-01,CN-DM,2025-03-10,Township,reform_pilot,YES,1,fully,minor,未知"]
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_files([f], url)
    facts = frames.table("cases", url).set_index("id")["facts"]
    for cid in ("B-1", "B-2"):
        assert (facts[cid]["subject.rank"], facts[cid]["public_motive"], facts[cid]["procedure.collective_decision"],
                facts[cid]["procedure.followed"], facts[cid]["consequence.severity"]) == (
            "township", True, True, "full", "minor")
    assert (facts["B-1"]["consequence.loss_cny"], facts["B-2"]["consequence.loss_cny"]) == (10000.0, "unknown")
    # the same cells through determine_frame's conversion give the same values
    frame = pd.read_csv(f, dtype=str)
    col = fact_column(frame, "subject.rank")
    assert col.values.tolist() == [col.values[0]] * 2 and col.unknown is None


def test_a_bad_yes_no_cell_names_the_spellings(url, tmp_path):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + "\n"
                 "C-1,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,也许,true,full,minor,0\n"
                 "C-2,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,很大,0\n",
                 encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    got = [(i.row, i.column, i.value) for i in info.value.issues]
    assert got == [(2, "public_motive", "也许"), (3, "consequence.severity", "很大")]
    assert "是/否" in info.value.issues[0].reason and "zh/en labels" in info.value.issues[1].reason


def test_every_unreadable_row_of_every_file_is_listed(url, tmp_path):
    """Rows with too many cells and formula cells, in two files: each is one line naming file,
    row and (for a formula) column, not only the first; nothing is written."""
    good = "D-1,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0"
    a = tmp_path / "a.csv"
    a.write_text(HEADER + "\n" + good + "\n" + good.replace("D-1", "D-2") + ",x,y\n"
                 + good.replace("D-1", "D-3") + ",z\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(HEADER + "\n" + good.replace("D-1", "D-4").replace("reform_pilot", "=SUM(A1)") + "\n",
                 encoding="utf-8")
    with pytest.raises(FtlibError) as info:
        import_files([a, b], url)
    lines = str(info.value).splitlines()
    assert lines == [f"{a}: row 3: 14 cells but the header has 12 columns",
                     f"{a}: row 4: 13 cells but the header has 12 columns",
                     f"{b}: row 2: column scenario: value '=SUM(A1)': a formula, not a value; paste the values "
                     "(Excel: Paste Special → Values)",
                     "import refused, nothing was written: 3 problems"]
    assert frames.table("cases", url).empty
