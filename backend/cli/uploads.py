"""``scalescope import FILE`` and ``scalescope uploads list|undo|formats``."""

from __future__ import annotations

import argparse
import json
import sys

from backend import db
from backend.config import get_settings
from backend.exceptions import IngestError


def register(subparsers) -> None:
    """Add ``import`` and ``uploads``."""
    importer = subparsers.add_parser(
        "import", help="import a results file (format guessed from its content)"
    )
    importer.add_argument("file", help="the file to import")
    importer.add_argument("--format", help="the file's format (see `scalescope uploads formats`)")
    importer.add_argument(
        "--dry-run", action="store_true", help="check the file and show what would change"
    )
    importer.add_argument(
        "--options", help='format options as JSON, e.g. a wide CSV column mapping: {"columns": …}'
    )
    importer.add_argument("--by", dest="created_by", help="who uploads (recorded with the upload)")
    importer.set_defaults(func=_import)

    parser = subparsers.add_parser("uploads", help="uploads: list, undo, formats")
    commands = parser.add_subparsers(dest="uploads_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="list uploads, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    listing.set_defaults(func=_list)
    undo = commands.add_parser("undo", help="undo one upload (restores what it overwrote)")
    undo.add_argument("upload_id", type=int)
    undo.set_defaults(func=_undo)
    formats = commands.add_parser("formats", help="list the formats `import` understands")
    formats.set_defaults(func=_formats)


def _engine():
    engine = db.get_engine(get_settings().database_url)
    db.check_at_head(engine)
    return engine


def _import(args: argparse.Namespace) -> int:
    from backend.services.uploads import ingest_file

    options = json.loads(args.options) if args.options else None
    try:
        report = ingest_file(
            engine=_engine(),
            path=args.file,
            format=args.format,
            options=options,
            source="cli",
            created_by=args.created_by,
            dry_run=args.dry_run,
        )
    except IngestError as exc:
        print(f"scalescope import: {args.file} refused; nothing was written:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    what = f"upload {report.upload_id}"
    if report.dry_run or report.unchanged:
        what = "dry run (nothing written)" if report.dry_run else "unchanged (nothing written)"
    print(f"{what}: {report.filename} as {report.format}, {report.records} records")
    print(report.summary())
    for warning in report.warnings:
        print(f"warning: {warning}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from backend.services.uploads import list_uploads

    with db.session_scope(_engine()) as session:
        rows = list_uploads(session=session, limit=args.limit, offset=args.offset)
        for upload in rows:
            written = sum(
                c.get("new", 0) + c.get("updated", 0) for c in (upload.counts or {}).values()
            )
            print(
                f"{upload.id:>6}  {upload.created_at:%Y-%m-%d %H:%M}  {upload.status:<9}  "
                f"{upload.source:<4}  {upload.format:<22}  {written:>9} rows  "
                f"{upload.filename or ''}"
            )
    return 0


def _undo(args: argparse.Namespace) -> int:
    from backend.services.uploads import undo_upload

    counts = undo_upload(engine=_engine(), upload_id=args.upload_id)
    print(f"upload {args.upload_id} undone")
    for table, c in counts.items():
        print(f"{table}: {c['restored']} restored, {c['deleted']} deleted")
    return 0


def _formats(_args: argparse.Namespace) -> int:
    from backend.ingest.formats import adapters

    for adapter in adapters().values():
        print(f"{adapter.name:<24} {adapter.description}")
    return 0
