"""The register's refusal (its own module so that the payload checks, the decision rules and the
procedure steps all raise the same class without importing one another).

Every refusal carries a ``code`` and its ``params`` besides the one-line English message, so that a
page can say it in the reader's language (the case desk's ``error.<code>`` labels). A raise site
may give them (``ProcedureError(msg, code="quorum", present=5)``); otherwise they are read from the
message, whose form every refusal follows — ``case C: KIND: field F: value V: reason`` — by the
table ``REASONS`` below (one place, tested against each refusal the register makes)."""

from __future__ import annotations

import re
from typing import Any

from ftlib.errors import FtlibError

_CASE = re.compile(r"^case (?P<case>\S+?): (?:(?P<kind>[a-z_]+): )?")
_FIELD = re.compile(r"field (?P<field>[\w.]+): value (?P<value>.*?): (?P<reason>.*)$", re.S)

#: (code, pattern of the reason) — the first match wins; named groups become params.
REASONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((code, re.compile(p, re.S)) for code, p in (
    ("quorum", r"quorum not reached \((?P<present>\d+) of (?P<total>\d+) present; policy \S+ requires "
               r"(?P<quorum>[\d.]+%)"),
    ("majority", r"no majority of the (?P<present>\d+) members present"),
    ("present_range", r"must be between 0 and members_total \((?P<total>\d+)\)"),
    ("votes_exceed", r"(?P<votes>[\d+]+) votes from (?P<present>\d+) members present"),
    ("wrong_body", r"policy \S+ gives the decision to \S+ \((?P<body>[^)]*)\)"),
    ("consult_missing", r"policy \S+ requires consulting \(会商\) (?P<missing>.+)"),
    ("approval_missing", r"policy \S+ requires approval by \S+ \((?P<body>[^)]*)\)"),
    ("departure_reason", r"departs from the engine's recommendation"),
    ("disposition_outcome", r"a disposition of (?P<belongs_to>\S+), not of the outcome (?P<outcome>\S+)"),
    ("engine_missing", r"the engine's recommendation is missing"),
    ("not_whole", r"not a whole number"),
    ("negative", r"^negative$"),
    ("not_one_of", r"^not one of "),
    ("not_a_date", r"not a real date"),
    ("before_previous", r"before the previous event \((?P<previous>[\d-]+)\)"),
    ("before_received", r"before the case was received \((?P<received>[\d-]+)\)"),
    ("before_conduct", r"before the conduct date (?P<conduct>[\d-]+)"),
    ("actor_missing", r"say who acted"),
    ("recorder_missing", r"say who is recording"),
    ("notice_missing", r"give the date of the accountability notice"),
    ("date_missing", r"give the date"),
    ("required", r"^required$"),
    ("appeal_window_over", r"the appeal window of (?P<days>\d+) working days from (?P<since>[\d-]+) ended on "
                           r"(?P<ends>[\d-]+)"),
    ("application_late", r"the application window of (?P<days>\d+) working days from the accountability notice "
                         r"\((?P<notice>[\d-]+)\) ended on (?P<ends>[\d-]+)"),
    ("application_early", r"before the accountability notice \((?P<notice>[\d-]+)\)"),
    ("no_open_correction", r"no open correction of that name"),
    ("already_registered", r"already (?:in the register|registered)"),
    ("channel_not_allowed", r"policy \S+ allows only (?P<starts>.+)"),
    ("pseudonym", r"only pseudonymous ids"),
    ("no_such_case", r"no such case in the register"),
    ("no_policy", r"no policy for (?P<jurisdiction>\S+) in force on that date"),
    ("not_allowed_now", r"^(?P<step>[a-z_]+) is not allowed when the case is (?P<state>[a-z_]+|\(not started\))"),
    ("tolerated_only", r"careers are reviewed for tolerated cadres"),
))


def describe(message: str) -> tuple[str, dict[str, Any]]:
    """``(code, params)`` of a refusal's message: ``field``, ``value``, ``kind``, ``case`` when the
    message names them, and the reason's own figures; code ``refused`` when no pattern knows it."""
    text = message.strip()
    head: dict[str, Any] = {}
    m = _CASE.match(text)
    if m:
        head.update({k: v for k, v in m.groupdict().items() if v is not None})
        text = text[m.end():]
    f = _FIELD.search(text)
    if f:
        head.update(field=f["field"], value=f["value"])
        text = f["reason"]
    reason = text
    for code, pattern in REASONS:
        found = pattern.search(reason)
        if found:
            return code, {**head, **{k: v for k, v in found.groupdict().items() if v is not None}}
    return "refused", {**head, "reason": reason}


class ProcedureError(FtlibError):
    """A procedure step refused: the message names case, step, field and value; ``code`` and
    ``params`` say the same for a translation."""

    def __init__(self, message: str, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        found, parsed = describe(message)
        self.code = code or found
        self.params = {**parsed, **params}
