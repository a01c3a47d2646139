"""The ``ftlib`` command. Bad input prints one line naming file, field and value and exits 2.

Each command imports the modules it runs inside its ``cmd_*`` function, on purpose: ``ftlib
--help``, ``ftlib paths`` or a mistyped command answer without loading pandas, SQLAlchemy and the
engine (docs/architecture.md)."""

# Imports inside functions: each command imports what it runs, so `ftlib --help` and one-line refusals start in well under a second.

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from ftlib.errors import FtlibError

EXIT_BAD_INPUT = 2


def _policies(args: argparse.Namespace):
    from ftlib.policy.loader import PolicySet, bundled

    return PolicySet.from_dir(Path(args.policy_dir)) if args.policy_dir else bundled()


def say(text, end: str = "\n") -> None:
    """Everything a command prints on stdout goes through ``safeinput.say`` (or ``say_json``):
    no terminal control or bidi-override character read from a file reaches the terminal."""
    from ftlib.safeinput import say as say_

    say_(text, end)


def say_json(value) -> None:
    from ftlib.safeinput import say_json as say_json_

    say_json_(value)


def cmd_determine(args: argparse.Namespace) -> int:
    from ftlib.engine import determine
    from ftlib.facts import load_case
    from ftlib.render import determination_json, determination_text

    policies = _policies(args)
    case = load_case(args.case)
    try:
        det = determine(case, args.policy, policies)
    except FtlibError as err:
        raise FtlibError(f"{args.case}: {err}") from None
    if args.format == "json":
        say_json(determination_json(det))
    else:
        say(determination_text(det, args.lang))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ftlib.engine import compare, comparison_table
    from ftlib.facts import load_case
    from ftlib.render import determination_json

    policies = _policies(args)
    case = load_case(args.case)
    try:
        dets = compare(case, args.policy or None, policies)
    except FtlibError as err:
        raise FtlibError(f"{args.case}: {err}") from None
    if args.format == "json":
        say_json([determination_json(d) for d in dets])
    else:
        say(comparison_table(dets, args.lang).to_string(index=False))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from ftlib.policy.diff import diff_report, diff_text
    from ftlib.policy.loader import PolicyError

    policies = _policies(args)
    for pid in (args.a, args.b):
        if pid not in policies.policies:
            raise PolicyError(f"unknown policy {pid!r} (known: {', '.join(sorted(policies.policies))})")
    report = diff_report(policies.compiled[args.a], policies.compiled[args.b], args.lang)
    if args.format == "json":
        say_json(report)
    else:
        say(diff_text(report, args.lang))
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from ftlib.policy.lint import lint

    # ``ftlib --policy-dir DIR lint`` lints DIR (the folder every other command would read)
    findings = lint([Path(f) for f in args.files], **({"folder": Path(args.policy_dir)} if args.policy_dir else {}))
    shown = [f for f in findings if args.all or f.level != "info"]
    for f in shown:
        say(str(f))
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    say(f"{errors} errors, {warnings} warnings, {len(findings) - errors - warnings} notes"
          + ("" if args.all else " (--all shows the notes)"))
    return 1 if errors else 0


def cmd_policies(args: argparse.Namespace) -> int:
    import pandas as pd

    from ftlib.i18n import label

    lang = args.lang
    policies = sorted(_policies(args).policies.values(), key=lambda p: (p.jurisdiction, p.effective_from))
    if args.format == "json":
        say_json([{
            "id": p.id, "family": p.family, "jurisdiction": p.jurisdiction,
            "name": {"zh": p.name.zh, "en": p.name.en}, "status": p.status,
            "validity": {"from": p.effective_from.isoformat(),
                         "to": p.effective_to.isoformat() if p.effective_to else None},
            "source": p.source.model_dump(mode="json", exclude_none=True) if p.source else None,
        } for p in policies])
        return 0
    rows = [{
        label("column.policy", lang): p.id,
        label("column.jurisdiction", lang): p.jurisdiction,
        label("column.name", lang): p.name.zh if lang == "zh" else p.name.en,
        label("column.effective_from", lang): p.effective_from.isoformat(),
        label("column.effective_to", lang): p.effective_to.isoformat() if p.effective_to else "—",
        label("column.status", lang): label(f"status.{p.status}", lang),
        label("column.source", lang): (p.source.url or p.source.title) if p.source else "—",
    } for p in policies]
    say(pd.DataFrame(rows).to_string(index=False))
    return 0


def _report_failed(r) -> None:
    from ftlib.safeinput import printable

    print(f"ftlib: report {r.name} failed: {printable(str(r.error))}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: the sample register, the typical-case table, the reports, the dashboards.

    Without ``FTLIB_DATABASE_URL`` it rebuilds the sample register under FTLIB_HOME each time, so
    a second and third run start from the same seeded data; with it, it reports on that register
    (building the sample there only when it is empty)."""

    from ftlib import home
    from ftlib.library import library_table
    from ftlib.register import db
    from ftlib.register.synth import build_sample
    from ftlib.reports.jobs import plan_jobs
    from ftlib.reports.runner import run_reports
    from ftlib.reports.serve import port_free, serve

    apps_port = args.apps_port or args.port + 1
    if apps_port > 65535:
        raise FtlibError(f"--port: value {args.port}: the interactive tools take the next port; give --apps-port")
    if not args.no_serve:  # before minutes of reports: a taken port is said at once
        for port in (args.port, apps_port):
            port_free("127.0.0.1", port)
    say(library_table(lang=args.lang).to_string(index=False))
    given = os.environ.get("FTLIB_DATABASE_URL")
    if given is None:
        say(build_sample())
        os.environ["FTLIB_DATABASE_URL"] = f"sqlite:///{home.sample_register_path()}"
    elif db.status(given)[0] != "ftlib":
        say(build_sample(given))
    out = home.dashboards_dir()
    jobs = plan_jobs(all_=True, lang=args.lang, last_quarters=args.quarters)
    results = run_reports(jobs, out, html=True)
    failed = [r for r in results if not r.ok]
    for r in failed:
        _report_failed(r)
    say(f"{len(results) - len(failed)} reports in {out} (static HTML in {out / 'html'})")
    if args.no_serve:
        return 1 if failed else 0
    from ftlib.ui.apps import start_apps, stop

    apps = start_apps(apps_port, max_kernels=args.max_kernels)  # the widget notebooks, on this register
    print(f"ftlib: interactive tools (case desk 容错纠错案件办理台 …) at "
          f"http://127.0.0.1:{apps_port}/voila/render/06_case_desk.ipynb, linked from the dashboards index", flush=True)
    try:
        return serve(out, args.port, max_kernels=args.max_kernels, apps_port=apps_port)
    finally:
        stop(apps)


def cmd_report(args: argparse.Namespace) -> int:
    from ftlib.reports.jobs import plan_jobs
    from ftlib.reports.runner import run_reports

    jobs = plan_jobs(region=args.region, period=args.period, all_=args.all, lang=args.lang, min_cell=args.min_cell,
                     last_quarters=args.quarters)
    results = run_reports(jobs, Path(args.out) if args.out else None, html=args.html,
                          workers=args.workers, progress=not args.quiet, scheduler=args.scheduler,
                          incremental=not args.rebuild)
    failed = [r for r in results if not r.ok]
    for r in failed:
        _report_failed(r)
    kept = sum(1 for r in results if r.ok and getattr(r, "reused", False))
    say(f"{len(results) - len(failed) - kept} reports written, {kept} unchanged and kept, {len(failed)} failed")
    return 1 if failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ftlib.reports.serve import serve

    return serve(Path(args.dir) if args.dir else None, args.port, args.ip, args.max_kernels, args.apps_port)


def cmd_apps(args: argparse.Namespace) -> int:
    from ftlib.ui.apps import serve_apps

    return serve_apps(args.port, args.ip, args.max_kernels, args.base_url)


def _base_url(value: str) -> str:
    parts = value.split("/")
    if not (value.startswith("/") and value.endswith("/")
            and all(part.replace("-", "").replace("_", "").isalnum() and part.isascii() for part in parts[1:-1])):
        raise argparse.ArgumentTypeError(f"value {value[:40]!r}: a path that starts and ends with /, e.g. /apps/")
    return value


def cmd_lab(args: argparse.Namespace) -> int:
    from ftlib.ui.lab import lab

    return lab(args.port, args.ip)


def cmd_notebook(args: argparse.Namespace) -> int:
    from ftlib.ui.lab import notebook

    return notebook(args.name, args.port, args.ip, args.max_kernels, args.pool)


def cmd_paths(args: argparse.Namespace) -> int:
    """Where this installation reads its data and writes its working files (for administrators)."""
    from ftlib import home
    from ftlib.register import db
    from ftlib.reports.serve import TEMPLATES
    from ftlib.resources import data_path

    rows = {"home": home.home(), "register": db.shown(db.database_url()), "sample": home.sample_register_path(),
            "dashboards": home.dashboards_dir(), "quiz_results": home.quiz_results_path(),
            "holidays": home.holidays_dir(), "package_data": data_path(), "voila_templates": TEMPLATES}
    for key, value in rows.items():
        say(f"{key}\t{value}")
    return 0


def _whole(least: int, what: str, most: int | None = None):
    """An argparse type: a whole number of at least ``least`` (and at most ``most``), refused in
    one line naming ``what``."""
    def check(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            n = least - 1
        if n < least or (most is not None and n > most):
            raise argparse.ArgumentTypeError(f"value {value[:20]!r}: {what}")
        return n
    return check


_kernels = _whole(1, "a whole number of kernels, at least 1")
#: --min-cell, --quarters: 0 would publish every count, or none
_at_least_one = _whole(1, "a whole number, at least 1")
_pool = _whole(0, "a whole number of kernels, 0 or more")
#: a TCP port (``--port -1`` or ``70000`` would end in a traceback from the server)
_port = _whole(1, "a port number from 1 to 65535", most=65535)
_apps_port = _whole(0, "a port number from 1 to 65535 (0: the default)", most=65535)


def _ip(value: str) -> str:
    """--ip: an IP address (or ``localhost``); a blank one would make the server listen on every
    interface and print a URL without a host."""

    try:
        return value if value == "localhost" else str(ipaddress.ip_address(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"value {value[:40]!r}: an IP address of this machine, "
                                         "e.g. 127.0.0.1 (the default)") from None


class Parser(argparse.ArgumentParser):
    """argparse, but a refused argument is one line (no usage block before it), exit 2 — like
    every other bad input. ``--help`` still prints the usage. Sub-commands use this class too."""

    def error(self, message: str):  # type: ignore[override]
        from ftlib.safeinput import printable

        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {printable(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="ftlib", description="容错纠错机制 — fault tolerance and error correction")
    parser.add_argument("--policy-dir", help="read policies from this folder instead of the bundled ones")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, fmt: bool = True) -> None:
        p.add_argument("--lang", choices=["zh", "en"], default="zh")
        if fmt:
            p.add_argument("--format", choices=["text", "json"], default="text")

    def max_kernels_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--max-kernels", type=_kernels, metavar="N",
                       help="most visitors with a kernel at once, past it a busy page (default: voila.json's, 60)")

    p = sub.add_parser("determine", help="determine one case (YAML or JSON file)")
    p.add_argument("case")
    p.add_argument("--policy", help="policy id (e.g. CN-2019) or family (e.g. CN) to force")
    common(p)
    p.set_defaults(func=cmd_determine)

    p = sub.add_parser("compare", help="one case under several policies side by side")
    p.add_argument("case")
    p.add_argument("--policy", action="append", help="policy id (repeat); default: every family")
    common(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("diff", help="how two policies differ: text, and dispositions over every combination of facts")
    p.add_argument("a", help="policy id, e.g. CN-HB-2020")
    p.add_argument("b", help="policy id, e.g. CN-HA-SMX-2022")
    common(p)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("lint", help="check policy files (default: all bundled)")
    p.add_argument("files", nargs="*")
    p.add_argument("--all", action="store_true", help="also show notes (overlaps, unused clauses)")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("policies", help="list the bundled policies with their validity dates")
    common(p)
    p.set_defaults(func=cmd_policies)

    p = sub.add_parser("run", help="the main job: sample register, reports, dashboards served")
    p.add_argument("--quarters", type=_at_least_one, default=4, help="report the last N quarters (default 4)")
    p.add_argument("--port", type=_port, default=8866)
    p.add_argument("--no-serve", action="store_true", help="stop after writing the reports")
    p.add_argument("--apps-port", type=_apps_port, default=0,
                   help="port of the interactive notebooks (case desk …) linked from the index (default: --port + 1)")
    max_kernels_arg(p)
    common(p, fmt=False)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="build the report dashboards into $FTLIB_HOME/dashboards (in parallel)")
    p.add_argument("--region", help="region code, e.g. CN-DM")
    p.add_argument("--period", help="2025Q3, 2025, 2025-04 or 2025-01-01..2025-06-30")
    p.add_argument("--all", action="store_true", help="every region × quarter in the register")
    p.add_argument("--html", action="store_true", help="also write static HTML without code")
    p.add_argument("--min-cell", type=_at_least_one, default=5, help="smallest count published (default 5)")
    p.add_argument("--workers", type=int, help="parallel reports (default: the number of cores)")
    p.add_argument("--out", help="output folder (default $FTLIB_HOME/dashboards)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--quarters", type=_at_least_one, help="with --all: only the last N quarters")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster: its scheduler's address, or 'local' for one of --workers processes")
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild every report (default: keep those whose data did not change since the last run)")
    common(p, fmt=False)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("serve", help="serve the dashboards with Voilà (127.0.0.1 by default)")
    p.add_argument("--port", type=_port, default=8866)
    p.add_argument("--ip", type=_ip, default="127.0.0.1")
    p.add_argument("--dir", help="folder to serve (default $FTLIB_HOME/dashboards)")
    p.add_argument("--apps-port", type=_apps_port, default=0,
                   help="port where the interactive notebooks are served (the index links there; default: none)")
    max_kernels_arg(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("apps", help="serve the interactive notebooks (quiz, case desk …) that the dashboards link to")
    p.add_argument("--port", type=_port, default=8876)
    p.add_argument("--ip", type=_ip, default="127.0.0.1")
    p.add_argument("--base-url", type=_base_url, default="/",
                   help="the path it answers under behind a proxy (deploy/nginx/ftlib.conf: /apps/)")
    max_kernels_arg(p)
    p.set_defaults(func=cmd_apps)

    p = sub.add_parser("lab", help="JupyterLab on your own copy of the notebooks ($FTLIB_HOME/notebooks)")
    p.add_argument("--port", type=_port, default=8888)
    p.add_argument("--ip", type=_ip, default="127.0.0.1")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("notebook", help="serve one notebook with Voilà (e.g. 01 or 01_case_builder)")
    p.add_argument("name")
    p.add_argument("--port", type=_port, default=8866)
    p.add_argument("--ip", type=_ip, default="127.0.0.1")
    max_kernels_arg(p)
    p.add_argument("--pool", type=_pool, metavar="N",
                   help="kernels kept ready with the notebook already run, e.g. a class's size before it arrives "
                        "(default: notebooks.json's, 1 for the quiz, 0 for the others)")
    p.set_defaults(func=cmd_notebook)

    p = sub.add_parser("paths", help="where ftlib reads its data and writes its working files")
    p.set_defaults(func=cmd_paths)

    try:
        from ftlib.register.commands import add_commands
    except ImportError:
        add_commands = None
    if add_commands is not None:
        add_commands(sub)
    from ftlib.documents.commands import add_commands as add_document_commands

    add_document_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except FtlibError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (``ftlib determine … | head``): stop quietly, without a traceback
        # when the interpreter flushes stdout at exit

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _fail("output closed before everything was written (broken pipe)")
    except RecursionError:
        return _fail("input nested too deeply")
    except MemoryError:
        return _fail("not enough memory for this input")
    except OSError as err:
        # disk full, read-only file system, file-size limit, no permission: one line, exit 2
        from ftlib.safeinput import write_error

        where = Path(err.filename) if err.filename else Path("ftlib")
        return _fail(str(write_error(where, err)).replace("cannot write", "cannot read or write"))
    except Exception as err:
        # the database refused a write (read-only file, disk full, file-size limit, I/O error)
        from ftlib.register.db import failure

        message = failure(err, getattr(args, "database", None))
        if message is None:
            raise
        return _fail(message)


def _fail(message: str) -> int:
    from ftlib.safeinput import printable

    # one line per problem (an import lists the problems it found, one a line, then their count)
    for line in (message or "failed").splitlines() or ["failed"]:
        print(f"ftlib: error: {printable(line)}", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
