"""The register's subcommands of ``ftlib``: ``db upgrade``, ``import``, ``export``, ``synth``, ``due``.
Each imports what it runs when it runs (like ``ftlib.cli``), so that the CLI starts quickly."""

# Imports inside functions: the CLI's start-up time (see ftlib/cli.py).

from __future__ import annotations

import argparse
import datetime as dt

from ftlib.errors import FtlibError


def cmd_db(args: argparse.Namespace) -> int:
    from ftlib.register import db
    from ftlib.safeinput import say

    url = db.database_url(args.database)
    rev = db.upgrade(url)
    say(f"{db.shown(url)}: register schema at revision {rev}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ftlib.register.io import ImportError_, import_files, write_issues
    from ftlib.safeinput import say

    try:
        summary = import_files(args.files, args.database, progress=args.progress,
                               create_regions=args.create_regions)
    except ImportError_ as err:
        if args.errors:
            write_issues(err.issues, args.errors)
            raise FtlibError(f"{err}; every problem is listed in {args.errors}") from None
        raise
    say(str(summary))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ftlib.register.io import export_file
    from ftlib.safeinput import say

    for path in export_file(args.to, args.database):
        say(str(path))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from ftlib.register.synth import build_sample, synth
    from ftlib.safeinput import say

    national = None
    if args.national or args.national_shape:
        from ftlib.register.national import NATIONAL_SHAPE

        national = args.national_shape or NATIONAL_SHAPE
        if args.sample:
            raise FtlibError("synth: --national writes into --database (or the default register), not --sample")
    years = args.years or (1 if national else 3)
    if args.sample:
        say(build_sample(regions=args.regions, years=years, seed=args.seed))
    else:
        say(synth(args.database, regions=args.regions, years=years, seed=args.seed, end_year=args.end_year,
                    national=national, scale=args.scale))
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    from ftlib.register.frames import due
    from ftlib.safeinput import say

    today = _date(args.today, "--today") if args.today else dt.date.today()
    df = due(args.database, today=today, within=args.within, region=args.region)
    if args.format == "csv":
        say(df.to_csv(index=False), end="")
        return 0
    if df.empty:
        say(f"nothing overdue or due within {args.within} working days of {today}")
        return 0
    shown = df.assign(due_on=df["due_on"].dt.date, since=df["since"].astype("datetime64[ns]").dt.date)
    say(shown.to_string(index=False))
    say(f"{int(df['overdue'].sum())} overdue, {int((~df['overdue']).sum())} due within {args.within} "
          f"working days of {today}")
    return 0


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from ftlib.safeinput import not_a_date

        raise FtlibError(f"{name}: value {value!r}: {not_a_date()}") from None


def _shape(text: str) -> tuple[int, int, int]:
    """--national-shape: three whole numbers, provinces,prefectures,counties."""
    try:
        shape = tuple(int(x) for x in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 3 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"--national-shape: value {text[:20]!r}: three whole numbers ≥ 1, "
                                         "e.g. 31,333,2843")
    return shape  # type: ignore[return-value]


def _scale(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        x = -1.0
    if not 0 < x <= 10:
        raise argparse.ArgumentTypeError(f"--scale: value {text[:20]!r}: a number above 0, at most 10")
    return x


def _positive(name: str):
    """An argparse type: a whole number of at least 1 (``--years 0`` would make an empty register)."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}: value {text[:20]!r}: not a whole number") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"{name}: value {n}: must be at least 1")
        return n
    return parse


def _year(text: str) -> int:
    """--end-year: a year a date can hold (1–9998: the register's years run up to it)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n < dt.MAXYEAR:
        raise argparse.ArgumentTypeError(f"--end-year: value {text[:20]!r}: a year, e.g. 2025")
    return n


def add_commands(sub) -> None:
    """Add the register's subcommands to the ``ftlib`` parser (called by ``ftlib.cli``)."""

    def database(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database", metavar="URL",
                       help="SQLAlchemy URL (default: FTLIB_DATABASE_URL or $FTLIB_HOME/register.sqlite)")

    p = sub.add_parser("db", help="the register database")
    dbsub = p.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="create the register or migrate it to the newest schema")
    database(up)
    up.set_defaults(func=cmd_db)

    p = sub.add_parser("import", help="import cases and events from CSV or Excel (all or nothing)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--progress", action="store_true", help="report progress on stderr")
    p.add_argument("--errors", metavar="CSV", help="write every problem found to this CSV file")
    p.add_argument("--create-regions", action="store_true",
                   help="add regions that are neither in the register nor in ftlib's jurisdictions")
    database(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export cases and events to CSV or Excel")
    p.add_argument("--to", required=True, metavar="FILE", help=".xlsx (two sheets) or .csv (plus FILE.events.csv)")
    database(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("synth", help="write a synthetic (invented, seeded) register")
    p.add_argument("--regions", type=_positive("--regions"), default=8)
    p.add_argument("--years", type=_positive("--years"), default=None, help="default 3 (1 with --national)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--end-year", type=_year, default=2025)
    p.add_argument("--sample", action="store_true", help="(re)create $FTLIB_HOME/sample/register.sqlite")
    p.add_argument("--national", action="store_true",
                   help="a fictional region tree of national size (31 provinces, 333 prefectures, 2,843 counties)")
    p.add_argument("--national-shape", type=_shape, metavar="P,C,X",
                   help="the national tree with other counts (e.g. 2,3,6 for a small one)")
    p.add_argument("--scale", type=_scale, default=1.0, help="case and clarification rates × this (default 1)")
    database(p)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("due", help="cases and corrections overdue or due soon (working days)")
    p.add_argument("--today", help="reference day (default: today)")
    p.add_argument("--within", type=int, default=5, help="working days ahead (default 5)")
    p.add_argument("--region", help="a region and its sub-regions")
    p.add_argument("--format", choices=["text", "csv"], default="text")
    database(p)
    p.set_defaults(func=cmd_due)
