"""Event payloads as one model per kind, and the one ``record_event`` that the API, the import and
synth share. Expected messages are written out by hand from the rules in DOMAIN.md §3 (a refusal
gives its reason; clues come from audit, petitions or inspection; …), not copied from output."""

from __future__ import annotations

import json

import pytest
from helpers import D, decided_case, make_case

from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.events import KINDS
from ftlib.register.io import ImportError_, import_files
from ftlib.register.payloads import PAYLOADS, validate_payload

W = "case X-1: {}"


def test_every_kind_has_exactly_one_model():
    assert set(PAYLOADS) == set(KINDS)
    assert len(KINDS) == 19
    # the two appeals share one model (the window runs from the feedback or from the refusal)
    assert PAYLOADS["appealed"] is PAYLOADS["refusal_appealed"]
    assert PAYLOADS["decided"] is PAYLOADS["review_decided"]
    assert PAYLOADS["accepted"] is not PAYLOADS["refused"]


@pytest.mark.parametrize(("kind", "payload", "message"), [
    ("refused", {"reason": "  "}, "field reason: value '  ': a refusal must give its reason"),
    ("refused", {}, "field reason: value None: a refusal must give its reason"),
    ("clue_received", {"source": "press"}, "field source: value 'press': not one of audit, petition, inspection"),
    ("clue_received", {}, "field source: value None: not one of audit, petition, inspection"),
    ("clarified", {"method": "rumour"}, "field method: value 'rumour': not one of meeting, written_notice, "
                                        "circular, media"),
    ("clarified", {"method": "media", "referred_to": "courts", "accuser_referred": True},
     "field referred_to: value 'courts': not one of police, discipline_commission"),
    ("clarified", {"method": "media", "referred_to": "police", "accuser_referred": False},
     "field referred_to: value 'police': given but accuser_referred is false"),
    ("career_reviewed", {"promoted": "yes"}, "field promoted: value 'yes': true, false or blank (not known)"),
    ("career_reviewed", {"evaluated_normally": None}, "fields evaluated_normally, promoted: both blank: "
                                                      "a review records at least one"),
    ("fired", {}, "field kind: value 'fired': unknown event kind"),
])
def test_a_bad_payload_is_refused_in_one_line_naming_field_and_value(kind, payload, message):
    with pytest.raises(pr.ProcedureError) as info:
        validate_payload(kind, payload, W.format(kind))
    text = str(info.value)
    assert text.startswith(f"case X-1: {kind}: {message}")
    assert "\n" not in text and "pydantic" not in text and "Traceback" not in text


@pytest.mark.parametrize(("kind", "payload"), [
    ("accepted", {}),
    ("refused", {"reason": "材料不全"}),
    ("clue_received", {"source": "audit", "reference": "审计移送 2025-7"}),
    ("clarified", {"method": "circular", "accuser_referred": False}),
    ("clarified", {"method": "meeting", "accuser_referred": True, "referred_to": "police"}),
    ("career_reviewed", {"promoted": False}),  # a review that knows only one answer
    ("career_reviewed", {"evaluated_normally": True, "promoted": None, "note": "正常使用"}),
    ("follow_up", {"by": "组织部", "note": "暖心回访", "extra": "kept"}),
])
def test_a_good_payload_validates_and_keeps_what_it_was_given(kind, payload):
    model = validate_payload(kind, payload, W.format(kind))
    assert model.model_dump(exclude_unset=True) == payload


def test_record_event_stores_the_payload_as_given_and_the_import_refuses_alike(url, tmp_path):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case("X-1"), channel="cadre_application", received_on=D(2025, 4, 1), actor="cadre")
        ev = pr.record_event(s, "X-1", "accepted", D(2025, 4, 2), "office", {"note": "材料齐全"})
        assert ev.seq == 2
        with pytest.raises(pr.ProcedureError) as api:
            pr.record_event(s, "X-1", "clue_received", D(2025, 4, 3), "office", {"source": "press"})
    stored = frames.events(url).set_index("seq").loc[2, "payload"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == {"note": "材料齐全"}
    f = tmp_path / "events.csv"
    f.write_text("case_id,seq,kind,at,actor,payload\n"
                 'X-1,3,clue_received,2025-04-03,office,"{""source"": ""press""}"\n', encoding="utf-8")
    with pytest.raises(ImportError_) as imp:
        import_files([f], url)
    assert str(api.value) == "case X-1: clue_received: field source: value 'press': not one of audit, petition, inspection"
    assert imp.value.issues[0].reason == str(api.value)
    assert len(frames.events(url)) == 2  # nothing written by the refused import


def test_contextual_checks_read_the_case_history_and_policy(url):
    # CN-DM-2022 allows starts by the cadre, the unit and ex officio; the case row says the cadre applied
    with db.session_scope(url) as s:
        decided_case(s)  # exempt on Tue 6 May 2025, correction "rectify" ordered
        with pytest.raises(pr.ProcedureError, match="field outcome: value 'mitigated': the decision was 'exempt'"):
            pr.record_event(s, "T-1", "result_shared", D(2025, 5, 7), "office",
                            {"to_body": "organisation_department", "outcome": "mitigated"})
        with pytest.raises(pr.ProcedureError, match=r"field measure: value 'apologise': no open correction of "
                                                    r"that name \(open: rectify\)"):
            pr.complete_correction(s, "T-1", "apologise", D(2025, 5, 8), "unit")
