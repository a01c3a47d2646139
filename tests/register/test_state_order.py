"""The vectorised current state does not depend on the order the events arrive in: events read
case by case (no sort needed) and the same events shuffled give the same states, worked out by
hand from the procedure (docs/register.md, "Procedure and state")."""

from __future__ import annotations

import pandas as pd

from ftlib.register.events import current_state

EVENTS = [  # case, seq, kind, at
    ("A", 1, "started", "2025-01-02"), ("A", 2, "accepted", "2025-01-06"),
    ("A", 3, "investigation_started", "2025-01-07"), ("A", 4, "investigated", "2025-02-03"),
    ("B", 1, "started", "2025-03-03"), ("B", 2, "refused", "2025-03-05"),
    ("C", 1, "started", "2025-04-01"),
]


def _frame(rows):
    return pd.DataFrame(rows, columns=["case_id", "seq", "kind", "at"]).assign(at=lambda d: pd.to_datetime(d["at"]))


def test_ordered_and_shuffled_events_give_the_states_worked_out_by_hand():
    ordered = current_state(_frame(EVENTS))
    shuffled = current_state(_frame([EVENTS[i] for i in (6, 3, 0, 5, 2, 4, 1)])).loc[ordered.index]
    for got in (ordered, shuffled):
        assert got.loc["A", "state"] == "investigated" and got.loc["A", "since"] == pd.Timestamp("2025-02-03")
        assert got.loc["A", "stage"] == "decision" and got.loc["A", "stage_start"] == pd.Timestamp("2025-02-03")
        assert got.loc["B", "state"] == "refused" and got.loc["B", "stage"] == ""
        assert got.loc["C", "state"] == "submitted" and got.loc["C", "stage"] == "acceptance"
        assert list(got.loc[["A", "B", "C"], "events"]) == [4, 2, 1]
        assert got["valid"].all()
    pd.testing.assert_frame_equal(ordered, shuffled)
