"""Import and export of cases and events as CSV (UTF-8) and Excel (xlsx).

**Files.** A *cases* file has one row per case: ``id``, ``region`` (default: the
jurisdiction), ``cadre_id`` (pseudonymous), ``channel`` (``cadre_application``,
``unit_application``, ``ex_officio``), ``received_on``, ``notice_on`` (the day the accountability
notice reached an applicant: kept in the case's ``started`` event, docs/register.md), ``registration_id`` and one column per
fact of the vocabulary (``jurisdiction``, ``conduct_date``, ``subject.rank``, …; see
``ftlib.facts``). An *events* file has ``case_id``, ``seq``, ``kind``, ``at``, ``actor``,
``payload`` (a JSON object) and optionally ``recorded_at`` and ``recorded_by`` (who typed it in). The kind of a CSV file is read from
its header; a workbook has a sheet ``cases`` and/or a sheet ``events``. ``export`` writes a
workbook with both sheets, or for ``X.csv`` the cases to ``X.csv`` and the events to
``X.events.csv`` (and the ex-ante registrations the cases cite, columns
``registration_id, region, cadre_id, registered_on, category, description``, to
``X.registrations.csv`` / sheet ``registrations``), and the rest of the register — ``regions``,
``headcounts``, ``cadres`` and the clarifications recorded without a case — to
``X.<sheet>.csv`` / a sheet of that name (``ftlib.register.reference``), so that an export is a
full copy. Blank cells are facts not given (they take the documented defaults).

**Guarantees.** Every row of every file is validated before anything is written; all problems
are reported (file, row as numbered in a spreadsheet — the header is row 1 —, column, value,
reason), not only the first. The whole import is one transaction: all or nothing, also when the
process is killed half-way. A case or event already in the register with identical values is
skipped, so importing the same file twice adds nothing; with different values it is an error.
Events are checked by the same rules as when they are recorded (procedure order, policy's
decision body, quorum, consultation, reasons for departures, appeal windows). Export then
import into an empty register reproduces everything it holds.

The work is split by job: ``files`` (reading CSV/xlsx, the column layout), ``validate`` (every row
checked before anything is written), ``importing`` (the one transaction) and ``export``. This
module is the front door that callers import.
"""

from ftlib.register.export import export_file, export_frames
from ftlib.register.files import (
           CASE_COLUMNS,
           EVENT_COLUMNS,
           FACT_COLUMNS,
           META,
           REGISTRATION_COLUMNS,
           SHEETS,
           Table,
           read_file,
)
from ftlib.register.importing import ImportSummary, import_files
from ftlib.register.validate import ImportError_, Issue, parse_events, parse_registrations, validate_cases, write_issues

__all__ = ["CASE_COLUMNS", "EVENT_COLUMNS", "FACT_COLUMNS", "META", "REGISTRATION_COLUMNS", "SHEETS", "ImportError_",
           "ImportSummary", "Issue", "Table", "export_file", "export_frames", "import_files", "parse_events",
           "parse_registrations", "read_file", "validate_cases", "write_issues"]
