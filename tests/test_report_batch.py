"""Reports at national scale: the fictional national tree, metrics shared by all regions, the
incremental re-run and the Dask cluster (scaled-down shapes; the full-size run is in
benchmarks/national_bench.py)."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pandas as pd
import pytest

from ftlib.metrics.synthetic import synthetic
from ftlib.period import parse_period


@pytest.fixture(scope="module")
def frames():
    return synthetic(3000, 12, "2024Q1", 8, seed=5)


def test_national_tree_has_the_country_s_shape_and_no_real_name():
    from ftlib.regions import regions
    from ftlib.register.national import NATIONAL_SHAPE, national_tree

    tree = national_tree(NATIONAL_SHAPE)
    levels = pd.Series([r.level for r in tree]).value_counts().to_dict()
    assert levels == {"nation": 1, "province": 31, "prefecture": 333, "county": 2843}
    codes = {r.code for r in tree}
    assert len(codes) == len(tree) == 3208
    # every parent is in the tree (the root's is CN), every code extends its parent's
    assert all(r.parent in codes or r.parent == "CN" for r in tree)
    assert all(r.code.startswith(r.parent + "-") for r in tree)
    # fictional: marked in both languages, and no code or name of the jurisdictions file reused
    assert all("示例" in r.zh and "Demo" in r.en for r in tree)
    real = {c for c, v in regions().items()} | {v.get("zh") for v in regions().values()}
    assert not (codes | {r.zh for r in tree}) & real
    # 333 prefectures over 31 provinces: 23 × 11 + 8 × 10; 2,843 counties over 333: 179 × 9 + 154 × 8
    per_prov = pd.Series([r.parent for r in tree if r.level == "prefecture"]).value_counts()
    assert sorted(per_prov.value_counts().items()) == [(10, 8), (11, 23)]
    per_pref = pd.Series([r.parent for r in tree if r.level == "county"]).value_counts()
    assert sorted(per_pref.value_counts().items()) == [(8, 154), (9, 179)]


def test_synth_national_writes_the_tree_with_its_names(tmp_path):
    from ftlib.register.synth import synth
    from ftlib.reports.data import _load

    url = f"sqlite:///{tmp_path / 'n.sqlite'}"
    summary = synth(url, national=(1, 1, 2), years=1, scale=0.1, seed=3)
    fr = _load(url)
    reg = fr.regions.set_index("code")
    assert sorted(reg.index) == ["CN-DN", "CN-DN-P01", "CN-DN-P01-C01", "CN-DN-P01-C01-X01", "CN-DN-P01-C01-X02"]
    assert reg.at["CN-DN-P01-C01-X02", "name_zh"] == "示例01省01市02县"
    assert reg.at["CN-DN-P01-C01-X02", "parent"] == "CN-DN-P01-C01"
    assert summary.cases > 0 and set(fr.cases["region"]) <= set(reg.index)
    assert fr.meta.get("synthetic")   # every page built from it carries the banner


def test_shared_metrics_equal_a_pass_per_region(frames):
    from ftlib.metrics import compute
    from ftlib.reports.shared import SharedMetrics

    shared = SharedMetrics(frames)
    periods = [parse_period("2025Q3"), parse_period("2025Q4")]
    for region in frames.regions["code"]:
        mine, theirs = shared.compute(region, periods), compute(frames, region, periods)
        assert mine.keys() == theirs.keys()
        for name in mine:   # an empty table may differ in a column's dtype only
            pd.testing.assert_frame_equal(mine[name], theirs[name], check_dtype=len(theirs[name]) > 0,
                                          obj=f"{region} {name}")


def _with_new_case(frames, region: str):
    cases = frames.cases
    row = cases[cases["region"] == region].iloc[[0]].copy()
    row["case_id"] = "NEW-1"
    return dataclasses.replace(frames, cases=pd.concat([cases, row], ignore_index=True))


def test_one_county_s_new_case_changes_its_digest_and_its_ancestors_only(frames):
    from ftlib.reports.fingerprint import subtree_digests

    before = subtree_digests(frames)
    after = subtree_digests(_with_new_case(frames, "CN-SY-P1-C1"))
    changed = {c for c in before if before[c] != after[c]}
    assert changed == {"CN-SY-P1-C1", "CN-SY-P1", "CN-SY"}
    assert subtree_digests(frames) == before   # the same register, the same digests


def _run(tmp_path, frames, jobs, **kw):
    import ftlib.reports.data as data
    from ftlib.reports.runner import run_reports

    snap = tmp_path / "frames.pickle"
    snap.write_bytes(pickle.dumps(frames))
    orig = data.save_snapshot
    data.save_snapshot = lambda path, url=None: snap
    data._snapshot.cache_clear()
    try:
        return {r.name: r for r in run_reports(jobs, tmp_path / "out", progress=False, **kw)}
    finally:
        data.save_snapshot = orig


def test_a_re_run_rebuilds_only_the_reports_whose_data_changed(tmp_path, frames):
    from ftlib.reports.runner import Job

    q = parse_period("2025Q4")
    jobs = [Job("CN-SY-P1-C1", q), Job("CN-SY-P1", q), Job("CN-SY-P2", q)]
    first = _run(tmp_path, frames, jobs, workers=1)
    assert all(r.ok and not r.reused for r in first.values())
    nb = json.loads((tmp_path / "out" / "report_CN-SY-P2_2025Q4.ipynb").read_text())
    assert nb["cells"][1]["metadata"]["tags"] == ["injected-parameters"]    # as papermill leaves it
    assert "· 2025Q4</h1>" in "".join(nb["cells"][-1]["outputs"][0]["data"]["text/html"])
    second = _run(tmp_path, _with_new_case(frames, "CN-SY-P1-C1"), jobs, workers=1)
    assert {n for n, r in second.items() if r.reused} == {"report_CN-SY-P2_2025Q4"}
    assert all(r.ok for r in second.values())
    # the kept report's page is found under the new snapshot's key, as a visitor's kernel looks it up
    manifest = {m["name"]: m for m in json.loads((tmp_path / "out" / "manifest.json").read_text())}
    pages = tmp_path / ".pages"   # beside the snapshot (the runner's own is in out/)
    assert len(list(pages.glob("*.html"))) == 3
    assert all((pages / m["page"]).is_file() for m in manifest.values())


def test_a_re_run_after_a_full_rebuild_rebuilds_only_what_changed(tmp_path, frames):
    """``--rebuild`` builds every report but still notes their digests for the next run."""
    from ftlib.reports.runner import Job

    q = parse_period("2025Q4")
    jobs = [Job("CN-SY-P1-C1", q), Job("CN-SY-P2", q)]
    _run(tmp_path, frames, jobs, workers=1, incremental=False)
    second = _run(tmp_path, _with_new_case(frames, "CN-SY-P1-C1"), jobs, workers=1)
    assert {n for n, r in second.items() if r.reused} == {"report_CN-SY-P2_2025Q4"}


def test_a_run_writes_the_chart_bundle_and_clears_an_older_runs_svg_charts(tmp_path, frames):
    from ftlib.reports.chartjs import bundle_name
    from ftlib.reports.runner import Job
    from ftlib.reports.svgcache import write_used

    q = parse_period("2025Q4")
    jobs = [Job("CN-SY-P1-C1", q), Job("CN-SY-P2", q)]
    _run(tmp_path, frames, jobs, workers=1)
    out = tmp_path / "out"
    # the pages name the bundle the run wrote into assets/ (served as voila/files/assets/)
    assert [p.name for p in (out / "assets").iterdir()] == [bundle_name()]
    shown = "".join(json.loads((out / "report_CN-SY-P2_2025Q4.ipynb").read_text())["cells"][-1]["outputs"][0]
                    ["data"]["text/html"])
    assert f"data-ftlib-charts='../files/assets/{bundle_name()}'" in shown and "<svg" not in shown
    assert not (out / ".charts").exists()     # nothing drawn at build time any more
    # SVGs an older ftlib left, one per report: the report rebuilt drops its own, the kept one keeps its
    charts = out / ".charts"
    for name, key in (("report_CN-SY-P1-C1_2025Q4", "a"), ("report_CN-SY-P2_2025Q4", "b")):
        (charts / f"{key}.svg").parent.mkdir(exist_ok=True)
        (charts / f"{key}.svg").write_text("<svg/>")
        write_used(charts, name, {key})
    _run(tmp_path, _with_new_case(frames, "CN-SY-P1-C1"), jobs, workers=1)
    assert sorted(p.name for p in charts.glob("*.svg")) == ["b.svg"]


def test_prune_removes_charts_of_reports_no_longer_listed_and_old_half_files(tmp_path):
    import os
    import time

    from ftlib.reports.svgcache import prune, write_used

    for key in ("a", "b", "c"):
        (tmp_path / f"{key}.svg").write_text("<svg/>")
    write_used(tmp_path, "r1", {"a"})
    write_used(tmp_path, "r2", {"a", "b"})
    write_used(tmp_path, "gone", {"c"})
    (tmp_path / "old.tmp").write_text("")
    os.utime(tmp_path / "old.tmp", (time.time() - 7200,) * 2)   # two hours: a killed worker's
    (tmp_path / "new.tmp").write_text("")                        # a worker writing now
    assert prune(tmp_path, ["r1", "r2"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["a.svg", "b.svg", "new.tmp"]
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["r1.keys", "r2.keys"]


def test_reports_run_on_a_local_dask_cluster_of_two_workers(tmp_path, frames):
    pytest.importorskip("dask.distributed")
    from ftlib.reports.runner import Job

    q = parse_period("2025Q4")
    jobs = [Job("CN-SY-P3", q), Job("CN-SY-P4", q), Job("CN-NOPE", q)]
    results = _run(tmp_path, frames, jobs, workers=2, scheduler="local")
    assert results["report_CN-SY-P3_2025Q4"].ok and results["report_CN-SY-P4_2025Q4"].ok
    assert not results["report_CN-NOPE_2025Q4"].ok and "CN-NOPE" in results["report_CN-NOPE_2025Q4"].error
    shown = json.loads((tmp_path / "out" / "report_CN-SY-P4_2025Q4.ipynb").read_text())["cells"][-1]["outputs"]
    assert "· 2025Q4</h1>" in "".join(shown[0]["data"]["text/html"])
