"""The synthetic sample makes sense to a reader: fictional regions only, a mark that it is
synthetic, and committee departures whose reasons point the way the outcome moved."""

import pytest

#: Severity for the cadre, from the policy texts: exemption (免责) < lighter/reduced (从轻减轻) <
#: accountability (not tolerated, or not a tolerable situation at all).
HEAVY = {"exempt": 0, "mitigated": 1, "not_tolerated": 2, "out_of_scope": 2}
#: Words a reason must contain for each direction (worked out from what each direction means).
HARSHER_FACTS = ("明知故犯", "未能挽回", "扩大")
LIGHTER_FACTS = ("已全部挽回", "先行先试", "初次")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from ftlib.register.metrics_frames import register_frames
    from ftlib.register.synth import synth

    url = f"sqlite:///{tmp_path_factory.mktemp('synth') / 'r.sqlite'}"
    summary = synth(url, regions=8, years=2, seed=7)
    return summary, register_frames(url)


def test_every_departure_gives_reasons_that_point_its_way(sample):
    summary, frames = sample
    c = frames.cases
    dep = c[c["recommended"].notna() & c["outcome"].isin(list(HEAVY)) & (c["outcome"] != c["recommended"])]
    assert len(dep) == summary.departures > 0
    seen = set()
    for rec, out, reason in dep[["recommended", "outcome", "departure_reason"]].itertuples(index=False):
        assert isinstance(reason, str) and reason
        if HEAVY[out] > HEAVY[rec]:
            seen.add("harsher")
            assert any(w in reason for w in HARSHER_FACTS), (rec, out, reason)
            assert not any(w in reason for w in LIGHTER_FACTS), (rec, out, reason)
        elif HEAVY[out] < HEAVY[rec]:
            seen.add("lighter")
            assert any(w in reason for w in LIGHTER_FACTS), (rec, out, reason)
            assert not any(w in reason for w in HARSHER_FACTS), (rec, out, reason)
        elif out == "out_of_scope":   # re-classified as ordinary accountability
            seen.add("out")
            assert "不属于容错情形" in reason, reason
        else:                         # a listed situation, refused on a red line
            seen.add("in")
            assert "红线" in reason, reason
    assert {"harsher", "lighter"} <= seen


def test_only_fictional_regions_and_marked_synthetic(sample):
    from ftlib.regions import regions

    summary, frames = sample
    known = regions()
    codes = set(frames.regions["code"])
    assert "CN-HB" not in codes and "湖北省" not in set(frames.regions["name_zh"])
    assert all(known[c]["illustrative"] is True and c.startswith("CN-DM") for c in codes if c in known)
    assert set(frames.cases["region"]) <= codes
    assert frames.meta["synthetic"] is True
    assert len(frames.meta["snapshot_at"]) == 16  # YYYY-MM-DDTHH:MM
    assert "CN-DM-LY" in summary.no_tolerance_regions
