"""``ftlib document CASE_ID --kind opinion --to FILE``: one case document from the register.
The command imports the renderer (docxtpl, the register) when it runs, so that the CLI starts quickly."""

# Imports inside functions: the CLI's start-up time (see ftlib/cli.py).

from __future__ import annotations

import argparse

from ftlib.errors import FtlibError


def cmd_document(args: argparse.Namespace) -> int:
    from ftlib.documents.render import KINDS, write_document
    from ftlib.safeinput import say

    if args.kind not in KINDS:
        raise FtlibError(f"--kind: value {args.kind!r}: not one of {', '.join(KINDS)}")
    path = write_document(args.case_id, args.kind, args.to, args.database)
    say(path)
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("document", help="a case document (.docx, .pdf or .html) from the register")
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("--kind", default="opinion", metavar="KIND",
                   help="acceptance, refusal, opinion (default), feedback or filing")
    p.add_argument("--to", required=True, metavar="FILE", help="FILE.docx, FILE.pdf or FILE.html")
    p.add_argument("--database", metavar="URL",
                   help="SQLAlchemy URL (default: FTLIB_DATABASE_URL or the register in FTLIB_HOME)")
    p.set_defaults(func=cmd_document)
