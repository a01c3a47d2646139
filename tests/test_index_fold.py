"""A folded index (a register of more regions than ``fold_above``, ftlib/data/reports/index.yaml):
a top page of the top region and its direct sub-regions, and one page per sub-region with its
whole subtree — every figure the one overview of the whole register shows (issue 14 item 5: a
national register has 3,208 regions)."""

from __future__ import annotations

import dataclasses
import json
import re

import pandas as pd
import pytest

from ftlib.metrics.synthetic import synthetic
from ftlib.period import parse_period
from ftlib.reports.index import folded, write_index
from ftlib.reports.overview import Overview


def _row(code: str, level: int) -> dict:
    return {"code": code, "level": level, "zh": f"{code}地", "en": f"{code} land", "figures": {}, "trends": {}}


def _entry(region: str) -> dict:
    return {"name": f"report_{region}_2025Q1", "region": region, "period": "2025Q1", "ok": True, "error": "", "html": ""}


def test_folded_pages_by_hand():
    rows = [_row("R", 0), _row("R-A", 1), _row("R-A-1", 2), _row("R-A-2", 2), _row("R-B", 1), _row("R-B-1", 2)]
    ov = Overview("R", parse_period("2025Q1"), ["2025Q1"], rows, ["R-A-2", "R-B-1"], 5)
    manifest = [_entry(r["code"]) for r in rows] + [_entry("Z")]   # Z: a region outside the tree
    pages = folded(ov, manifest)
    assert [p[0] for p in pages] == [None, "R-A", "R-B"]
    top, a, b = pages
    # top page: the root and its two sub-regions, their reports (and Z's), links to both sub-pages
    assert [(r["code"], r["level"]) for r in top[1].rows] == [("R", 0), ("R-A", 1), ("R-B", 1)]
    assert sorted(m["region"] for m in top[2]) == ["R", "R-A", "R-B", "Z"]
    assert [r["code"] for r in top[3]] == ["R-A", "R-B"] and top[1].flagged == []
    # a sub-region's page: its subtree, levels counted from it, its flagged region only
    assert a[1].root == "R-A" and [(r["code"], r["level"]) for r in a[1].rows] == [("R-A", 0), ("R-A-1", 1), ("R-A-2", 1)]
    assert sorted(m["region"] for m in a[2]) == ["R-A", "R-A-1", "R-A-2"] and a[1].flagged == ["R-A-2"]
    assert [r["code"] for r in b[1].rows] == ["R-B", "R-B-1"] and b[1].flagged == ["R-B-1"] and b[3] == []
    assert rows[2]["level"] == 2   # the overview itself is left as it was


@pytest.fixture(scope="module")
def frames():
    return synthetic(3000, 12, "2024Q1", 8, seed=5)   # CN-SY, 9 sub-regions, 2 of them with one below


def _cells(page: str, lang: str, code: str) -> str:
    body = page.split(f"<div class='ftlib-body' data-lang='{lang}'")[1]
    m = re.search(rf"<tr data-region='{re.escape(code)}'[^>]*><th scope='row'>.*?</th>(.*?)</tr>", body)
    assert m, code
    return m.group(1)


def test_a_large_register_gets_one_index_page_per_sub_region(tmp_path, frames):
    codes = list(frames.regions["code"])
    out, flat = tmp_path / "out", tmp_path / "flat"
    for d in (out, flat):
        d.mkdir()
        (d / "manifest.json").write_text(json.dumps([_entry(c) for c in codes]))
    write_index(flat, frames, fold_above=100)   # 12 regions: one page, as before
    write_index(out, frames, fold_above=5, html_dir=out / "html")
    assert not list(flat.glob("index_*.ipynb"))
    subs = sorted(c for c in codes if c.count("-") == 2)
    assert sorted(p.name for p in out.glob("index_*.ipynb")) == [f"index_{c}.ipynb" for c in subs]
    top = (out / ".index.html").read_text()
    one = (flat / ".index.html").read_text()
    sub = (out / ".index_CN-SY-P0.html").read_text()
    for lang in ("zh", "en"):
        assert f"href='index_CN-SY-P0.ipynb?lang={lang}'" in top
        assert f"report_CN-SY-P0_2025Q1.ipynb?lang={lang}" in top and "report_CN-SY-P0-C0_" not in top
        assert f"report_CN-SY-P0-C0_2025Q1.ipynb?lang={lang}" in sub and "report_CN-SY-P1_" not in sub
        assert f"class='ftlib-back' href='index.ipynb?lang={lang}'" in sub
        # the same figures and trend lines as the one page of the whole register shows
        for code in ("CN-SY", "CN-SY-P0", "CN-SY-P5"):
            assert _cells(top, lang, code) == _cells(one, lang, code)
        for code in ("CN-SY-P0", "CN-SY-P0-C0"):
            assert _cells(sub, lang, code) == _cells(one, lang, code)
    assert "data-region='CN-SY-P0-C0'" not in top and "data-region='CN-SY-P1'" not in sub
    assert "区域10" in sub and "Region 10" in sub   # the register's names, not its codes
    # the static pages: one a language and a sub-region, linked as files
    static_top, static_sub = (out / "html" / "index.en.html").read_text(), out / "html" / "index_CN-SY-P0.en.html"
    assert "href='index_CN-SY-P0.en.html'" in static_top and "href='index.en.html'" in static_sub.read_text()
    nb = json.loads((out / "index_CN-SY-P0.ipynb").read_text())
    assert "index_app(part='CN-SY-P0')" in "".join(nb["cells"][0]["source"])
    # a later run that does not fold removes the sub-region pages it no longer writes
    write_index(out, frames, fold_above=100)
    assert not list(out.glob("index_*.ipynb")) and not list(out.glob(".index_*.html"))


def test_the_next_run_solves_only_the_groups_whose_counts_changed(tmp_path, frames, monkeypatch):
    # The index keeps what the overview's suppression held back, group by group (figure, parent,
    # sub-regions and their counts). Run again on the same register: no group is solved and the
    # page is the same; a tampered cache file is ignored, not trusted; one more case in one county
    # changes the counts of its chain only, so only the groups of its parent and grandparent (6
    # figures each, the ones whose counts moved) are solved again.
    import ftlib.reports.overview as overview
    from ftlib.reports.index import SUPPRESS_CACHE

    calls = []
    real = overview.suppress
    monkeypatch.setattr(overview, "suppress", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    codes = list(frames.regions["code"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps([_entry(c) for c in codes]))
    write_index(out, frames)
    first, page = len(calls), (out / ".index.html").read_text()
    groups = json.loads((out / SUPPRESS_CACHE).read_text())
    assert first > 0 and len(groups) == first
    write_index(out, frames)
    assert len(calls) == first and (out / ".index.html").read_text() == page
    (out / SUPPRESS_CACHE).write_text('{"x": "not flags"}')
    write_index(out, frames)
    assert len(calls) == 2 * first and (out / ".index.html").read_text() == page

    county = next(c for c in codes if c.count("-") == 3)   # CN-SY-Pn-Cm: below a prefecture
    theirs = frames.cases[frames.cases["region"] == county]
    one = theirs.loc[[theirs["received"].idxmax()]].assign(case_id="NEW-1", cadre_id="P-NEW-1")  # in the window
    more = dataclasses.replace(frames, cases=pd.concat([frames.cases, one], ignore_index=True))
    before = len(calls)
    write_index(out, more)
    assert 0 < len(calls) - before <= 2 * 6   # the county's parent's and grandparent's groups at most
    assert set(json.loads((out / SUPPRESS_CACHE).read_text())) != set(groups)
